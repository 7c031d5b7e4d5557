"""Issue 22: results a person can put in front of a manager — the PDF report, a review that counts.

The PDF is read back with pypdfium2 (its text extracted, its pages rendered); reviews are stored as the
review flow stores them (review_links rows) and read back through the archive, on SQLite and on the
PostgreSQL of TEST_DATABASE_URL; the whole path runs once over the Telegram front (fake Bot API).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from bot.assessment import AssessmentResult, AssessmentService, EvidenceMatcher, pdfreport, quick_questions, report
from bot.assessment.result import Review, ReviewMark
from bot.assessment.scoring import with_review
from bot.services import build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.store import Database, review_links
from bot.testing.fakebotapi import FakeBotApi, running
from bot.testing.results import store_result
from index.catalog import Catalog
from index.embed import get_embedder
from tests.pdftext import pdf_text, squash
from tests.test_faults import fresh_postgres
from tests.test_report import fake_result

A4 = (595.28, 841.89)  # points
CLOUD = "ISD3512-001v3"
OWNER = 7001
DONE_AT = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)  # 10:30 in Taiwan


def cloud_result(catalog: Catalog) -> AssessmentResult:
    """Answers 3, 2, skip, 1, 0, 2, 3 on T1.1 … T2.5; examples on T1.1, T2.2 and T2.5 (tests/test_report.py)."""
    doc = catalog.get(CLOUD)
    return fake_result(doc, quick_questions(doc.duties))  # type: ignore[union-attr, arg-type]


def reviewed(catalog: Catalog, result: AssessmentResult, **ratings: int | None) -> AssessmentResult:
    """The result with a finished review: T2_2=3 sets T2.2's rating; a comment on T2.2."""
    marks = tuple(
        ReviewMark(code.replace("_", "."), rating, "帶過新人做整合測試" if code == "T2_2" else "")
        for code, rating in ratings.items()
    )
    return with_review(catalog.get(result.standard), result, Review("陳主管", "2026-11-25 10:30", marks))


# ====================================================================== a review that counts
def test_the_confirmed_rating_counts_in_the_overall_figures(catalog: Catalog) -> None:
    own = cloud_result(catalog)
    result = reviewed(catalog, own, T1_1=1, T2_2=3, T2_3=3, T2_4=None)
    assert own.final_overall == pytest.approx(11 / 6) and result.overall_mean == pytest.approx(11 / 6)
    assert result.final_overall == pytest.approx((1 + 2 + 3 + 3 + 2 + 3) / 6)  # T2.4 left unrated: its own 2
    assert result.overall == own.overall  # the self figure is kept beside the confirmed one
    assert result.final_duty_mean("T1") == pytest.approx(1.5) and result.duty_mean("T1") == pytest.approx(2.5)
    assert [gap.code for gap in result.gaps] == ["T1.1"]  # T2.2 and T2.3 were raised; T1.1 lowered
    assert result.strengths == ("T2.2", "T2.3", "T2.5")
    assert result.met_count == 5 and result.scored_count == 6
    assert {item.code for item in result.learning_plan().knowledge} == {"K01", "K02", "K03", "K04", "K05", "K06"}
    text = report.summary_text(result)
    assert "整體：審核後平均 2.3 分（介於「能獨立完成」與「能指導他人或改善做法」之間），自評平均 1.8 分；" in text
    assert "・T1 開發及測試可行性分析：審核後 1.5 分（自評 2.5 分）" in text


def test_the_chart_shows_self_beside_confirmed(catalog: Catalog) -> None:
    result = reviewed(catalog, cloud_result(catalog), T2_2=3)
    drawn = report.drawn_texts(report.build_chart(result))
    assert "自評 1 → 審核 3・有實例佐證" in drawn and "3 分・有實例佐證" in drawn  # T2.2 reviewed, T1.1 not
    assert "自評" in drawn and any(text.startswith("審核後：") for text in drawn)  # the key
    many = catalog.get("IIS3513-006v4")
    own = fake_result(many, quick_questions(many.duties))  # type: ignore[union-attr, arg-type]
    radar = reviewed(catalog, own, **{task.code.replace(".", "_"): 3 for task in own.tasks})
    labels = [line.get_label() for line in report.build_chart(radar).axes[0].get_lines()]
    assert "自評" in labels and "審核後" in labels


