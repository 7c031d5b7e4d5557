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
    assert {c.standard for c in answer.citations} == {CLOUD}  # the second question, "which code", is S18 itself
    assert [c.code for c in answer.citations if c.code[:1] in "KSA"] == ["S18"]


@pytest.mark.parametrize(("typed", "read"), [
    ("電商規劃人員的入門條見", "電商規劃人員的入門條件"), ("T2.3 的行為指票", "T2.3 的行為指標"), ("工作產初有哪些", "工作產出有哪些"),
    ("基準級數是幾級", "基準級別是幾級"),
    ("工作內容是什麼", "工作內容是什麼"), ("工作產出跟工作任務", "工作產出跟工作任務"), ("入門課程推薦", "入門課程推薦"),
])
def test_a_field_name_typed_with_one_character_wrong_is_read_as_the_field(typed: str, read: str) -> None:
    from retrieval.normalize import clean_question

    assert clean_question(typed) == read


@pytest.mark.parametrize(("question", "std", "output", "task"), [
    ("哪個任務要交成本效益分析", SHOP, "O4.4.1", "T4.4"),
    ("Which task produces a cost-benefit analysis?", SHOP, "O4.4.1", "T4.4"),
    ("雲端開發哪個任務要寫需求規格書", CLOUD, "O2.1.1", "T2.1"),  # the end of 軟體需求規格書 that says what it is
])
def test_the_task_whose_output_a_question_names(e5, catalog: Catalog, question: str, std: str, output: str,  # type: ignore[no-untyped-def]
                                                task: str) -> None:
    answer = real(e5.ask(question), catalog)
    assert [(c.standard, c.code) for c in answer.citations][:2] == [(std, output), (std, task)], answer.answer


def test_a_word_shorter_than_an_output_names_none(e5) -> None:  # type: ignore[no-untyped-def]
    assert e5.ask("哪些任務的產出是報告").intent != "reverse"


@pytest.mark.parametrize(("question", "most", "count"), [
    ("哪一份標準的任務最多", SHOP, "21"), ("Which standard has the most tasks?", SHOP, "21"),
    ("哪一份職能基準的技能最多", "INM3513-005v4", "29"),
])
def test_the_standard_with_the_most_of_a_sort(e5, question: str, most: str, count: str) -> None:  # type: ignore[no-untyped-def]
    answer = e5.ask(question)
    first = answer.answer.splitlines()[0]
    assert most in first and count in first and len(answer.citations) >= 4, answer.answer


@pytest.mark.parametrize("question", ["電商規劃 T4 的任務都需要哪些技能",
                                      "What skills are shared by all tasks in duty T4 of the e-commerce planner?"])
def test_what_every_task_of_a_duty_needs(e5, catalog: Catalog, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask(question), catalog)
    assert {c.code for c in answer.citations} == {"T4", "S05", "S12"}, answer.answer


@pytest.mark.parametrize("question", ["Compare the attitudes of the cloud developer and the system integration engineer",
                                      "比較系統整合和雲端的態度", "When were the system integration and cloud standards last updated?"])
def test_a_standard_with_an_older_version_told_with_another_names_both(e5, question: str) -> None:  # type: ignore[no-untyped-def]
    assert {"INM3513-005v4", CLOUD} <= {c.standard for c in e5.ask(question).citations}


def test_two_tasks_compared_side_by_side_with_what_they_share(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("系統整合 T2.2 跟 T2.3 差在哪"), catalog)
    assert {c.standard for c in answer.citations} == {"INM3513-005v4"}, "never the same codes of other standards"
    text = answer.answer
    assert text.index("T2.2 監督安裝") < text.index("T2.3 監督應用程式") and "K14 主從架構概念" in text
    assert "只有 T2.3 需要的" in text and "K17 執行備份與還原的程序" in text.split("只有 T2.3 需要的")[1]


def test_two_tasks_in_several_standards_are_asked_which(e5) -> None:  # type: ignore[no-untyped-def]
    answer = e5.ask("T2.2 跟 T2.3 有什麼不同")
    assert len(answer.choices) >= 2 and not answer.citations


def test_how_many_tasks_and_each_ones_outputs(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("電商規劃人員的 T3 底下有幾個任務，各要交什麼"), catalog)
    assert "6" in answer.answer.splitlines()[1] and {"O3.2.1", "O3.4.1", "O3.5.1"} <= {c.code for c in answer.citations}


@pytest.mark.parametrize(("question", "cited"), [
    ("哪些標準有要求英文能力", set()),  # no standard names English: said so, nothing cited
    ("Which standards require version control skills?", {(CLOUD, "S18")}),
])
def test_a_requirement_asked_of_every_standard(e5, catalog: Catalog, question: str, cited: set[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask(question), catalog)
    assert {(c.standard, c.code) for c in answer.citations} == cited, answer.answer


# ---------------------------------------------------------------- advice: how far, starting out, "most like"
@pytest.mark.parametrize(("question", "std", "years_line"), [
    ("我做了兩年客服，想轉雲端開發，還差多少", CLOUD, "沒有寫年資"),
    ("How far am I from the system integration standard? I've done helpdesk for 2 years", "INM3513-005v4", "2 years"),
    ("我是會計，想轉做系統整合，差距大嗎", "INM3513-005v4", ""),
])
def test_how_far_a_person_is_from_a_standard(e5, catalog: Catalog, question: str, std: str, years_line: str) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask(question), catalog)
    assert answer.intent == "learning_plan" and {c.standard for c in answer.citations} == {std}, answer.answer
    assert years_line in answer.answer and any(c.code.startswith("T") for c in answer.citations)


def test_a_newcomer_is_pointed_to_a_standard_asking_no_years(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("我是剛畢業的資管系學生，只有做過專題網站，應該從哪一份開始？"), catalog)
    assert answer.intent == "career_fit" and answer.citations[0].standard == CLOUD
    assert "不要求工作年資" in answer.answer.splitlines()[0]


def test_work_told_without_i_and_asked_what_it_is_most_like(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("做了三年機房管理，主要是裝設備、拉線、備份，還有跟廠商聯絡，想知道跟哪個職能最像"), catalog)
    assert answer.intent == "career_fit" and answer.citations[0].standard == "INM3513-005v4"
