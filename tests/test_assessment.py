"""Self-assessment: scoring arithmetic and whole conversations through AssessmentService (buttons and typing)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.assessment import (
    MAX_QUESTIONS,
    AssessmentService,
    EvidenceMatcher,
    Question,
    deep_questions,
    gaps,
    level_readiness,
    overall_percent,
    quick_questions,
    score_duties,
    score_tasks,
    section_questions,
    strengths,
)
from bot.replies import Button, Reply
from bot.store import Database, answers, assessments, evidence_notes
from index.catalog import Catalog
from index.embed import get_embedder
from index.model import Standard, Unit
from prompts import raw, t

DATA = Path(__file__).resolve().parents[1] / "data" / "standards"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
USER, CHAT = 1001, 2001
OTHER_USER = 1002
CLOUD = "ISD3512-001v3"


# ====================================================================== fixtures and helpers
@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(DATA)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.create()
    yield database
    database.engine.dispose()


@pytest.fixture(scope="module")
def matcher() -> EvidenceMatcher:
    """The hashing embedder: these tests are about the conversation, not the quality of the matching."""
    return EvidenceMatcher(get_embedder("fake"))


@pytest.fixture
def service(catalog: Catalog, db: Database, matcher: EvidenceMatcher) -> AssessmentService:
    return AssessmentService(catalog, db, matcher)


def buttons(replies: list[Reply]) -> list[Button]:
    return [button for reply in replies for row in reply.buttons for button in row]


def data_of(replies: list[Reply]) -> list[str]:
    return [button.data for button in buttons(replies)]


def answer_base(replies: list[Reply]) -> str:
    """'as:a:<id>:<q>' of the question on screen (the last reply with answer buttons)."""
    found = [d for d in data_of(replies) if d.startswith("as:a:")]
    assert found, [r.text for r in replies]
    return found[-1].rsplit(":", 1)[0]


def start_quick(service: AssessmentService, code: str = CLOUD, user: int = USER, name: str = "") -> list[Reply]:
    menu = service.begin(user, CHAT, code, user_name=name)
    assert f"as:q:{code}" in data_of(menu)
    return service.on_button(user, CHAT, f"as:q:{code}")


def answer(service: AssessmentService, replies: list[Reply], value: int | str, user: int = USER) -> list[Reply]:
    return service.on_button(user, CHAT, f"{answer_base(replies)}:{value}")


def typed(service: AssessmentService, text: str, user: int = USER) -> list[Reply]:
    replies = service.on_text(user, CHAT, text)
    assert replies is not None, f"{text!r} was taken for a lookup"
    return replies


def awaiting(service: AssessmentService, user: int = USER) -> bool:
    active = service.records.active(user)
    return active is not None and active.awaiting is not None


def skip_prompts(service: AssessmentService, replies: list[Reply], user: int = USER) -> list[Reply]:
    """Press 略過 on the example prompt and on any follow-up."""
    while awaiting(service, user):
        skip = next(d for d in data_of(replies) if d.startswith("as:e:"))
        replies = service.on_button(user, CHAT, skip)
    return replies


def answer_rows(db: Database, user: int = USER) -> list[dict]:
    with db.begin() as conn:
        rows = conn.execute(
            select(answers)
            .join(assessments, assessments.c.id == answers.c.assessment_id)
            .where(assessments.c.user_id == user)
            .order_by(answers.c.question_index)
        ).mappings()
        return [dict(row) for row in rows]


def note_rows(db: Database) -> list[dict]:
    with db.begin() as conn:
        return [dict(row) for row in conn.execute(select(evidence_notes).order_by(evidence_notes.c.id)).mappings()]


def q(task: str, duty: str = "T1", level: int | None = 3, code: str | None = None) -> Question:
    return Question(
        code=code or task, kind="task", text=task, task=task, task_title=task, duty=duty, duty_title=duty, level=level
    )


# ====================================================================== scoring (pure functions)
QUESTIONS = [
    q("T1.1", code="P1.1.1"),
    q("T1.1", code="P1.1.2"),
    q("T1.2", level=4),
    q("T2.1", duty="T2", code="P2.1.1"),
    q("T2.1", duty="T2", code="P2.1.2"),
    q("T2.2", duty="T2", level=4),
]


def test_task_score_is_the_mean_of_answered_questions_and_skips_do_not_count() -> None:
    scores = {0: 3, 1: 1, 2: 2, 3: None, 4: 3}  # question 5 never answered
    tasks = {task.code: task for task in score_tasks(QUESTIONS, scores)}
    assert tasks["T1.1"].mean == 2 and tasks["T1.1"].percent == pytest.approx(200 / 3)
    assert (tasks["T1.1"].answered, tasks["T1.1"].asked) == (2, 2)
    assert tasks["T2.1"].mean == 3 and tasks["T2.1"].percent == 100  # the skip is not a zero
    assert tasks["T2.1"].answered == 1 and tasks["T2.1"].asked == 2
    assert tasks["T2.2"].mean is None and tasks["T2.2"].percent is None and not tasks["T2.2"].met


def test_duty_and_overall_scores_average_scored_tasks_only() -> None:
    tasks = score_tasks(QUESTIONS, {0: 3, 1: 1, 2: 0, 3: None, 4: 3, 5: None})
    duties = {duty.code: duty.percent for duty in score_duties(QUESTIONS, tasks)}
    assert duties["T1"] == pytest.approx((200 / 3 + 0) / 2)
    assert duties["T2"] == pytest.approx(100)  # T2.2 has no score and does not pull it down
    assert overall_percent(tasks) == pytest.approx((200 / 3 + 0 + 100) / 3)
    assert overall_percent(score_tasks(QUESTIONS, {i: None for i in range(6)})) is None


def test_readiness_strengths_and_gaps() -> None:
    tasks = score_tasks(QUESTIONS, {0: 2, 1: 2, 2: 1, 3: 3, 4: 3, 5: 3})
    readiness = {level.level: level for level in level_readiness(tasks)}
    assert readiness[3].met and readiness[3].tasks == ("T1.1", "T2.1")
    assert not readiness[4].met and readiness[4].unmet == ("T1.2",)
    assert [task.code for task in strengths(tasks)] == ["T2.1", "T2.2"]
    assert [task.code for task in gaps(tasks)] == ["T1.2"]


def test_a_level_with_an_unscored_task_is_not_met() -> None:
    tasks = score_tasks(QUESTIONS, {0: 3, 1: 3, 2: 3, 3: None, 4: None, 5: 3})
    readiness = {level.level: level for level in level_readiness(tasks)}
    assert not readiness[3].met and readiness[3].unmet == ("T2.1",)
    assert readiness[4].met
    assert "T2.1" not in [task.code for task in gaps(tasks)]  # no score is not a gap


# ====================================================================== questions per scope
def test_quick_assessment_asks_one_question_per_task(catalog: Catalog) -> None:
    for code, expected in ((CLOUD, 7), ("IIS3513-006v4", 21)):
        standard = catalog.get(code)
        assert isinstance(standard, Standard)
        questions = quick_questions(standard.duties)
        assert len(questions) == expected
        assert [question.task for question in questions] == [task.code for task in standard.tasks]


def test_every_scope_of_every_document_stays_within_the_limit(catalog: Catalog) -> None:
    for doc in catalog.documents.values():
        if isinstance(doc, Unit):
            sizes = [len(section_questions(doc, section)) for section in doc.sections]
        else:
            sizes = [len(deep_questions(duty)) for duty in doc.duties]
            if len(doc.tasks) <= MAX_QUESTIONS:
                sizes.append(len(quick_questions(doc.duties)))
        assert sizes and all(0 < size <= MAX_QUESTIONS for size in sizes), doc.code


def test_deep_questions_follow_the_indicators_of_one_duty(catalog: Catalog) -> None:
    standard = catalog.get(CLOUD)
    assert isinstance(standard, Standard)
    questions = deep_questions(standard.duty("T2"))  # type: ignore[arg-type]
    assert len(questions) == 12
    by_code = {question.code: question for question in questions}
    assert by_code["P2.2.1"].task == "T2.2"
    assert "依軟體需求規格書制定測試條件及項目，並完成品質規格書" in by_code["P2.2.1"].text
    assert by_code["P2.2.1"].outputs == ("O2.2.1 品質規格書", "O2.2.2 測試報告")
    assert [code for code, _ in by_code["P2.2.1"].candidates] == ["P2.2.1", "P2.2.2", "O2.2.1", "O2.2.2"]
    assert by_code["P2.2.2"].focus == ("P2.2.2",)  # a deep question is about its own indicator first


# ====================================================================== a whole quick assessment
def test_whole_quick_assessment_ends_in_summary_chart_report_and_csv(service: AssessmentService, db: Database) -> None:
    replies = start_quick(service, name="王小明")
    first = replies[-1].text
    assert "第 1/7 題" in first and "T1.1" in first and "評估應用可行性" in first
    assert "O1.1.1" in first
    labels = [button.label for button in replies[-1].buttons[0] + replies[-1].buttons[3]]
    assert labels == ["0 尚未做過", "3 能指導他人或改善做法"]

    plan: list[int | str] = [3, 2, 1, 0, "s", 2, 1]
    for number, value in enumerate(plan, start=1):
        assert f"第 {number}/7 題" in replies[-1].text
        replies = answer(service, replies, value)
        if value in (2, 3):
            assert replies[-1].text.startswith("請舉一次你實際做「") and awaiting(service)
            replies = typed(service, f"第 {number} 題的一次經驗")
            replies = skip_prompts(service, replies)

    summary, chart = replies[-2], replies[-1]
    assert CLOUD in summary.text and "T2.2" in summary.text
    assert "已答 6/7 題，略過 1 題" in summary.text
    assert re.search(r"・K\d+ \S+（\d 項待加強任務需要）", summary.text)  # what to learn, each K named
    assert chart.photo is not None and chart.photo.startswith(PNG_SIGNATURE)
    assert not service.has_active(USER)

    rows = answer_rows(db)
    assert [row["score"] for row in rows] == [3, 2, 1, 0, None, 2, 1]
    examples = [row for row in note_rows(db) if row["kind"] == "example"]
    assert [(row["question_index"], row["text"]) for row in examples] == [
        (0, "第 1 題的一次經驗"),
        (1, "第 2 題的一次經驗"),
        (5, "第 6 題的一次經驗"),
    ]
    with db.begin() as conn:
        stored = conn.execute(select(assessments.c.result, assessments.c.status)).one()
    assert stored.status == "done" and stored.result["version"] == 2
    tasks = {task["code"]: task for task in stored.result["tasks"]}
    assert tasks["T1.1"]["mean"] == 3 and tasks["T2.3"]["mean"] is None
    assert tasks["T1.1"]["flag"] == "above_evidence" and tasks["T1.2"]["flag"] == "above_evidence"
    assert tasks["T2.1"]["flag"] == "self_only" and tasks["T2.3"]["flag"] is None
    assert stored.result["user_name"] == "王小明" and stored.result["user_id"] == USER

    report_replies = service.on_button(USER, CHAT, data_of([summary])[0])
    documents = dict(reply.document for reply in report_replies if reply.document)
    markdown = next(content for name, content in documents.items() if name.endswith(".md")).decode()
    assert "# 職能自評報告：雲端系統開發工程人員（ISD3512-001v3）" in markdown
    assert "K09 測試工具使用知識" in markdown and "「第 6 題的一次經驗」" in markdown
    table = next(content for name, content in documents.items() if name.endswith(".csv"))
    records = list(csv.reader(io.StringIO(table.decode("utf-8-sig"))))
    assert records[0] == raw("assessment.report.csv_header")
    assert [record[1] for record in records[1:]] == ["T1.1", "T1.2", "T2.1", "T2.2", "T2.3", "T2.4", "T2.5"]
    assert records[5][4] == "" and records[1][4] == "3" and records[1][6] == "第 1 題的一次經驗"


def test_a_quick_assessment_by_typing_alone(service: AssessmentService) -> None:
    """Digits, scale labels (whole or part), full-width digits and the skip word answer the question."""
    replies = start_quick(service)
    for number, (words, score) in enumerate(
        [("0", 0), ("能獨立完成", 2), ("在指導下", 1), ("２", 2), ("略過", None), ("指導他人", 3), ("尚未做過", 0)],
        start=1,
    ):
        assert f"第 {number}/7 題" in replies[-1].text
        replies = typed(service, words)
        if score is not None and score >= 2:
            replies = typed(service, "略過")  # the example prompt
    assert "已答 6/7 題，略過 1 題" in replies[-2].text and replies[-1].photo is not None
    assert [row["score"] for row in answer_rows(service.db)] == [0, 2, 1, 2, None, 3, 0]


def test_a_stray_message_keeps_the_place(service: AssessmentService) -> None:
    start_quick(service)
    replies = typed(service, "1")
    assert "第 2/7 題" in replies[-1].text
    stray = typed(service, "今天天氣不錯")
    assert stray[0].text == t("assessment.clarify.ask_0", code="T1.2", title="擬訂應用可行方案")  # a short question
    assert [b.data for b in buttons(stray)][:4] == [f"{answer_base(stray)}:{score}" for score in range(4)]
    again = typed(service, "4")
    assert again[0].text == t("assessment.clarify.ask_1") != stray[0].text  # never the same twice in a row
    assert typed(service, "嗯")[0].text == stray[0].text
    assert service.on_text(USER, CHAT, "T2.2 的行為指標是什麼？") is None  # a lookup: the engine answers it
    assert service.on_text(USER, CHAT, "ISD3512-001v3 的級別") is None
    assert "第 2/7 題｜T1.2" in service.restate(USER)[-1].text
    assert [row["score"] for row in answer_rows(service.db)] == [1]  # nothing was taken for an answer


def test_a_message_after_the_last_answer_finishes_an_unfinished_result(service: AssessmentService) -> None:
    start_quick(service)
    active = service.records.active(USER)
    assert active is not None
    service.records.move(active, position=len(active.questions))  # as if the process stopped before the result
    replies = typed(service, "2")
    assert replies[-1].photo is not None and not service.has_active(USER)


def test_typed_back_skip_and_cancel(service: AssessmentService) -> None:
    replies = start_quick(service)
    assert typed(service, "上一題")[0].text == t("assessment.first_question")
    typed(service, "1")
    replies = typed(service, "回上一題")
    assert "第 1/7 題" in replies[-1].text and "你先前的回答：1 在指導下做過" in replies[-1].text
    replies = typed(service, "3")  # a new answer: its example prompt
    assert awaiting(service)
    replies = typed(service, "上一題")  # from the prompt back to its question
    assert not awaiting(service) and "第 1/7 題" in replies[-1].text
    typed(service, "3")
    replies = typed(service, "1")  # a bare digit on the example prompt changes the answer
    assert not awaiting(service) and "第 2/7 題" in replies[-1].text
    replies = typed(service, "跳過")
    assert "第 3/7 題" in replies[-1].text
    asked = typed(service, "中止")[0]
    assert CLOUD in asked.text and [b.data for row in asked.buttons for b in row][1].startswith("as:xd:")
    assert CLOUD in typed(service, "確認放棄已答的題目")[0].text and not service.has_active(USER)
    assert service.on_text(USER, CHAT, "2") is None  # nothing open: the engine answers it as a question


def test_an_example_is_read_against_the_indicators_and_followed_up_once_in_quick(service: AssessmentService) -> None:
    start_quick(service)
    typed(service, "3")
    replies = typed(service, "我蒐集雲端產品資訊，做了比較")
    assert replies[0].text.startswith("你的例子對應 P1.1.1")
    follow_up = replies[-1].text
    assert follow_up.startswith("追問：") and "P1.1.2" in follow_up  # the indicator the example did not show
    assert any(d.startswith("as:e:") for d in data_of(replies))  # skippable
    replies = typed(service, "後來我自己把三家的雲端產品資料彙整起來分析，寫成可行性分析報告交給主管")
    assert replies[0].text.startswith("你的補充對應") and "P1.1.2" in replies[0].text
    assert "第 2/7 題" in replies[-1].text  # one follow-up per task in 快速評估
    asked = [row for row in note_rows(service.db) if row["kind"] == "follow_up"]
    assert len(asked) == 1 and asked[0]["target"] == "P1.1.2" and asked[0]["status"] == "given"


def test_an_example_that_shows_nothing_is_asked_for_its_story(service: AssessmentService) -> None:
    start_quick(service)
    typed(service, "2")
    replies = typed(service, "我們團隊做過")
    assert replies[0].text == t("assessment.evidence.none")
    assert replies[-1].text == t("assessment.follow_up.situation")
    replies = typed(service, "略過")
    assert "第 2/7 題" in replies[-1].text
    assert [row["status"] for row in note_rows(service.db)] == ["given", "skipped"]


def test_deep_assessment_follows_up_at_most_twice_per_task(service: AssessmentService) -> None:
    service.begin(USER, CHAT, CLOUD)
    replies = service.on_button(USER, CHAT, f"as:dd:{CLOUD}:T1")
    assert "第 1/5 題｜P1.1.1" in replies[-1].text
    typed(service, "3")
    first = typed(service, "我們團隊做過")[-1].text
    second = typed(service, "上個月在公司的雲端導入專案")[-1].text
    assert first.startswith("追問：") and second.startswith("追問：") and first != second
    replies = typed(service, "略過")
    assert "第 2/5 題｜P1.1.2" in replies[-1].text
    typed(service, "2")
    replies = typed(service, "我彙整及分析雲端產品資料")
    assert "第 3/5 題" in replies[-1].text  # T1.1's two follow-ups are used up
    assert sum(1 for row in note_rows(service.db) if row["kind"] == "follow_up") == 2


def test_flags_in_the_result(service: AssessmentService) -> None:
    start_quick(service)
    typed(service, "3")
    typed(service, "我蒐集雲端產品資訊，做了比較")
    typed(service, "略過")  # the follow-up
    typed(service, "2")
    typed(service, "我們團隊做過")
    typed(service, "略過")
    for _ in range(5):
        typed(service, "1")
    result = service.results(USER)[0]
    by_code = {task.code: task for task in result.tasks}
    assert by_code["T1.1"].flag == "backed" and [c.code for c in by_code["T1.1"].shown] == ["P1.1.1"]
    assert "蒐集雲端產品資訊" in by_code["T1.1"].shown[0].text
    assert by_code["T1.2"].flag == "above_evidence" and by_code["T1.2"].notes[0].text == "我們團隊做過"
    assert by_code["T2.1"].flag == "self_only"
    summary = service.report(USER)
    markdown = dict(r.document for r in summary if r.document)
    text = next(v for k, v in markdown.items() if k.endswith(".md")).decode()
    assert "| T1.1 | 評估應用可行性 | 4 | 1/1 | 3 分（能指導他人或改善做法） | 是 | 有實例佐證 | P1.1.1 |" in text
    assert "### T1.1 評估應用可行性\n\n- 自評 3 分（能指導他人或改善做法）・有實例佐證" in text
    assert "- 例子：「我蒐集雲端產品資訊，做了比較」" in text and "  - 對應：P1.1.1 依組織要求" in text


def test_back_lets_the_person_change_an_answer(service: AssessmentService, db: Database) -> None:
    replies = start_quick(service)
    replies = answer(service, replies, 1)
    replies = answer(service, replies, 0)
    assert "第 3/7 題" in replies[-1].text
    back = next(d for d in data_of(replies) if d.startswith("as:b:"))
    replies = service.on_button(USER, CHAT, back)
    assert "第 2/7 題" in replies[-1].text and "你先前的回答：0 尚未做過" in replies[-1].text
    replies = answer(service, replies, 3)
    assert awaiting(service)
    replies = service.on_button(USER, CHAT, data_of(replies)[-1])  # 略過 the example
    assert "第 3/7 題" in replies[-1].text
    assert [row["score"] for row in answer_rows(db)] == [1, 3]


def test_back_on_the_first_question_stays_there(service: AssessmentService) -> None:
    replies = start_quick(service)
    assert not any(d.startswith("as:b:") for d in data_of(replies))
    aid = answer_base(replies).split(":")[2]
    replies = service.on_button(USER, CHAT, f"as:b:{aid}:0")
    assert "第 1/7 題" in replies[-1].text


def test_an_old_button_changes_nothing(service: AssessmentService, db: Database) -> None:
    replies = start_quick(service)
    old = answer_base(replies)
    replies = answer(service, replies, 0)
    stale = service.on_button(USER, CHAT, f"{old}:3")
    assert stale[0].text == t("assessment.stale_button") and "第 2/7 題" in stale[-1].text
    assert [row["score"] for row in answer_rows(db)] == [0]


def test_resume_after_a_restart_restates_the_question_before_the_prompt(
    catalog: Catalog, service: AssessmentService, db_url: str, matcher: EvidenceMatcher
) -> None:
    replies = start_quick(service)
    replies = answer(service, replies, 1)
    replies = answer(service, replies, 2)  # now waiting for the example

    restarted = AssessmentService(catalog, Database(db_url), matcher)  # a new process over the same database
    assert restarted.has_active(USER) and awaiting(restarted)
    replies = restarted.resume(USER, CHAT)
    assert replies[0].text.startswith("第 2/7 題｜T1.2") and "你先前的回答：2 能獨立完成" in replies[0].text
    assert replies[-1].text.startswith("請舉一次你實際做「擬訂應用可行方案」")
    replies = restarted.on_text(USER, CHAT, "帶領團隊完成可行性方案")
    assert replies is not None
    replies = skip_prompts(restarted, replies)
    assert "第 3/7 題" in replies[-1].text

    again = AssessmentService(catalog, Database(db_url), matcher)
    assert "第 3/7 題" in again.resume(USER, CHAT)[-1].text
    assert [row["text"] for row in note_rows(again.db) if row["kind"] == "example"] == ["帶領團隊完成可行性方案"]


def test_one_active_assessment_per_person(service: AssessmentService) -> None:
    start_quick(service)
    offer = service.begin(USER, CHAT, "IIS3513-006v4")
    assert data_of(offer) == ["as:rs", "as:rn:IIS3513-006v4"]
    assert "第 1/7 題" in service.on_button(USER, CHAT, "as:rs")[-1].text
    restarted = service.on_button(USER, CHAT, "as:rn:IIS3513-006v4")
    assert "as:q:IIS3513-006v4" in data_of(restarted)
    assert not service.has_active(USER)


def test_cancel_asks_first_and_ends_the_assessment_only_when_confirmed(service: AssessmentService) -> None:
    start_quick(service)
    asked = service.cancel(USER)
    assert CLOUD in asked[0].text and service.has_active(USER)
    discard = next(d for d in data_of(asked) if d.startswith("as:xd:"))
    assert CLOUD in service.on_button(USER, CHAT, discard)[0].text
    assert not service.has_active(USER)
    assert service.cancel(USER)[0].text == t("assessment.nothing_active")


def test_begin_without_a_standard_offers_current_ones_only(service: AssessmentService) -> None:
    menu = data_of(service.begin(USER, CHAT, None))
    assert "as:std:ISD3512-001v3" in menu and "as:std:IIS4R0751v2" in menu
    assert "as:std:INM3513-005" not in menu  # historical: only when named
    named = service.begin(USER, CHAT, "INM3513-005")
    assert "INM3513-005v4" in named[0].text  # says which version is current


def test_the_engine_begin_button_opens_the_scope_menu(service: AssessmentService) -> None:
    replies = service.on_button(USER, CHAT, f"as:begin:{CLOUD}")
    assert data_of(replies) == [f"as:q:{CLOUD}", f"as:d:{CLOUD}"]


def test_more_than_25_tasks_asks_to_tick_duties(service: AssessmentService) -> None:
    replies = start_quick(service, "INM3513-005")
    assert not service.has_active(USER)
    ticks = data_of(replies)
    assert ticks[0] == "as:qt:INM3513-005:0:0" and ticks[-1] == "as:qs:INM3513-005"
    assert "as:qp:INM3513-005:1" in ticks  # ten duties: two pages
    replies = service.on_button(USER, CHAT, "as:qs:INM3513-005")
    assert replies[0].text == t("assessment.nothing_selected")
    for part in range(8):
        replies = service.on_button(USER, CHAT, f"as:qt:INM3513-005:{part}:0")
    assert replies[0].edit and "✅ T1" in replies[0].buttons[0][0].label
    replies = service.on_button(USER, CHAT, "as:qs:INM3513-005")
    assert not service.has_active(USER) and "29" in replies[0].text  # T1–T8: 29 tasks, over the limit
    for part in (1, 3, 4, 5, 6, 7):  # untick: T1 and T3 are left
        service.on_button(USER, CHAT, f"as:qt:INM3513-005:{part}:0")
    page = service.on_button(USER, CHAT, "as:qp:INM3513-005:1")
    assert page[0].edit and "as:qt:INM3513-005:8:1" in data_of(page) and "as:qp:INM3513-005:0" in data_of(page)
    replies = service.on_button(USER, CHAT, "as:qs:INM3513-005")
    assert service.has_active(USER) and "第 1/7 題" in replies[-1].text and "快速評估（T1、T3）" in replies[0].text


def test_deep_assessment_of_one_duty(service: AssessmentService) -> None:
    service.begin(USER, CHAT, CLOUD)
    duties = service.on_button(USER, CHAT, f"as:d:{CLOUD}")
    assert data_of(duties) == [f"as:dd:{CLOUD}:T1", f"as:dd:{CLOUD}:T2"]
    replies = service.on_button(USER, CHAT, f"as:dd:{CLOUD}:T2")
    for _ in range(3):
        replies = answer(service, replies, 0)
    text = replies[-1].text
    assert "第 4/12 題" in text and "P2.2.1" in text and "T2.2 開發與測試" in text
    assert "在工作中，你是否曾依軟體需求規格書制定測試條件及項目，並完成品質規格書？" in text


def test_unit_section_assessment(service: AssessmentService) -> None:
    menu = service.begin(USER, CHAT, "IIS4R0751v2")
    assert "as:u:IIS4R0751v2:工作任務二" in data_of(menu)
    replies = service.on_button(USER, CHAT, "as:u:IIS4R0751v2:工作任務二")
    assert "第 1/2 題" in replies[-1].text and "工作任務二-1" in replies[-1].text
    replies = answer(service, replies, 1)
    replies = answer(service, replies, 0)
    assert replies[-1].photo is not None
    assert "工作任務二-1" in replies[-2].text and "K一" in replies[-2].text  # the unit's knowledge to learn


def test_forget_removes_every_row_of_that_person_only(service: AssessmentService, db: Database) -> None:
    replies = start_quick(service, name="甲")
    for _ in range(7):
        replies = answer(service, replies, 1)
    start_quick(service, "IIS3513-006v4", name="甲")
    typed(service, "2")
    typed(service, "我研究過電子商務相關的法律")
    other = start_quick(service, user=OTHER_USER)
    answer(service, other, 1, user=OTHER_USER)

    reply = service.forget(USER)
    assert "2" in reply[0].text
    assert answer_rows(db) == [] and not service.has_active(USER) and note_rows(db) == []
    with db.begin() as conn:
        mine = conn.execute(select(func.count()).where(assessments.c.user_id == USER)).scalar_one()
    assert mine == 0
    assert len(answer_rows(db, OTHER_USER)) == 1 and service.has_active(OTHER_USER)
    assert service.report(USER)[0].text == t("assessment.report.none_yet")


def test_history_report_and_team_export(service: AssessmentService) -> None:
    for user, name, value in ((USER, "甲", 3), (OTHER_USER, "乙", 0)):
        replies = start_quick(service, user=user, name=name)
        for _ in range(7):
            replies = answer(service, replies, value, user=user)
            replies = skip_prompts(service, replies, user)

    history = service.history(USER)
    report_buttons = [d for d in data_of(history) if d.startswith("as:rep:")]
    assert len(report_buttons) == 1 and "自評平均 3 分" in history[0].text and "已審核" not in history[0].text
    mine = int(report_buttons[0].split(":")[2])
    assert service.report(OTHER_USER, mine)[0].text == t("assessment.report.not_found")
    assert service.report(USER, mine)[0].document is not None

    export = service.team_export()
    name, content = export[0].document  # type: ignore[misc]
    records = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    header = raw("assessment.report.team_header")
    assert len(records) == 14 and name.endswith(".csv")
    assert {record[header[1]] for record in records} == {"甲", "乙"}
    first = records[0]
    assert first[header[2]] == CLOUD and first[header[7]] == "T1.1" and first[header[9]] == "100.0"
    assert first[header[11]] == "僅自評" and first[header[0]] == str(USER)


def test_unknown_or_malformed_buttons_are_answered_politely(service: AssessmentService) -> None:
    for data in (
        "as:zz",
        "as:a:x:y:z",
        "as:dd:NOPE:T1",
        "as:rep:abc",
        "as:u:IIS4R0751v2:工作任務九",
        "as:qt:INM3513-005:-1:0",
        "as:qt:INM3513-005:99:0",
        "as:dd:ISD3512-001v3:T1:5",
        "as:sp:x",
    ):
        replies = service.on_button(USER, CHAT, data)
        assert replies and replies[0].text, data


# ====================================================================== callback data limits
def _walk_buttons(service: AssessmentService, doc_code: str) -> list[str]:
    """Every button a person can reach for one document: menus and the questions of every scope."""
    seen: list[str] = []
    menu = service.begin(USER, CHAT, doc_code)
    seen += data_of(menu)
    starts = [d for d in data_of(menu) if d.startswith(("as:u:", "as:q:"))]
    if f"as:d:{doc_code}" in data_of(menu):
        duties = service.on_button(USER, CHAT, f"as:d:{doc_code}")
        seen += data_of(duties)
        starts += [d for d in data_of(duties) if d.startswith("as:dd:")]
    for start in starts:
        replies = service.on_button(USER, CHAT, start)
        seen += data_of(replies)
        if not service.has_active(USER):  # the tick menu: tick the first part and start
            seen += data_of(service.on_button(USER, CHAT, data_of(replies)[0]))
            replies = service.on_button(USER, CHAT, data_of(replies)[-1])
            seen += data_of(replies)
        while service.has_active(USER):
            replies = answer(service, replies, 3)
            seen += data_of(replies)
            if awaiting(service):
                replies = typed(service, "經驗")
                seen += data_of(replies)
                replies = skip_prompts(service, replies)
                seen += data_of(replies)
    seen += data_of(service.history(USER))
    return seen


def test_callback_data_is_short_and_stable_for_every_document(service: AssessmentService, catalog: Catalog) -> None:
    for doc in catalog.documents.values():
        seen = _walk_buttons(service, doc.code)
        assert seen and all(d.startswith(("as:", "rv:share:")) for d in seen)  # the summary offers a review
        longest = max(seen, key=lambda d: len(d.encode()))
        assert len(longest.encode()) < 64, longest