def test_one_learning_plan_names_each_item_once(catalog: Catalog) -> None:
    """INM3513-005 lists K and S for a whole duty: weak tasks of one duty share them, the plan lists them once."""
    doc = catalog.get("INM3513-005")
    result = fake_result(doc, quick_questions(doc.duties))  # type: ignore[union-attr, arg-type]
    plan = result.learning_plan()
    for items in (plan.knowledge, plan.skills):
        codes = [item.code for item in items]
        assert len(codes) == len(set(codes)) and all(item.text for item in items)
        assert [len(item.tasks) for item in items] == sorted((len(item.tasks) for item in items), reverse=True)
    shared = plan.knowledge[0]
    assert len(shared.tasks) > 1
    by_gap = {gap.code: {k.code for k in gap.knowledge} for gap in result.gaps}
    assert all(shared.code in by_gap[task] for task in shared.tasks)


# ====================================================================== the PDF
def test_the_pdf_holds_the_person_the_standard_every_task_and_the_plan(catalog: Catalog) -> None:
    result = cloud_result(catalog)
    content = pdfreport.pdf_report(result)
    text = pdf_text(content)
    assert "職能自評報告" in text and "測試者" in text and squash(f"雲端系統開發工程人員（{CLOUD}）") in text
    assert "2025-01-0108:00" in text and "尚未審核" in text
    for task in result.tasks:
        assert squash(f"{task.code} {task.title}") in text, task.code
    assert text.count("「負責過一次」") == 3  # the examples, quoted under their tasks
    assert squash("對應：P2.2.1 依軟體需求規格書制定測試條件及項目，並完成品質規格書") in text
    assert squash("1 分（在指導下做過）") in text and squash("有實例佐證") in text
    plan = text.split("學習計畫")[-1]
    assert "K09測試工具使用知識" in plan and plan.count("S11軟體測試能力") == 1
    assert squash("職能級別 3：5 項任務中 2 項已能獨立完成") in text


def test_the_pdf_is_a4_portrait_with_the_font_embedded(catalog: Catalog) -> None:
    content = pdfreport.pdf_report(cloud_result(catalog))
    assert b"/FontFile3" in content and b"/ToUnicode" in content  # the CFF outlines, and text that can be read
    document = pdfium.PdfDocument(content)
    try:
        assert len(document) >= 2
        for page in document:
            assert page.get_size() == pytest.approx(A4, abs=0.5)
            pixels = page.render(scale=0.5).to_numpy()
            assert pixels.std() > 10  # not blank
        assert document.get_metadata_dict()["Title"] == f"職能自評報告：雲端系統開發工程人員（{CLOUD}）"
    finally:
        document.close()


def test_the_pdf_says_who_reviewed_and_shows_both_ratings(catalog: Catalog) -> None:
    result = reviewed(catalog, cloud_result(catalog), T1_1=1, T2_2=3)
    text = pdf_text(pdfreport.pdf_report(result))
    assert squash("陳主管（2026-11-25 10:30 審核完成）") in text
    assert squash("審核後整體平均") in text and squash("自評整體平均") in text
    story = text.split("T2.2開發與測試")[-1]  # the last mention: the task's examples and comment
    assert story.startswith(squash("自評 1 分（在指導下做過） → 審核 3 分（能指導他人或改善做法）・有實例佐證"))
    assert squash("審核評語（陳主管）：「帶過新人做整合測試」") in story
    assert "K09" not in text.split("學習計畫")[-1]  # T2.2 is met after review: its K left the plan


