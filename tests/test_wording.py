"""Issue 21, this stop: work told in everyday words the documents spell otherwise (「審計」 for 稽核, 「上課」 for 教育
訓練), and requirements asked in English ("does … need version control skills?"). Asked of the bundled e5 model."""

from __future__ import annotations

import pytest

from index.catalog import Catalog
from retrieval.normalize import everyday
from tests.test_advice import CLOUD, SHOP, UNIT, real


@pytest.mark.parametrize(("text", "words"), [
    ("之後審計的時候查得到", ["稽核"]),
    ("上線前先幫大家上課", ["教育訓練"]),
    ("Which tasks deal with an audit trail?", ["稽核"]),
    ("I debug code all day", []),  # "bug" only as a word of its own
    ("系統上線前要先測試", []),
])
def test_everyday_words_are_given_the_documents_words(text: str, words: list[str]) -> None:
    assert everyday(text) == words


@pytest.mark.parametrize(("question", "std", "code"), [
    ("系統的每次異動都要留紀錄，方便日後審計", SHOP, "P5.2.3"),
    ("Which tasks deal with an audit trail?", SHOP, "P5.2.3"),
    ("新系統上線前先幫大家上課，教他們怎麼用", UNIT, "工作任務五"),
])
def test_work_told_in_everyday_words_finds_the_item(e5, catalog: Catalog, question: str, std: str, code: str) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask(question), catalog)
    assert (std, code) in {(c.standard, c.code) for c in answer.citations[:5]}, answer.answer


def test_a_requirement_asked_in_english_is_checked_in_the_documents_words(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("Does a cloud system developer need version control skills? Which skill code is that?"), catalog)
    assert answer.intent == "claim" and answer.answer.splitlines()[1].startswith("Yes"), answer.answer
    assert [(c.standard, c.code) for c in answer.citations] == [(CLOUD, "S18")]
