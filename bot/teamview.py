"""A team's results side by side: the heatmap picture, the tasks most members still need, the Excel workbook
(pure functions: data in, bytes out; bot/sharing.py gathers the data).

The heatmap puts the tasks down (their names readable, wrapped) and the members across, with a team-average
column; each cell shows its rating, coloured on the 0–3 scale, a confirmed rating framed, an unanswered cell
grey with a dash, and a key says all of that in words. Its size follows the table (a cell is a fixed size),
so one member and fifty both read. The workbook keeps every rating a number (bold when confirmed, italic when
self-rated), with a team-average row, a colour scale, frozen bold headers and a sheet that explains it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from statistics import fmean
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

from bot.assessment.report import chart_font, clip, score_number, wrap_chars
from bot.export import safe_cell
from prompts import raw, t

COLOURS = ("#d7301f", "#fc8d59", "#91cf60", "#1a9850")  # 0 尚未做過 … 3 能指導他人或改善做法
DARK_CELLS = (0, 3)  # ratings whose colour needs white digits
DIGIT_HEIGHT = 0.24  # of a cell: the height of the rating written in it
FRAME = 0.42  # half the side of a confirmed cell's frame, in cells
EMPTY = "#e0e0e0"
MET_THRESHOLD = 2  # 「能獨立完成」
MEMBER_LABEL_CHARS = 12
TASK_LABEL_CHARS = 17  # characters per line of a task's name beside its row (two lines at most)
DPI = 110
KEY_BESIDE_COLUMNS = 10  # up to this many columns the colour key stands right of the grid, else above it
KEY_HEIGHT = 1.45  # inches the colour key takes when it stands beside the grid
PICTURE_MEMBERS = 50  # members in one heatmap picture; a larger team gets several
PICTURE_TASKS = 40  # tasks in one picture (a 35-task standard stays whole)
PHOTO_SIDES_SUM = 10_000  # sendPhoto: width + height in pixels at most this
PHOTO_RATIO = 20  # sendPhoto: one side at most this many times the other
PHOTO_MARGIN = 0.97  # stay this far inside both limits (pixel sizes are rounded up)
WEAKEST_TASKS = 3
TIPS_PER_KIND = 2  # K and S named for each weak task
TIP_CHARS = 30  # characters of a K or S text in a tip
SHEET_TITLE_CHARS = 31  # Excel's limit
SHEET_FORBIDDEN = set("[]:*?/\\")
EXCEL_RED, EXCEL_YELLOW, EXCEL_GREEN = "F8696B", "FFEB84", "63BE7B"
HEADER_FILL = "ECEFF1"
HEADER_CHARS = 6  # Chinese characters per line of a task's header at the column's width
HEADER_LINE = 15  # points per header line
HEADER_MAX_HEIGHT = 120
SELF_FONT = "616161"


@dataclass(frozen=True, slots=True)
class Cell:
    value: float | None  # 0–3; None: not rated
    confirmed: bool  # True: a reviewer's rating; False: the person's own


@dataclass(frozen=True, slots=True)
class MemberRow:
    member: str
    date: str
    cells: dict[str, Cell]  # task code -> cell


@dataclass(frozen=True, slots=True)
class Comment:
    member: str
    task: str
    title: str
    self_value: float | None
    confirmed: int | None
    text: str
    reviewer: str


@dataclass
class Sheet:
    """One standard of one team: its tasks in order and a row per member."""

    code: str
    title: str
    tasks: list[tuple[str, str]]
    rows: list[MemberRow] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class WeakTask:
    """A task and how the team stands on it: how many rated it, how many are still below 「能獨立完成」."""

    code: str
    title: str
    mean: float
    rated: int
    weak: int


def ordered(sheets: Sequence[Sheet]) -> list[Sheet]:
    """The standards with most members first (then by code): the one that matters most comes first."""
    return sorted(sheets, key=lambda sheet: (-len(sheet.rows), sheet.code))


# ====================================================================== the heatmap
def sheet_parts(sheet: Sheet, members: int = PICTURE_MEMBERS, tasks: int = PICTURE_TASKS) -> list[Sheet]:
    """The sheet cut into pictures of at most `members` members and `tasks` tasks (the sheet itself when it fits)."""
    if len(sheet.rows) <= members and len(sheet.tasks) <= tasks:
        return [sheet]
    parts = []
    for first_row in range(0, max(1, len(sheet.rows)), members):
        for first_task in range(0, max(1, len(sheet.tasks)), tasks):
            parts.append(replace(sheet, tasks=sheet.tasks[first_task:first_task + tasks],
                                 rows=sheet.rows[first_row:first_row + members], comments=[]))
    return parts


def within_photo_limits(figure: Figure) -> Figure:
    """Telegram's sendPhoto refuses a picture whose width + height is over 10,000 pixels or whose sides are more
    than 20 times apart: widen the narrow side, then lower the resolution, until it fits."""
    width, height = (float(v) for v in figure.get_size_inches())
    ratio = PHOTO_RATIO * PHOTO_MARGIN
    if width > ratio * height:
        height = width / ratio
    elif height > ratio * width:
        width = height / ratio
    figure.set_size_inches(width, height)
    most = PHOTO_SIDES_SUM * PHOTO_MARGIN / (width + height)
    if figure.dpi > most:
        figure.set_dpi(most)
    return figure


def heatmap_png(team: str, sheet: Sheet) -> bytes:
    figure = within_photo_limits(heatmap(team, sheet))
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class _Layout:
    """Inches: a cell's side, the margins around the grid, the whole figure."""

    cell: float
    left: float
    right: float
    top: float
    bottom: float
    key_beside: bool

    def size(self, columns: int, rows: int) -> tuple[float, float]:
        return self.left + columns * self.cell + self.right, self.top + rows * self.cell + self.bottom


