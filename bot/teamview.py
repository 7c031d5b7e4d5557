"""A team's results side by side: the heatmap picture, the weakest tasks, the Excel workbook (pure functions:
data in, bytes out; bot/sharing.py gathers the data)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.export import safe_cell
from bot.report import chart_font
from prompts import raw, t

COLOURS = ("#d7301f", "#fc8d59", "#91cf60", "#1a9850")  # 0 不熟悉 … 3 能指導他人
EMPTY = "#eeeeee"
MEMBER_LABEL_CHARS = 12
DPI = 110
PICTURE_MEMBERS = 50  # members in one heatmap picture; a larger team gets several
PICTURE_TASKS = 40  # tasks across one picture (a 35-task standard stays whole)
PHOTO_SIDES_SUM = 10_000  # sendPhoto: width + height in pixels at most this
PHOTO_RATIO = 20  # sendPhoto: one side at most this many times the other
PHOTO_MARGIN = 0.97  # stay this far inside both limits (pixel sizes are rounded up)


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


def sheet_parts(sheet: Sheet, members: int = PICTURE_MEMBERS, tasks: int = PICTURE_TASKS) -> list[Sheet]:
    """The sheet cut into pictures of at most `members` rows and `tasks` columns (the sheet itself when it fits)."""
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


def heatmap(team: str, sheet: Sheet) -> Figure:
    """Members down, tasks across; the colour is the confirmed rating where there is one, else the self
    rating with a * in the cell. Sized by the table so 50 × 35 labels stay apart."""
    codes = [code for code, _ in sheet.tasks]
    width = max(6.0, 2.2 + 0.36 * len(codes))
    height = max(3.0, 1.8 + 0.3 * len(sheet.rows))
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    values = [[_value(row.cells.get(code)) for code in codes] for row in sheet.rows]
    cmap = ListedColormap(list(COLOURS)).with_extremes(bad=EMPTY)
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], cmap.N)
    axes.imshow(_masked(values), cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    for y, row in enumerate(sheet.rows):
        for x, code in enumerate(codes):
            cell = row.cells.get(code)
            if cell is not None and cell.value is not None and not cell.confirmed:
                axes.text(x, y, t("sharing.chart_self_marker"), ha="center", va="center", fontsize=11, fontweight="bold",
                          color="black")
    axes.set_xticks(range(len(codes)), codes, rotation=90, fontsize=8)
    axes.set_yticks(range(len(sheet.rows)), [row.member[:MEMBER_LABEL_CHARS] for row in sheet.rows], fontsize=8)
    axes.set_title(t("sharing.chart_title", name=team, title=sheet.title, code=sheet.code), fontsize=11)
    figure.supxlabel(t("sharing.chart_legend"), fontsize=8)
    font = chart_font()
    for artist in figure.findobj(Text):
        artist.set_fontfamily(font.get_family())
        artist.set_parse_math(False)
    return figure


def _value(cell: Cell | None) -> float | None:
    return None if cell is None else cell.value


def _masked(values: list[list[float | None]]):  # type: ignore[no-untyped-def]
    import numpy as np

    array = np.array([[np.nan if v is None else v for v in row] for row in values] or [[np.nan]], dtype=float)
    return np.ma.masked_invalid(array)


def weakest(sheet: Sheet, count: int = 3) -> list[tuple[str, str, float, int]]:
    """The tasks with the lowest mean rating (confirmed where there is one): (code, title, mean, how many)."""
    out = []
    for code, title in sheet.tasks:
        rated = [c.value for row in sheet.rows if (c := row.cells.get(code)) is not None and c.value is not None]
        if rated:
            out.append((code, title, sum(rated) / len(rated), len(rated)))
    return sorted(out, key=lambda item: (item[2], item[0]))[:count]


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """One sheet per standard (a row per member, a column per task), then a sheet of the reviewers' comments.
    Every text cell goes through safe_cell: a name such as =HYPERLINK(…) stays text."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets:
        page = book.create_sheet(_sheet_title(sheet.code, used))
        page.append([safe_cell(t("sharing.sheet_header_member")), safe_cell(t("sharing.sheet_header_date")),
                     *(safe_cell(f"{code} {title}") for code, title in sheet.tasks)])
        for row in sheet.rows:
            page.append([safe_cell(row.member), safe_cell(row.date),
                         *(_cell_text(row.cells.get(code)) for code, _ in sheet.tasks)])
    comments = book.create_sheet(_sheet_title(t("sharing.sheet_comments"), used))
    comments.append([safe_cell(h) for h in raw("sharing.comments_header")])
    for sheet in sheets:
        for c in sheet.comments:
            comments.append([safe_cell(c.member), safe_cell(sheet.code), safe_cell(c.task), safe_cell(c.title),
                             _number(c.self_value), "" if c.confirmed is None else c.confirmed, safe_cell(c.text),
                             safe_cell(c.reviewer)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_text(cell: Cell | None) -> object:
    if cell is None or cell.value is None:
        return ""
    value = _number(cell.value)
    return value if cell.confirmed else f"{value}{t('sharing.chart_self_marker')}"


def _number(value: float | None) -> object:
    return "" if value is None else round(value, 1)


def _sheet_title(text: str, used: set[str]) -> str:
    """Excel titles: 31 characters at most, none of []:*?/\\ , unique in the book."""
    base = "".join(ch for ch in text if ch not in "[]:*?/\\")[:28] or "sheet"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:26]}-{n}", n + 1
    used.add(title)
    return title
