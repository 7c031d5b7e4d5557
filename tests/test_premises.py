"""Issue 21, false premises in the shapes people state them: two things claimed at once, "only", a count or a level of
several tasks, a duty named by its place, a task said to use an item, a requirement said not to be there, a name
written next to its code, and a premise about one code before a question about another. Each answer says whether
the claim holds and points to where the claimed thing is. Asked of the bundled e5 model, as people ask."""

from __future__ import annotations

import pytest

from index.catalog import Catalog
from tests.test_advice import CLOUD, INTEGRATION, SHOP, real


def _first_line(text: str) -> str:
    """The verdict: the line after the standard's header."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[1] if lines and lines[0].startswith(("【", "[")) else lines[0]


@pytest.mark.parametrize(("question", "std", "verdict", "cited"), [
    # two things claimed, one of them right: which one, and where the other is
    ("雲端開發 T2.5 的產出是異常處理紀錄表跟維護紀錄表對嗎", CLOUD, "不是全部都對", {"O2.5.2", "O2.4.1"}),
    # "only" one output, when there are two
    ("雲端開發 T2.2 的產出只有測試報告對嗎", CLOUD, "不是只有", {"O2.2.1", "O2.2.2"}),
    # how many a task lists
    ("系統整合 v4 的 T2.1 只有一項工作產出吧", INTEGRATION, "不是", {"O2.1.5"}),
    # several tasks' level at once, and every task's
    ("雲端開發工程人員的 T2.2 跟 T2.3 都是級別 4 吧", CLOUD, "不是", {"T2.2", "T2.3"}),
    ("系統整合工程人員的任務都是 5 級吧", INTEGRATION, "對", {"T1.1", "T3.1"}),
    # a duty named by its place
    ("T2.1 屬於雲端開發的第一個職責對吧", CLOUD, "不是", {"T2.1", "T2"}),
    ("雲端系統開發的第二個職責是開發及測試可行性分析吧", CLOUD, "不是", {"T2", "T1"}),
    # a task said to use an item it does not use: which tasks do
    ("雲端系統開發工程人員 T2.3 要用到 K15 程式語言知識吧", CLOUD, "不是", {"K15", "T2.4"}),
    # a requirement said not to be there, when it is
    ("雲端開發人員不用會版本控制吧", CLOUD, "不是", {"S18"}),
    ("電商規劃人員應該不需要寫程式吧", SHOP, "不是", {"S11"}),
    # the name written next to a code is what the question takes it to be
    ("A07 彈性是系統整合工程人員要的態度嗎", INTEGRATION, "不是", {"A07", "A06"}),
    # Cantonese: 「啱唔啱」 after a claim asks whether it is right
    ("系統整合嗰份嘅 S01 係溝通技能啱唔啱", INTEGRATION, "對", {"S01"}),
    # English: a count, a level heard of, a partly glossed claim
    ("The cloud standard has 10 tasks, right?", CLOUD, "No", {CLOUD}),
    ("I heard T2.3 of the cloud one is level 4", CLOUD, "No", {"T2.3"}),
    ("Is K03 in the cloud standard about cloud products?", CLOUD, "Yes", {"K03"}),
    # a duty's subject with words around it (「…相關的職責」), a recollection doubted, an attitude called a skill
    ("電商規劃人員的 T3 是資料倉儲相關的職責對吧", SHOP, "對", {"T3", "T3.4"}),
    ("T2.5 的產出是使用者問題紀錄表，我沒記錯吧（雲端開發）", CLOUD, "不是", {"T2.5", "O2.5.1"}),
    ("系統整合的 A05 是溝通能力吧", INTEGRATION, "不是", {"A05", "S01"}),
    # the entry requirements claimed, and writing a thing claimed of a task that only reads it
    ("系統整合工程人員的入門條件不用經驗吧", INTEGRATION, "不是", {INTEGRATION}),
    ("雲端開發的入門條件要碩士學歷吧", CLOUD, "入門條件", {CLOUD}),
    ("雲端開發的 T2.3 是寫測試報告對吧", CLOUD, "不是", {"T2.3", "O2.2.2"}),
    # another task's title claimed of a task: that task named; a category told after its name; English "of the developer"
    ("雲端開發的 T1.2 是評估應用可行性對嗎", CLOUD, "不是", {"T1.2", "T1.1"}),
    ("雲端開發的職類是 ISD 吧", CLOUD, "對", {CLOUD}),
    ("Is T2.3 of the cloud developer about writing test reports?", CLOUD, "No", {"T2.3", "O2.2.2"}),
])
def test_a_claim_is_checked_and_the_claimed_thing_found(e5, catalog: Catalog, question: str, std: str, verdict: str,  # type: ignore[no-untyped-def]
                                                        cited: set[str]) -> None:
    answer = real(e5.ask(question), catalog)
    assert _first_line(answer.answer).startswith(verdict), answer.answer
    assert {c.standard for c in answer.citations} == {std}, answer.answer
    assert cited <= {c.code for c in answer.citations}, answer.answer


def test_a_claim_that_names_nothing_printed_points_to_the_closest_item(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("ISD3512-001v3 的 T2.5 是開發新功能吧"), catalog)
    assert _first_line(answer.answer).startswith("不是")
    assert "T2.4" in {c.code for c in answer.citations}, "維護或新增功能 is the closest, and said to be"


def test_a_requirement_another_standard_prints_is_pointed_to(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("電商規劃人員也要會用除錯工具吧"), catalog)
    assert (CLOUD, "S15") in {(c.standard, c.code) for c in answer.citations}, answer.answer


def test_a_true_claim_about_a_task_is_not_agreed_with_by_a_shared_word(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("電商規劃 T3.2 的產出應該是資料倉儲使用者介面"), catalog)
    assert _first_line(answer.answer).startswith("不是"), "資料倉儲規格書 is not 資料倉儲使用者介面"
    assert "O3.4.1" in {c.code for c in answer.citations}


def test_a_premise_about_one_code_before_a_question_about_another(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("既然電商規劃人員的 S08 是程式撰寫能力，T2.3 還要哪些技能"), catalog)
    correction, asked = answer.answer.split("\n\n", 1)
    assert "不是" in correction and "S11" in correction, "S08 is 軟體開發能力; 程式撰寫能力 is S11"
    assert "T2.3" in asked and "S05" in asked and "用於" not in asked, "then T2.3's skills, without S08 again"


def test_an_unknown_code_is_answered_with_the_codes_of_its_sort(e5) -> None:  # type: ignore[no-untyped-def]
    answer = e5.ask("雲端開發有 A08 追求卓越嗎")
    assert "A01–A07" in answer.answer and not answer.citations


def test_the_level_a_premise_states_filters_nothing_in_the_question_after_it(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    answer = real(e5.ask("既然 T2.5 是 4 級，它的知識有哪些", standard=CLOUD), catalog)
    correction, asked = answer.answer.split("\n\n", 1)
    assert "不是" in correction and "3" in correction
    assert {c.code for c in answer.citations} >= {"K12", "K13"} and "T1.1" not in asked, "T2.5's knowledge, no level-4 list"


def test_what_a_code_means_asked_in_english_is_no_claim(e5, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    """"What does S08 mean for the cloud system developer?" asks; "mean for the …" is no claim to deny."""
    answer = real(e5.ask("What does S08 mean for the cloud system developer?"), catalog)
    assert answer.intent != "claim" and not answer.answer.splitlines()[1].startswith("No")
    assert (CLOUD, "S08") in {(c.standard, c.code) for c in answer.citations}