def _layout(columns: int, rows: int, member_chars: float) -> _Layout:
    cell = 0.46 if columns <= 8 else 0.38 if columns <= 20 else 0.31
    key_beside = columns <= KEY_BESIDE_COLUMNS
    names_tall = member_chars * 0.115 + 0.15  # the members' names, turned upright (inches of 8 pt text)
    return _Layout(
        cell=cell,
        left=2.6,
        right=2.9 if key_beside else 0.3,
        top=0.55 + names_tall + (0 if key_beside else 0.75),
        bottom=max(0.25, KEY_HEIGHT - rows * cell) if key_beside else 0.25,  # room for the key beside a short grid
        key_beside=key_beside,
    )


def heatmap(team: str, sheet: Sheet) -> Figure:
    """Tasks down, members across and the team average last; each cell its rating (confirmed framed)."""
    codes = [code for code, _ in sheet.tasks]
    columns = [row.member[:MEMBER_LABEL_CHARS] for row in sheet.rows]
    grid = [[_value(row.cells.get(code)) for row in sheet.rows] for code in codes]
    averaged = len(sheet.rows) > 1  # one member's average is that member's column again
    if averaged:
        columns.append(t("teamview.average_column"))
        for line in grid:
            line.append(_mean(line))
    layout = _layout(len(columns), len(codes), max((_text_width(c) for c in columns), default=1))
    width, height = layout.size(len(columns), max(1, len(codes)))
    figure = Figure(figsize=(width, height), dpi=DPI)
    axes = figure.add_axes((layout.left / width, layout.bottom / height, len(columns) * layout.cell / width,
                            max(1, len(codes)) * layout.cell / height))
    cmap = ListedColormap(list(COLOURS)).with_extremes(bad=EMPTY)
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], cmap.N)
    axes.imshow(_masked(grid), cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    _cell_texts(axes, sheet, codes, grid, layout.cell)
    if averaged:
        axes.axvline(len(columns) - 1.5, color="white", linewidth=4)  # the average column stands apart
    axes.set_xticks(range(len(columns)), columns, fontsize=8, rotation=90)
    axes.xaxis.tick_top()
    axes.set_yticks(range(len(codes)), [_task_label(code, title) for code, title in sheet.tasks],
                    fontsize=8 if layout.cell >= 0.4 else 7.5)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    title = t("teamview.chart_title", name=team, title=sheet.title, code=sheet.code, members=len(sheet.rows))
    figure.text(0.02, 1 - 0.12 / height, title, fontsize=11, va="top")
    _key(figure, layout, width, height)
    font = chart_font()
    for artist in figure.findobj(Text):
        artist.set_fontfamily(font.get_family())
        artist.set_parse_math(False)
    return figure


def _cell_texts(axes: Any, sheet: Sheet, codes: list[str], grid: list[list[float | None]], cell: float) -> None:
    """Each cell's rating (a dash where there is none) and a frame round each confirmed one. Drawn as three
    collections of outlines rather than some 2,000 text artists: a 50 × 35 table draws in a tenth of the time."""
    height = DIGIT_HEIGHT * (1 if cell >= 0.4 else 0.85)
    dark: list[Any] = []
    light: list[Any] = []
    muted: list[Any] = []
    frames: list[list[tuple[float, float]]] = []
    for y, code in enumerate(codes):
        for x, value in enumerate(grid[y]):
            if value is None:
                muted.append(_glyphs(t("teamview.empty_mark"), x, y, height))
                continue
            (light if round(value) in DARK_CELLS else dark).append(_glyphs(score_number(value), x, y, height))
            found = sheet.rows[x].cells.get(code) if x < len(sheet.rows) else None
            if found is not None and found.confirmed:
                frames.append([(x - FRAME, y - FRAME), (x + FRAME, y - FRAME), (x + FRAME, y + FRAME),
                               (x - FRAME, y + FRAME)])
    for paths, colour in ((dark, "black"), (light, "white"), (muted, "#757575")):
        if paths:
            # snap=False: Agg would snap a thin rectilinear outline (the dash) to the pixel grid, often to nothing
            axes.add_collection(PathCollection(paths, facecolors=colour, edgecolors="none", snap=False), autolim=False)
    if frames:
        axes.add_collection(PolyCollection(frames, closed=True, facecolors="none", edgecolors="black",
                                           linewidths=1.6), autolim=False)


@cache
def _glyph_path(text: str) -> Any:
    """The outline of a short text in the chart font, centred on (0, 0), scaled so a digit is one unit high,
    upside down (an image's y axis points down)."""
    path = TextPath((0, 0), text, size=1, prop=chart_font())
    box = path.get_extents()
    unit = TextPath((0, 0), "0", size=1, prop=chart_font()).get_extents().height  # a digit's height: one unit
    centre = Affine2D().translate(-box.x0 - box.width / 2, -box.y0 - box.height / 2).scale(1 / unit, -1 / unit)
    return centre.transform_path(path)


def _glyphs(text: str, x: float, y: float, height: float) -> Any:
    """The text's outline centred on cell (x, y), `height` cells high."""
    return Affine2D().scale(height).translate(x, y).transform_path(_glyph_path(text))


def _key(figure: Figure, layout: _Layout, width: float, height: float) -> None:
    """The colour key in words: the four ratings, an unanswered cell, a framed (confirmed) cell."""
    words = raw("assessment.scale")
    handles = [Patch(color=colour, label=t("teamview.key_score", score=n, words=words[str(n)]))
               for n, colour in enumerate(COLOURS)]
    handles.append(Patch(color=EMPTY, label=t("teamview.key_empty")))
    handles.append(Patch(facecolor="white", edgecolor="black", linewidth=1.6, label=t("teamview.key_confirmed")))
    if layout.key_beside:
        anchor = ((width - layout.right + 0.15) / width, 1 - layout.top / height)
        figure.legend(handles=handles, loc="upper left", bbox_to_anchor=anchor, frameon=False, fontsize=8)
    else:
        figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(layout.left / width, 1 - 0.4 / height),
                      ncols=3, frameon=False, fontsize=8)


