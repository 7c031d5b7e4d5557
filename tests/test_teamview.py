"""Issue 22: a team view that reads at a glance — the heatmap, the tasks to work on, the workbook HR works in."""

from __future__ import annotations

import io
import random

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.image import imread
from openpyxl import load_workbook

from bot import teamview
from bot.teamview import Cell, Comment, MemberRow, Sheet
from index.catalog import Catalog
from prompts import raw, t

CLOUD = "ISD3512-001v3"


def team_sheet(catalog: Catalog, code: str, members: int, seed: int = 1) -> Sheet:
    """Random ratings (a few unanswered), every third member's confirmed by a reviewer."""
    doc = catalog.get(code)
    rng = random.Random(seed)
    sheet = Sheet(doc.code, doc.title, [(task.code, task.title) for task in doc.tasks])  # type: ignore[union-attr]
    for n in range(members):
        cells = {}
        for task, _ in sheet.tasks:
            value = rng.choice((0, 1, 1, 2, 2, 3, None))
            cells[task] = Cell(None if value is None else float(value), n % 3 == 0 and value is not None)
        sheet.rows.append(MemberRow(f"成員{n + 1:02d}", "2026-11-24 09:00", cells))
    return sheet


def fixed_sheet(catalog: Catalog, ratings: dict[str, list[float | None]], confirmed: bool = False) -> Sheet:
    doc = catalog.get(CLOUD)
    sheet = Sheet(doc.code, doc.title, [(task.code, task.title) for task in doc.tasks])  # type: ignore[union-attr]
    people = len(next(iter(ratings.values())))
    for n in range(people):
        cells = {code: Cell(values[n], confirmed) for code, values in ratings.items()}
        sheet.rows.append(MemberRow(f"成員{n + 1}", "2026-11-24 09:00", cells))
    return sheet


# ====================================================================== the heatmap
@pytest.mark.parametrize(("code", "members"), [(CLOUD, 1), (CLOUD, 5), ("INM3513-005", 50)])
def test_the_heatmap_has_a_rating_in_every_cell_and_a_sensible_size(catalog: Catalog, code: str, members: int) -> None:
    sheet = team_sheet(catalog, code, members)
    figure = teamview.heatmap("資訊部", sheet)
    FigureCanvasAgg(figure).draw()
    axes = figure.axes[0]
    columns = members + (1 if members > 1 else 0)  # the team average, when there is a team
    written = sum(len(c.get_paths()) for c in axes.collections if isinstance(c, PathCollection))
    assert written == columns * len(sheet.tasks)  # a rating (or a dash) in every cell
    frames = sum(len(c.get_paths()) for c in axes.collections if isinstance(c, PolyCollection))
    assert frames == sum(1 for row in sheet.rows for cell in row.cells.values() if cell.confirmed)
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert [label.replace("\n", "") for label in labels][0].startswith(f"{sheet.tasks[0][0]} {sheet.tasks[0][1][:8]}")
    key = [text.get_text() for text in figure.legends[0].get_texts()]
    assert [k.split(" ", 1)[1] for k in key[:4]] == [raw("assessment.scale")[str(n)] for n in range(4)]
    assert t("teamview.key_empty") in key and t("teamview.key_confirmed") in key
    pixels = imread(io.BytesIO(teamview.heatmap_png("資訊部", sheet)), format="png")
    height, width = pixels.shape[:2]
    assert 400 <= width <= 2600 and 400 <= height <= 2600  # Telegram shows it; a phone can zoom into it
    assert 1 / 3 <= width / height <= 3  # neither stripes nor a ribbon
    cell_pixels = teamview._layout(columns, len(sheet.tasks), 6).cell * teamview.DPI
    assert cell_pixels >= 30  # a cell keeps room for its number


def test_the_standard_with_most_members_comes_first(catalog: Catalog) -> None:
    small, large = team_sheet(catalog, CLOUD, 1), team_sheet(catalog, "IIS3513-006v4", 5)
    assert [sheet.code for sheet in teamview.ordered([small, large])] == ["IIS3513-006v4", CLOUD]


# ====================================================================== the tasks to work on
def test_weak_tasks_rank_by_how_many_members_are_below_independent(catalog: Catalog) -> None:
    sheet = fixed_sheet(catalog, {"T1.1": [0, 0, 2], "T2.2": [1, 1, 1], "T2.5": [3, 3, 3]})
    ranked = teamview.weak_tasks(sheet)
    assert [(task.code, task.weak) for task in ranked] == [("T2.2", 3), ("T1.1", 2), ("T2.5", 0)]
    assert teamview.weakest(sheet, 1) == [("T2.2", "開發與測試", 1.0, 3)]


def test_tips_come_from_each_weak_tasks_own_knowledge_and_skills(catalog: Catalog) -> None:
    doc = catalog.get(CLOUD)
    sheet = fixed_sheet(catalog, {"T2.2": [1, 0, 1], "T2.3": [0, 0, 1], "T1.1": [0, 1, 3]})
    text = teamview.team_summary("資訊部", sheet, doc)
    lines = text.splitlines()
    assert "T2.2 開發與測試：3/3 人還不到能獨立完成（平均 0.7 分）" in text
    for code in ("T2.2", "T2.3", "T1.1"):
        task = doc.task(code)  # type: ignore[union-attr]
        tips = lines[next(i for i, line in enumerate(lines) if line.startswith(f"・{code} ")) + 1]
        named = [part.split(" ")[0] for part in tips.split("：", 1)[1].split("、")]
        assert named and set(named) <= {*task.knowledge, *task.skills}, (code, tips)
        assert not named[0].startswith("K01")  # 職業安全 is listed by most tasks: it does not lead
    assert len({line for line in lines if line.startswith("　")}) == 3  # each task its own tips