def test_a_long_standard_lays_out_and_every_task_is_there(catalog: Catalog) -> None:
    doc = catalog.get("INM3513-005")
    own = fake_result(doc, quick_questions(doc.duties))  # type: ignore[union-attr, arg-type]
    result = reviewed(catalog, own, **{task.code.replace(".", "_"): 2 for task in own.tasks[::2]})
    text = pdf_text(pdfreport.pdf_report(result))
    assert all(squash(f"{task.code} {task.title}") in text for task in result.tasks)
    assert all(f"第{n}/" in text for n in (1, 2, 3))  # the pages are numbered


@pytest.mark.parametrize("seed", range(5))
def test_lines_break_between_characters_but_never_inside_a_code(seed: int) -> None:
    rng = random.Random(seed)
    words = ["K09", "P2.2.1", "測", "試", "工", "具", "，", "。", "「", "」", "（", "）", "ICT", "、", " "]
    text = "".join(rng.choice(words) for _ in range(300))
    pdf = pdfreport._Pdf("")
    pdf.add_page()
    pdf.style(pdfreport.BODY_SIZE)
    lines = pdfreport.wrap(pdf, text, 60)
    assert len(lines) > 3
    assert squash("".join(lines)) == squash(text)  # nothing lost, nothing added
    for n, line in enumerate(lines):
        assert pdf.get_string_width(line) <= 60 + 1e-6 or len(pdfreport._tokens(line)) == 1
        if n:  # (the text may itself start with a mark)
            assert line[:1] not in tuple("，。、」）")  # closing punctuation stays with what it closes
            assert lines[n - 1][-1:] not in tuple("「（")  # opening punctuation with what it opens
    for code in ("P2.2.1", "K09", "ICT"):
        assert text.count(code) == sum(line.count(code) for line in lines)


def test_the_35_task_standard_with_notes_and_review_is_a_valid_pdf(catalog: Catalog) -> None:
    doc = catalog.get("INM3513-005")
    own = fake_result(doc, quick_questions(doc.duties))  # type: ignore[union-attr, arg-type]
    content = pdfreport.pdf_report(reviewed(catalog, own, T1_1=0, T10_3=3))
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")


# ====================================================================== reviews read back from the database
@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
        database.create()
        yield database
        database.engine.dispose()
        return
    with fresh_postgres("results") as url:
        if url is None:
            pytest.skip("no TEST_DATABASE_URL")
        database = Database(url)
        database.create()
        yield database
        database.engine.dispose()


def store_review(db: Database, result_id: int, marks: dict[str, Any], status: str = "done",
                 reviewer: str = "陳主管", done_at: datetime | None = DONE_AT) -> None:
    """A review as the review flow (bot/sharing.py) leaves it in review_links."""
    with db.begin() as conn:
        conn.execute(review_links.insert().values(
            token_hash=f"test-{result_id}-{reviewer}-{status}", result_id=result_id, owner_id=OWNER,
            owner_chat_id=OWNER, reviewer_id=OWNER + 1, reviewer_name=reviewer, status=status, marks=marks,
            expires_at=DONE_AT, done_at=done_at if status == "done" else None))