def _text_width(text: str) -> float:
    """Width in Chinese characters (a Latin letter or digit counts as about half)."""
    return sum(0.55 if ch.isascii() else 1.0 for ch in text)


def _task_label(code: str, title: str) -> str:
    return "\n".join(wrap_chars(f"{code} {title}", TASK_LABEL_CHARS, max_lines=2))


def _value(cell: Cell | None) -> float | None:
    return None if cell is None else cell.value


def _mean(values: Sequence[float | None]) -> float | None:
    rated = [value for value in values if value is not None]
    return fmean(rated) if rated else None


def _masked(values: list[list[float | None]]):  # type: ignore[no-untyped-def]
    import numpy as np

    array = np.array([[np.nan if v is None else v for v in row] for row in values] or [[np.nan]], dtype=float)
    return np.ma.masked_invalid(array)


# ====================================================================== the tasks to work on
def weak_tasks(sheet: Sheet) -> list[WeakTask]:
    """Every rated task, those with most members below 「能獨立完成」 first (then the lowest mean)."""
    out = []
    for code, title in sheet.tasks:
        rated = [c.value for row in sheet.rows if (c := row.cells.get(code)) is not None and c.value is not None]
        if rated:
            weak = sum(1 for value in rated if value < MET_THRESHOLD)
            out.append(WeakTask(code, title, fmean(rated), len(rated), weak))
    return sorted(out, key=lambda task: (-task.weak, task.mean, task.code))


