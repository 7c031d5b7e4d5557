"""Issue 23, item 9, through the command line (`main([...])` in this process): a deeply nested batch line,
settings out of range, codes in `show` and `export` written as people type them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import test_hardening_cli
from tests.test_hardening_cli import ANSWER_KEYS, CLOUD, Run, refused

run = test_hardening_cli.run  # the fixture: `main([...])` in this process


def test_a_deeply_nested_batch_line_does_not_abandon_the_batch(run: Run, tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    nested = "[" * 100_000 + "]" * 100_000
    deep_object = '{"question": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}"
    lines = [json.dumps({"question": "K01 是什麼", "standard": CLOUD}, ensure_ascii=False), nested, deep_object,
             json.dumps({"question": "T1.1 的行為指標", "standard": CLOUD}, ensure_ascii=False)]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run("ask", "--json", "--batch", str(batch))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 4 and all(set(item) == ANSWER_KEYS for item in out)
    assert [item["intent"] for item in out][1:3] == ["error", "error"]
    assert "K01" in out[0]["answer"] and "T1.1" in out[3]["answer"]


@pytest.mark.parametrize(("setting", "value"), [
    ("DATABASE_TIMEOUT", "nan"), ("DATABASE_TIMEOUT", "inf"), ("DATABASE_TIMEOUT", "-1"), ("DATABASE_TIMEOUT", "0"),
    ("TELEGRAM_TIMEOUT", "nan"), ("TELEGRAM_POLL_TIMEOUT", "-inf"), ("WEBHOOK_PORT", "99999"),
    ("WEBHOOK_PORT", "0"), ("WEBHOOK_PORT", "-5"), ("BOT_USER_RATE_PER_MINUTE", "-3"),
])
def test_settings_out_of_range_are_one_line_naming_them(setting: str, value: str, run: Run) -> None:
    refused(run("standards", **{setting: value}), setting)


@pytest.mark.parametrize("written", ["Ｔ２．２", "T2\u200d.2", "T\u200b2.2", "ｔ2.2", " T2.2 "])
def test_show_reads_a_code_as_ask_does(written: str, run: Run) -> None:
    proc = run("show", CLOUD, written)
    assert proc.returncode == 0, proc.stderr
    assert "T2.2" in proc.stdout


@pytest.mark.parametrize("written", ["ＩＳＤ３５１２－００１ｖ３", "ISD3512\u200d-001v3", "isd3512-001V3"])
def test_show_and_export_read_a_standard_code_as_ask_does(written: str, run: Run) -> None:
    shown = run("show", written, "T2.2")
    assert shown.returncode == 0 and "T2.2" in shown.stdout, shown.stderr
    exported = run("export", written)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["code"] == CLOUD