def test_the_archive_attaches_the_latest_finished_review(db: Database, catalog: Catalog) -> None:
    service = AssessmentService(catalog, db, EvidenceMatcher(get_embedder("fake")))
    result_id = store_result(db, catalog, CLOUD, OWNER, "王小明", random.Random(5))
    own = service.results(OWNER)[0]
    assert own.review is None
    store_review(db, result_id, {task.code: {"rating": 0, "comment": ""} for task in own.tasks}, reviewer="林經理")
    store_review(db, result_id, {task.code: {"rating": 3, "comment": "很可靠"} for task in own.tasks})
    store_review(db, result_id, {task.code: {"rating": 1, "comment": ""} for task in own.tasks}, status="taken",
                 reviewer="還在審")
    result = service.results(OWNER)[0]
    assert result.review is not None and result.review.reviewer == "陳主管"  # the later finished one
    assert result.review.date == "2026-11-25 10:30" and result.final_overall == 3
    assert result.overall_mean == own.overall_mean and not result.gaps

    history = service.history(OWNER)[0].text
    assert "已審核（陳主管，2026-11-25 10:30）：審核後平均 3 分" in history
    assert f"自評平均 {report.score_text(own.overall_mean)}" in history

    replies = service.report(OWNER)
    files = dict(reply.document for reply in replies if reply.document)
    assert [name.rsplit(".", 1)[1] for name in files] == ["pdf", "md", "csv"]
    assert "陳主管" in replies[0].text and all(reply.text for reply in replies)  # a caption for every file
    assert squash("陳主管（2026-11-25 10:30 審核完成）") in pdf_text(replies[0].document[1])  # type: ignore[index]
    chart = next(reply for reply in replies if reply.photo)  # redrawn: self beside confirmed
    assert "陳主管" in chart.text and chart.photo.startswith(b"\x89PNG")  # type: ignore[union-attr]
    markdown = next(content for name, content in files.items() if name.endswith(".md")).decode()
    assert "- 審核：陳主管（2026-11-25 10:30 審核完成）" in markdown and "- 審核評語（陳主管）：「很可靠」" in markdown


def test_a_mark_that_is_not_a_rating_leaves_the_self_rating(db: Database, catalog: Catalog) -> None:
    service = AssessmentService(catalog, db, EvidenceMatcher(get_embedder("fake")))
    result_id = store_result(db, catalog, CLOUD, OWNER, "王小明", random.Random(5))
    tasks = service.results(OWNER)[0].tasks
    store_review(db, result_id, {tasks[0].code: {"rating": 7}, tasks[1].code: {"rating": None, "comment": "再看看"},
                                 tasks[2].code: "not a mark"})
    result = service.results(OWNER)[0]
    assert result.final_mean(tasks[0]) == tasks[0].mean and result.final_mean(tasks[1]) == tasks[1].mean
    assert result.comment(tasks[1].code) == "再看看"


# ====================================================================== over the Telegram front
TOKEN = "424242:AAH-fake_TokenForResultsTests-2468"


@pytest.fixture
def settings(tmp_path: Path, api: FakeBotApi) -> Settings:
    return Settings(
        BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="fake", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_POLL_TIMEOUT=1,
        BOT_CORPUS_DIR=SHIPPED_CORPUS, DATABASE_URL=None, WEBHOOK_URL=None, BOT_USER_RATE_PER_MINUTE=0,
    ).model_copy(update={"telegram_base_url": api.base_url, "telegram_base_file_url": api.base_file_url})


async def test_the_owner_sees_the_review_in_report_and_history(settings: Settings, api: FakeBotApi) -> None:
    from tests.test_telegram_assessment import answer, plain, say, start_quick

    chat = OWNER
    services = build_services(settings)
    async with running(services):
        prompt = await start_quick(api, chat)
        for _ in range(7):
            prompt = await answer(api, prompt, 1)
        summary = plain(prompt)
        assert "・T2.2 開發與測試：在指導下做過" in summary and "%" not in summary
        result = services.assessments.results(chat)[0]
        store_review(services.db, result.id, {"T1.1": {"rating": 3, "comment": "可以帶人了"}})

        mark = api.mark()
        api.push_message("/report", chat)
        documents = await api.wait_for("sendDocument", since=mark, count=3)
        name, content = documents[0].files["document"]
        assert name.endswith(".pdf") and "陳主管" in plain(documents[0])
        # the chart again, self beside confirmed (the one sent when the assessment ended may still be on its way)
        chart = (await api.wait_for("sendPhoto", since=mark, where=lambda c: "陳主管" in plain(c)))[0]
        assert chart.files["photo"][1].startswith(b"\x89PNG")
        text = pdf_text(content)
        assert squash("自評 1 分（在指導下做過） → 審核 3 分（能指導他人或改善做法）") in text
        assert squash("審核後整體平均") in text and "「可以帶人了」" in text

        history = await say(api, "/history", chat, where=lambda c: "自評紀錄" in plain(c))
        assert "已審核（陳主管" in plain(history)
    services.db.engine.dispose()
