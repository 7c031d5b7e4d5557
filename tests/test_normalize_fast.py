"""Simplified Chinese is recognised without starting OpenCC for text that has no Simplified character
(retrieval/data/simplified.txt), and that shortcut never changes what a question becomes."""

from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path

import pytest

from retrieval import normalize as N

ROOT = Path(__file__).resolve().parents[1]


def texts() -> list[str]:
    """Every line of the shipped standards, the labelled example questions and the test questions."""
    out = [line for path in sorted((ROOT / "data" / "standards").glob("*.txt"))
           for line in path.read_text("utf-8").splitlines() if line.strip()]
    kinds = tomllib.loads((ROOT / "retrieval" / "data" / "kinds.toml").read_text("utf-8"))
    out += [q for examples in kinds.values() if isinstance(examples, list) for q in examples]
    for name in ("understanding.jsonl", "scope.jsonl"):
        out += [json.loads(line)["question"] for line in (ROOT / "tests" / "data" / name).read_text("utf-8").splitlines()
                if line.strip()]
    return out


def test_the_shipped_list_is_what_the_installed_opencc_changes() -> None:
    spec = importlib.util.spec_from_file_location("simplified_chars", ROOT / "scripts" / "simplified_chars.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert frozenset(script.simplified_characters()) == N._simplified()


def test_text_without_simplified_characters_is_left_as_typed() -> None:
    lines = texts()
    plain = [t for t in lines if N._simplified().isdisjoint(t.replace("台", "臺"))]
    assert len(plain) > 500
    assert [t for t in plain if N.to_traditional(t) != t] == []


@pytest.mark.parametrize(("typed", "expected"), [
    ("云端系统开发工程人员的T2.2行为指标", "雲端系統開發工程人員的T2.2行為指標"),
    ("哪些任务需要计算能力", "哪些任務需要計算能力"),
    ("雲端平台操作能力", "雲端平台操作能力"),  # Taiwan's 台 stays
    ("T2.2 的行為指標", "T2.2 的行為指標"),
    # s2t also swaps phrase variants (公布 -> 公佈, 了解 -> 瞭解): Traditional text must keep the corpus's own
    ("我想了解稽核結果要公布在哪", "我想了解稽核結果要公布在哪"),
])
def test_questions_become_traditional_as_before(typed: str, expected: str) -> None:
    assert N.to_traditional(typed) == expected


def test_a_traditional_question_does_not_start_opencc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(N, "_converter", lambda config: pytest.fail("OpenCC started for a Traditional question"))
    assert N.clean_question("ISD3512-001v3 T2.2 的行為指標有哪些") == "ISD3512-001v3 T2.2 的行為指標有哪些"


@pytest.mark.parametrize(("typed", "expected"), [
    ("这份文件的审核程序", "這份文件的審核程序"),  # not 檔案, 稽核, 程式: the documents' own words
    ("组态项目是什么", "組態項目是什麼"),  # not 專案
    ("项目经理要会什么", "專案經理要會什麼"),  # project management is 專案 in the documents too
    ("网络设备的性能", "網路設備的性能"),  # Taiwan's 網路 beside a kept word
])
def test_simplified_keeps_the_documents_words(typed: str, expected: str) -> None:
    assert N.to_traditional(typed) == expected