def weakest(sheet: Sheet, count: int = WEAKEST_TASKS) -> list[tuple[str, str, float, int]]:
    """The tasks most members still need (code, title, mean, how many rated), as weak_tasks orders them."""
    return [(task.code, task.title, task.mean, task.rated) for task in weak_tasks(sheet)[:count]]


def task_tips(doc: Any, task_code: str) -> list[tuple[str, str]]:
    """The K and S a task lists that say most about it: those fewest other tasks of the standard list first
    (so a general item such as 職業安全 does not lead every task's tips), then in the standard's order."""
    task = doc.task(task_code) if hasattr(doc, "task") else None
    if task is None:
        return []
    shared = _listing_counts(doc)
    tips: list[tuple[str, str]] = []
    for codes, table in ((task.knowledge, doc.knowledge), (task.skills, doc.skills)):
        known = [code for code in codes if code in table]
        specific = sorted(known, key=lambda code: (shared.get(code, 0), known.index(code)))[:TIPS_PER_KIND]
        tips += [(code, table[code].full_text) for code in specific]
    return tips


def _listing_counts(doc: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for task in getattr(doc, "tasks", []):
        for code in {*task.knowledge, *task.skills}:
            counts[code] = counts.get(code, 0) + 1
    return counts


def team_summary(name: str, sheet: Sheet, doc: Any) -> str:
    """The text sent with a standard's heatmap: who, how to read the picture, and the tasks most members are
    still below 「能獨立完成」 on, each with tips from its own K and S."""
    reviewed = sum(1 for row in sheet.rows if any(cell.confirmed for cell in row.cells.values()))
    lines = [t("teamview.summary_head", name=name, title=sheet.title, code=sheet.code, members=len(sheet.rows),
               reviewed=reviewed), t("teamview.summary_reading")]
    ranked = weak_tasks(sheet)
    if not ranked:
        return "\n".join([*lines, t("teamview.summary_empty")])
    weak = [task for task in ranked if task.weak][:WEAKEST_TASKS]
    if not weak:
        return "\n".join([*lines, t("teamview.summary_none")])
    lines.append(t("teamview.summary_weak_head"))
    for task in weak:
        lines.append(t("teamview.summary_weak_line", code=task.code, title=task.title, weak=task.weak,
                       rated=task.rated, mean=score_number(task.mean)))
        tips = task_tips(doc, task.code)
        if tips:
            items = t("teamview.item_separator").join(t("teamview.item", code=c, text=clip(x, TIP_CHARS)) for c, x in tips)
            lines.append(t("teamview.summary_tips_line", items=items))
    return "\n".join(lines)


# ====================================================================== the workbook
def workbook_bytes(sheets: Sequence[Sheet], made: datetime | None = None) -> bytes:
    """One sheet per standard (a row per member, a column per task, the team average below), a sheet of the
    reviewers' comments and one that explains the rest. Every text cell goes through safe_cell: a name such as
    =HYPERLINK(…) stays text."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets:
        _standard_sheet(book.create_sheet(_sheet_title(t("teamview.sheet_title", code=sheet.code, title=sheet.title),
                                                        used)), sheet)
    _comments_sheet(book.create_sheet(_sheet_title(t("teamview.comments_sheet"), used)), sheets)
    _legend_sheet(book.create_sheet(_sheet_title(t("teamview.legend_sheet"), used)), made)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _standard_sheet(page: Any, sheet: Sheet) -> None:
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    header = [t("teamview.header_member"), t("teamview.header_date"),
              *(t("teamview.header_task", code=code, title=title) for code, title in sheet.tasks),
              t("teamview.header_average"), t("teamview.header_source")]
    page.append([safe_cell(text) for text in header])
    first_task, last_task = 3, 2 + len(sheet.tasks)
    styled: dict[bool, Any] = {}  # confirmed or not -> the first cell styled so (its style is copied)
    for number, row in enumerate(sheet.rows, start=2):
        cells = [row.cells.get(code) for code, _ in sheet.tasks]
        values = [_number(cell.value) if cell else None for cell in cells]
        page.append([safe_cell(row.member), _when(row.date), *values,
                     _number(_mean([c.value if c else None for c in cells])), safe_cell(_source(cells))])
        for column, cell in enumerate(cells, start=first_task):
            if cell is not None and cell.value is not None:
                _source_style(page.cell(row=number, column=column), cell.confirmed, styled)
    columns = [[row.cells.get(code) for row in sheet.rows] for code, _ in sheet.tasks]
    averages = [_number(_mean([c.value if c else None for c in column])) for column in columns]
    page.append([safe_cell(t("teamview.average_row")), None, *averages,
                 _number(_mean([a for a in averages if isinstance(a, float)])), None])
    last_row = page.max_row
    bold, top_rule = Font(bold=True), Border(top=Side(style="medium"))
    for cell in page[last_row]:
        cell.font, cell.border = bold, top_rule
    for cell in page[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = _fill(HEADER_FILL)
    longest = max((len(title) for _, title in sheet.tasks), default=0)
    page.row_dimensions[1].height = min(HEADER_MAX_HEIGHT, HEADER_LINE * (2 + longest // HEADER_CHARS))
    page.freeze_panes = "C2"
    widths = {1: 16, 2: 17, last_task + 1: 10, last_task + 2: 14}
    for column in range(1, last_task + 3):
        page.column_dimensions[get_column_letter(column)].width = widths.get(column, 12)
    for (cell,) in page.iter_rows(min_row=2, max_row=last_row - 1, min_col=2, max_col=2):
        cell.number_format = "yyyy-mm-dd hh:mm"
    if sheet.rows:
        page.auto_filter.ref = f"A1:{get_column_letter(last_task + 2)}{last_row - 1}"
        scores = f"{get_column_letter(first_task)}2:{get_column_letter(last_task + 1)}{last_row}"
        page.conditional_formatting.add(scores, ColorScaleRule(
            start_type="num", start_value=0, start_color=EXCEL_RED,
            mid_type="num", mid_value=1.5, mid_color=EXCEL_YELLOW,
            end_type="num", end_value=3, end_color=EXCEL_GREEN))


def _source_style(target: Any, confirmed: bool, styled: dict[bool, Any]) -> None:
    """Bold for a confirmed rating, grey italic for a self rating. openpyxl hashes a Font at every assignment
    (a 50 × 35 sheet spent half its time there): the first cell gets the font, the others copy its style."""
    from openpyxl.styles import Font

    if confirmed in styled:
        target._style = copy(styled[confirmed]._style)
        return
    target.font = Font(bold=True) if confirmed else Font(italic=True, color=SELF_FONT)
    styled[confirmed] = target


def _comments_sheet(page: Any, sheets: Sequence[Sheet]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    page.append([safe_cell(h) for h in raw("teamview.comments_header")])
    for sheet in sheets:
        for c in sheet.comments:
            page.append([safe_cell(c.member), safe_cell(sheet.code), safe_cell(c.task), safe_cell(c.title),
                         _number(c.self_value), c.confirmed, safe_cell(c.text), safe_cell(c.reviewer)])
    for cell in page[1]:
        cell.font = Font(bold=True)
        cell.fill = _fill(HEADER_FILL)
    page.freeze_panes = "A2"
    for column, width in enumerate((14, 16, 10, 28, 8, 8, 48, 12), start=1):
        page.column_dimensions[get_column_letter(column)].width = width
    for row in page.iter_rows(min_row=2, min_col=7, max_col=7):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _legend_sheet(page: Any, made: datetime | None) -> None:
    from openpyxl.styles import Alignment, Font

    page.append([safe_cell(t("teamview.legend_title"))])
    page["A1"].font = Font(bold=True, size=14)
    page.append([])
    for name, meaning in raw("teamview.legend_rows"):
        page.append([safe_cell(name), safe_cell(meaning)])
    page.append([])
    page.append([safe_cell(t("teamview.legend_scale_head"))])
    page.cell(row=page.max_row, column=1).font = Font(bold=True)
    words = raw("assessment.scale")
    for score in range(len(COLOURS)):
        page.append([score, safe_cell(words[str(score)])])
        page.cell(row=page.max_row, column=1).fill = _fill(_scale_colour(score))
    if made is not None:
        page.append([])
        page.append([safe_cell(t("teamview.legend_made", date=made.strftime("%Y-%m-%d %H:%M")))])
    page.column_dimensions["A"].width = 14
    page.column_dimensions["B"].width = 80
    for row in page.iter_rows(min_row=3, max_col=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")


def _scale_colour(score: float) -> str:
    """The colour the sheets' colour scale gives a rating: red at 0, yellow at 1.5, green at 3, blended between."""
    low, high, share = (EXCEL_RED, EXCEL_YELLOW, score / 1.5) if score <= 1.5 else (EXCEL_YELLOW, EXCEL_GREEN, (score - 1.5) / 1.5)
    channels = (round(int(low[i:i + 2], 16) * (1 - share) + int(high[i:i + 2], 16) * share) for i in (0, 2, 4))
    return "".join(f"{channel:02X}" for channel in channels)


def _fill(colour: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill(start_color=colour, end_color=colour, fill_type="solid")


def _source(cells: Sequence[Cell | None]) -> str:
    rated = [cell for cell in cells if cell is not None and cell.value is not None]
    confirmed = sum(1 for cell in rated if cell.confirmed)
    return t("teamview.source_confirmed", confirmed=confirmed, rated=len(rated)) if confirmed \
        else t("teamview.source_self")


def _when(date: str) -> Any:
    """The completion time as a date cell (sortable), or the text as it came when it is not one."""
    try:
        return datetime.strptime(date, "%Y-%m-%d %H:%M")
    except ValueError:
        return safe_cell(date)


def _number(value: float | None) -> float | None:
    """A rating as a number cell (None stays an empty cell)."""
    return None if value is None else round(float(value), 1)


def _sheet_title(text: str, used: set[str]) -> str:
    """Excel titles: 31 characters at most, none of []:*?/\\, not starting or ending with ', unique in the book
    (Excel compares them case-insensitively)."""
    base = "".join(ch for ch in text if ch not in SHEET_FORBIDDEN).strip().strip("'").strip()
    base = base[:SHEET_TITLE_CHARS].rstrip() or "sheet"
    title, n = base, 2
    while title.casefold() in used:
        suffix = f"-{n}"
        title, n = base[: SHEET_TITLE_CHARS - len(suffix)].rstrip() + suffix, n + 1
    used.add(title.casefold())
    return title
