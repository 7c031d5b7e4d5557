"""Result rendering: the chart (real PNG, Chinese glyphs present), Markdown report and CSV files."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.image import imread
from matplotlib.text import Text

from bot.assessment import (
    AssessmentResult,
    Note,
    Question,
    build_result,
    deep_questions,
    quick_questions,
    report,
    section_questions,
)
from bot.assessment.result import DutyResult
from index.catalog import Catalog
from index.model import Document, Unit
from prompts import raw

DATA = Path(__file__).resolve().parents[1] / "data" / "standards"
PATTERN = (3, 2, None, 1, 0, 2, 3)  # answers given in turn; None is a skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load(DATA)


def fake_result(doc: Document, questions: list[Question], scope: str = "quick") -> AssessmentResult:
    """Answers in PATTERN; every third question has an example, which shows its first candidate item."""
    scores = {index: PATTERN[index % len(PATTERN)] for index in range(len(questions))}
    notes = [
        Note(index, "example", "負責過一次", tuple(code for code, _ in questions[index].candidates[:1]))
        for index in range(0, len(questions), 3)
    ]
    return build_result(
        doc,
        questions,
        scores,
        notes,
        id=7,
        standard=doc.code,
        title=doc.title,
        kind=doc.kind,
        scope=scope,
        scope_label=scope,
        user_id=99,
        user_name="測試者",
        finished_at="2025-01-01T00:00:00+00:00",
        date="2025-01-01 08:00",
    )


def every_result(catalog: Catalog) -> list[AssessmentResult]:
    """A result for every scope of every document: quick, each duty, each 職能單元 section."""
    results = []
    for doc in catalog.documents.values():
        if isinstance(doc, Unit):
            results += [fake_result(doc, section_questions(doc, s), f"section:{s.id}") for s in doc.sections]
            continue
        results.append(fake_result(doc, quick_questions(doc.duties)))
        results += [fake_result(doc, deep_questions(d), f"duty:{d.code}") for d in doc.duties]
    return results


def png_pixels(content: bytes) -> np.ndarray:
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    return imread(io.BytesIO(content), format="png")


# ====================================================================== chart
def test_the_chart_font_is_a_registered_cjk_font() -> None:
    path = report.cjk_font_path()
    properties = report.chart_font()
    assert properties.get_family() == ["Noto Sans TC"]
    assert Path(font_manager.findfont(properties, fallback_to_default=False)) == path
    assert report.missing_glyphs("職能基準小幫手各主要職責得分達標線未計分（）％%") == set()
    assert report.missing_glyphs("\U000f0000") == {"\U000f0000"}  # the check can fail


def test_every_character_drawn_has_a_glyph_in_the_chart_font(catalog: Catalog) -> None:
    path = report.cjk_font_path()
    drawn = ""
    for result in every_result(catalog):
        figure = report.build_chart(result)
        FigureCanvasAgg(figure).draw()  # tick labels made while drawing are included
        for text in figure.findobj(Text):
            if text.get_text():
                assert Path(font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)) == path
        drawn += "".join(report.drawn_texts(figure))
    assert "雲端系統開發工程人員" in drawn and "工作任務一" in drawn
    assert report.missing_glyphs(drawn, path) == set()


def test_radar_for_three_or_more_duties_bars_otherwise(catalog: Catalog) -> None:
    many = fake_result(catalog.get("IIS3513-006v4"), quick_questions(catalog.get("IIS3513-006v4").duties))  # type: ignore[union-attr, arg-type]
    few = fake_result(catalog.get("ISD3512-001v3"), quick_questions(catalog.get("ISD3512-001v3").duties))  # type: ignore[union-attr, arg-type]
    assert report.build_chart(many).axes[0].name == "polar"
    bars = report.build_chart(few).axes[0]
    assert bars.name == "rectilinear"
    assert [label.get_text() for label in bars.get_yticklabels()][0] == "T1.1 評估應用可行性"
    notes = report.drawn_texts(report.build_chart(few))
    assert "3 分・有實例佐證" in notes and "2 分・僅自評" in notes and "略過未答" in notes  # the flag beside a bar
    assert not any("%" in text for text in notes)  # the 0–3 scale in its own words, not a percentage of it
    assert any("能獨立完成" in text for text in notes)  # the scale's words under the axis
    radar = report.build_chart(many)
    FigureCanvasAgg(radar).draw()
    assert any("實例佐證 1/" in text for text in report.drawn_texts(radar))  # how many of a duty's tasks are backed


@pytest.mark.parametrize("code", ["IIS3513-006v4", "ISD3512-001v3"])
def test_chart_is_a_real_non_blank_png(catalog: Catalog, code: str) -> None:
    doc = catalog.get(code)
    pixels = png_pixels(report.chart_png(fake_result(doc, quick_questions(doc.duties))))  # type: ignore[union-attr, arg-type]
    height, width = pixels.shape[:2]
    assert height > 400 and width > 400
    grey = pixels[..., :3].mean(axis=2)
    assert grey.std() > 0.05  # not a blank page
    assert (grey < 0.5).mean() > 0.005  # something dark (text, lines) is drawn


def test_a_result_with_everything_skipped_still_draws(catalog: Catalog) -> None:
    doc = catalog.get("ISD3512-001v3")
    questions = quick_questions(doc.duties)  # type: ignore[union-attr, arg-type]
    result = build_result(doc, questions, {}, id=1, standard=doc.code, title=doc.title)  # type: ignore[union-attr]
    assert result.overall is None and result.answered == 0
    assert png_pixels(report.chart_png(result)).size
    assert "無法計分" in report.summary_text(result)


# ====================================================================== summary, Markdown and CSV
def test_summary_speaks_plain_words_with_names(catalog: Catalog) -> None:
    doc = catalog.get("ISD3512-001v3")
    result = fake_result(doc, quick_questions(doc.duties))  # type: ignore[union-attr, arg-type]
    text = report.summary_text(result)
    # answers 3,2,skip,1,0,2,3 on T1.1 … T2.5: the mean of the six answered is 11/6
    assert "整體：平均 1.8 分（介於「在指導下做過」與「能獨立完成」之間）；已答 6/7 題，略過 1 題。" in text
    assert "已能獨立完成的任務：4/6 項。" in text
    assert "強項（能指導他人或改善做法）：T1.1 評估應用可行性、T2.5 解決使用者問題" in text
    assert "・T2.2 開發與測試：在指導下做過" in text and "・T2.3 偵錯與修正問題：尚未做過" in text
    assert "略過未答的任務：T2.1 確認系統功能需求規格" in text
    assert "職能級別 4：2 項任務都已能獨立完成。" in text
    assert "職能級別 3：5 項任務中 2 項已能獨立完成，還差 T2.1 確認系統功能需求規格、T2.2 開發與測試、T2.3 偵錯與修正問題。" in text
    # one plan: S11 is listed by both weak tasks, so it leads and is named once
    assert "・S11 軟體測試能力（2 項待加強任務需要）" in text and text.count("S11") == 1
    assert "・K09 測試工具使用知識（1 項待加強任務需要）" in text
    assert "・有實例佐證：T1.1 評估應用可行性、T2.2 開發與測試、T2.5 解決使用者問題" in text
    assert "%" not in text and "尚無任何一個職能級別" not in text and "學習 K" not in text


@pytest.mark.parametrize("code", ["ISD3512-001v3", "INM3513-005", "IIS3513-006v4", "IIS4R0751v2"])
def test_every_code_in_the_summary_comes_with_its_name(catalog: Catalog, code: str) -> None:
    """A code is followed by its name (「K09 測試工具使用知識」), never listed bare (「K09、K10」)."""
    doc = catalog.get(code)
    questions = section_questions(doc, doc.sections[0]) if isinstance(doc, Unit) else quick_questions(doc.duties)  # type: ignore[union-attr, arg-type]
    text = report.summary_text(fake_result(doc, questions))  # type: ignore[arg-type]
    codes = list(re.finditer(r"(?<![A-Za-z0-9.-])([TKSPO](?:\d+(?:\.\d+)*|[一二三四五六七八九十]+))(?![\d.])", text))
    assert codes, text
    for found in codes:
        after = text[found.end():found.end() + 2]
        assert after.startswith(" ") and after[1:] not in "、；，）" and not after[1:].isascii(), (found.group(), text)


def test_levels_are_worded_for_what_is_met(catalog: Catalog) -> None:
    doc = catalog.get("ISD3512-001v3")
    questions = quick_questions(doc.duties)  # type: ignore[union-attr, arg-type]
    low = build_result(doc, questions, dict.fromkeys(range(len(questions)), 1), id=1, standard=doc.code, title=doc.title)  # type: ignore[union-attr]
    assert "職能級別 4：2 項任務都還不到「能獨立完成」（T1.1 評估應用可行性、T1.2 擬訂應用可行方案）。" in report.summary_text(low)


@pytest.mark.parametrize(("mean", "words"), [
    (2.0, "2 分（能獨立完成）"), (1.5, "1.5 分（介於「在指導下做過」與「能獨立完成」之間）"),
    (0.0, "0 分（尚未做過）"), (2.96, "3 分（能指導他人或改善做法）"), (None, "略過未答"),
])
def test_a_rating_in_words(mean: float | None, words: str) -> None:
    assert report.rating_text(mean) == words


def test_markdown_report_holds_the_whole_result_and_evidence(catalog: Catalog) -> None:
    doc = catalog.get("ISD3512-001v3")
    result = fake_result(doc, quick_questions(doc.duties))  # type: ignore[union-attr, arg-type]
    markdown = report.markdown_report(result)
    assert markdown.startswith("# 職能自評報告：雲端系統開發工程人員（ISD3512-001v3）")
    assert "| T2.2 | 開發與測試 | 3 | 1/1 | 1 分（在指導下做過） | 否 | 有實例佐證 | P2.2.1 |" in markdown
    assert "| T2.1 | 確認系統功能需求規格 | 3 | 0/1 | 略過未答 | 未計分 | — |  |" in markdown
    assert "- K09 測試工具使用知識（T2.2 開發與測試）" in markdown
    assert "- S11 軟體測試能力（T2.2 開發與測試、T2.3 偵錯與修正問題）" in markdown
    assert "- O2.2.2 測試報告（T2.2 開發與測試）" in markdown
    assert markdown.count("- 例子：「負責過一次」") == 3  # questions 1, 4 and 7, quoted under their tasks
    examples = markdown.split("## 各任務的實例與審核評語")[1].split("\n## ")[0]
    assert examples.index("### T1.1") < examples.index("### T2.2") < examples.index("### T2.5")
    assert "### T2.2 開發與測試\n\n- 自評 1 分（在指導下做過）・有實例佐證" in examples
    assert "  - 對應：P2.2.1 依軟體需求規格書制定測試條件及項目，並完成品質規格書" in examples
    assert "受評者：王小明" not in markdown and "受評者：測試者" in markdown and "審核：尚未審核" in markdown


def test_markdown_escapes_table_pipes() -> None:
    result = AssessmentResult(id=1, standard="X", title="X", duties=(DutyResult("T1", "甲|乙", 50.0),))
    assert "甲\\|乙" in report._duty_table(result)


def test_answers_csv_has_one_row_per_question(catalog: Catalog) -> None:
    doc = catalog.get("IIS4R0751v2")
    section = doc.sections[0]  # type: ignore[union-attr]
    result = fake_result(doc, section_questions(doc, section), "section:工作任務一")  # type: ignore[arg-type]
    content = report.answers_csv(result)
    assert content.startswith("\ufeff".encode())  # spreadsheet programs read it as UTF-8
    records = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert records[0] == raw("assessment.report.csv_header")
    assert [record[1] for record in records[1:]] == [item.code for item in section.items]
    assert records[3][4:6] == ["", "略過"]
    assert records[1][2] == result.tasks[0].title != records[1][1]  # the task's name: its code has a column
    assert records[1][6:8] == ["負責過一次", "工作任務一-1"] and records[2][6:8] == ["", ""]
    assert result.unit_knowledge[0].code == "K一"


def test_answers_csv_names_the_task_of_each_question(catalog: Catalog) -> None:
    doc = catalog.get("ISD3512-001v3")
    result = fake_result(doc, quick_questions(doc.duties))  # type: ignore[union-attr, arg-type]
    records = list(csv.reader(io.StringIO(report.answers_csv(result).decode("utf-8-sig"))))
    assert [record[1:3] for record in records[1:3]] == [["T1.1", "評估應用可行性"], ["T1.2", "擬訂應用可行方案"]]


def test_team_csv_has_a_row_per_person_and_task(catalog: Catalog) -> None:
    doc = catalog.get("ISD3512-001v3")
    result = fake_result(doc, quick_questions(doc.duties))  # type: ignore[union-attr, arg-type]
    other = replace(result, user_id=2)
    records = list(csv.reader(io.StringIO(report.team_csv([result, other]).decode("utf-8-sig"))))
    assert records[0] == raw("assessment.report.team_header")
    assert len(records) == 1 + 2 * 7
    assert records[1][:3] == ["99", "測試者", "ISD3512-001v3"] and records[8][0] == "2"
    assert records[1][11:] == ["有實例佐證", "P1.1.1", "", ""] and records[2][11:] == ["僅自評", "", "", ""]
    assert records[1][7:10] == [
        "T1.1",
        "評估應用可行性",
        "100.0",
    ]
    assert records[3][9] == ""  # T2.1 all skipped: no score, not zero


def test_long_task_titles_are_clipped_not_dropped() -> None:
    assert report.clip("確保系統使用者文件的產製並取得簽核與後續維護", 10) == "確保系統使用者文件…"
    assert report.clip("需求分析", 10) == "需求分析"