def test_a_team_with_nothing_to_improve_is_told_so(catalog: Catalog) -> None:
    sheet = fixed_sheet(catalog, {"T1.1": [3, 2]})
    assert t("teamview.summary_none") in teamview.team_summary("資訊部", sheet, catalog.get(CLOUD))


# ====================================================================== the workbook
def test_the_workbook_keeps_numbers_numbers_and_says_where_they_came_from(catalog: Catalog) -> None:
    sheet = fixed_sheet(catalog, {"T1.1": [1, 3, None], "T1.2": [2, 0, 1]})
    sheet.rows[0] = MemberRow("=HYPERLINK(\"http://x\")", "2026-11-24 09:00",
                              {"T1.1": Cell(1.0, True), "T1.2": Cell(2.0, False)})
    sheet.comments.append(Comment("=HYPERLINK(\"http://x\")", "T1.1", "評估應用可行性", 2.0, 1, "+再練習", "陳主管"))
    book = load_workbook(io.BytesIO(teamview.workbook_bytes([sheet])))
    assert book.sheetnames == [f"{CLOUD} 雲端系統開發工程人員", t("teamview.comments_sheet"), t("teamview.legend_sheet")]
    page = book.worksheets[0]
    rows = list(page.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("成員", "完成日期", "T1.1\n評估應用可行性") and header[-2:] == ("個人平均", "來源")
    assert all(cell.font.b for cell in page[1]) and page.freeze_panes == "C2"
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")" and page["A2"].data_type == "s"  # never a formula
    assert rows[1][1].year == 2026  # a date cell, sortable
    first, second = page["C2"], page["D2"]
    assert isinstance(first.value, int | float) and first.font.b and not first.font.i  # confirmed
    assert isinstance(second.value, int | float) and second.font.i and not second.font.b  # self-rated
    assert rows[1][-1] == t("teamview.source_confirmed", confirmed=1, rated=2) and rows[2][-1] == t("teamview.source_self")
    ratings = [value for row in rows[1:] for value in row[2:9] if value is not None]
    assert ratings and all(isinstance(value, int | float) for value in ratings)
    average = rows[-1]
    assert average[0] == t("teamview.average_row") and average[2] == 2 and average[3] == 1  # (1+3)/2, (2+0+1)/3
    assert page["C5"].font.b and page.column_dimensions["A"].width >= 14 and page.column_dimensions["C"].width >= 10
    assert page.conditional_formatting and page.auto_filter.ref == "A1:K4"
    comments = list(book[t("teamview.comments_sheet")].iter_rows(values_only=True))
    assert comments[1][0].startswith("'=") and comments[1][6] == "'+再練習" and comments[1][4:6] == (2, 1)
    legend = [row[0] for row in book[t("teamview.legend_sheet")].iter_rows(values_only=True)]
    assert "粗體" in legend and "斜體灰字" in legend and 3 in legend


def test_sheet_names_fit_excel(catalog: Catalog) -> None:
    used: set[str] = set()
    long = teamview._sheet_title("INM3513-005 系統整合工程人員：[舊版]/含*?所有\\職責與任務的很長很長的名稱", used)
    again = teamview._sheet_title("INM3513-005 系統整合工程人員：[舊版]/含*?所有\\職責與任務的很長很長的名稱", used)
    quoted = teamview._sheet_title("'評語'", used)
    for title in (long, again, quoted):
        assert len(title) <= 31 and not set(title) & set("[]:*?/\\") and not title.startswith("'")
    assert long != again and again.endswith("-2")
    sheets = [team_sheet(catalog, CLOUD, 2), team_sheet(catalog, CLOUD, 3)]
    book = load_workbook(io.BytesIO(teamview.workbook_bytes(sheets)))
    assert len(set(book.sheetnames)) == 4


@pytest.mark.parametrize(("members", "tasks"), [(280, 7), (1, 1), (51, 41)])
def test_pictures_stay_within_what_telegram_accepts(members: int, tasks: int) -> None:
    import struct

    codes = [(f"T{n // 10 + 1}.{n % 10 + 1}", f"任務 {n}") for n in range(tasks)]
    rows = [MemberRow(f"成員{n:03d}", "2026-11-24", {c: Cell(float(n % 4), n % 3 == 0) for c, _ in codes})
            for n in range(members)]
    parts = teamview.sheet_parts(Sheet(CLOUD, "雲端系統開發工程人員", codes, rows))
    assert {(row.member, code) for part in parts for row in part.rows for code, _ in part.tasks} == \
        {(row.member, code) for row in rows for code, _ in codes}
    for part in parts[:2]:
        width, height = struct.unpack(">II", teamview.heatmap_png("資訊部", part)[16:24])
        assert width + height <= 10_000 and max(width, height) <= 20 * min(width, height)
        assert min(width, height) >= 250  # the key and a cell both fit
