"""The scope vote (retrieval/scopevote.py): labelled questions, the nearest of which say whether a question is about
the documents at all. Its examples are built from tests/data by a script and leave out the sets that measure it."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from retrieval.scopevote import CALIBRATED, EXAMPLES, ScopeVote, load_examples

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("scope_examples", ROOT / "scripts" / "scope_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _questions(name: str, odd_only: bool = False) -> set[str]:
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["question"] for r in rows if not odd_only or int(re.sub(r"\D", "", r["id"])) % 2}


def test_the_shipped_examples_are_what_the_script_writes() -> None:
    assert EXAMPLES.read_text(encoding="utf-8") == _script().render()


def test_the_sets_that_measure_the_vote_are_no_examples() -> None:
    examples = {q for q, _ in load_examples()}
    assert examples.isdisjoint(_questions("scope_people.jsonl", odd_only=True))  # the held-out half
    for later in ("scope_fresh7.jsonl", "scope_fresh8.jsonl"):
        assert examples.isdisjoint(_questions(later))  # measured once, blind
    assert {label for _, label in load_examples()} == {"in", "out"}


def test_a_model_without_a_calibrated_margin_never_votes(tmp_path: Path) -> None:
    vote = ScopeVote(mask=lambda s: s, cache_dir=tmp_path, examples=(("天氣如何", "out"), ("T2.2 的行為指標", "in")))
    assert "hash-fake" not in CALIBRATED
    assert not vote.outside("天氣如何", lambda s: __import__("numpy").ones(4), "hash-fake")
    assert not vote.outside("天氣如何", None, next(iter(CALIBRATED)))  # no vectors: no vote


def test_the_vote_reads_meaning_and_words(e5) -> None:  # type: ignore[no-untyped-def]
    """Taken only on questions the model reads and the rest would answer; in-scope ones stay well below the margin."""
    needed = CALIBRATED[e5.model]
    for question in ("做資料倉儲規劃的人要懂哪些知識", "每天看 log 修 bug 的工作是哪一個任務"):
        found = e5.scope_margin(question)
        assert found is not None and found < needed, question
    assert e5.scope_margin("推薦一部好看的韓劇") is None  # outside already: nothing to vote on


def test_a_question_voted_outside_gets_no_citations(e5) -> None:  # type: ignore[no-untyped-def]
    """The gate itself: a near miss the rest answers (it shares the documents' words) is refused once labelled
    questions like it say it is outside."""
    question = "雲端服務當機時要怎麼跟客戶道歉"
    assert e5.ask(question).citations
    reader = e5._parts.reader
    shipped = reader.__dict__.pop("scope_vote", None)
    labelled = (("雲端服務當機時要怎麼跟客戶道歉", "out"), ("系統出包了要怎麼向客戶賠不是", "out"),
                ("當機道歉信怎麼寫", "out"), ("雲端系統開發工程人員要做哪些任務", "in"), ("哪些任務要寫測試報告", "in"),
                ("電商規劃人員的入門條件", "in"))
    reader.__dict__["scope_vote"] = ScopeVote(reader.mask, None, examples=labelled)
    try:
        answer = e5.ask(question)
    finally:
        reader.__dict__.pop("scope_vote")
        if shipped is not None:
            reader.__dict__["scope_vote"] = shipped
    assert not answer.citations and not answer.choices, answer.answer
