"""The PDF report of a finished self-assessment: the file a person sends on to a manager.

A4 portrait, readable on a phone: the person, the standard and the date; the overall figures (self and,
after a review, confirmed); the chart; every task with its name and code, the self rating, the reviewer's
rating, the evidence flag; the examples and the reviewer's comments quoted under their tasks; one learning
plan (each K and S once, with its name, the ones most weak tasks need first); the 職能級別 in plain words.

fpdf2 writes it with Noto Sans TC from the PyPI package `pylopdf-fonts-zh-tw` (bot/assessment/report.py finds it): its
CFF outlines are embedded as a subset (CIDFontType0C) with a ToUnicode map, so the text can be searched,
copied and read aloud. Chinese has no spaces to break lines at: `wrap` breaks between characters but keeps
codes and Latin words whole, and keeps closing punctuation off the start of a line. Every text comes from
prompts/assessment.toml; the parts shared with the Markdown report come from bot/assessment/report.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fpdf import FPDF

from bot.assessment import report
from prompts import raw, t

if TYPE_CHECKING:
    from bot.assessment.result import AssessmentResult, TaskResult

Colour = tuple[int, int, int]

FONT = "NotoSansTC"
PAGE_MARGIN = 15.0  # mm
BOTTOM_MARGIN = 16.0
BODY_SIZE = 11.0  # pt: an A4 page on a phone is read zoomed to its width
SMALL_SIZE = 9.0
HEADING_SIZE = 15.0
TITLE_SIZE = 22.0
TABLE_SIZE = 9.5
ASCENT = 0.88  # of the font size, above the baseline (Noto Sans TC)
LINE = 6.0  # mm per body line
SMALL_LINE = 4.8
TABLE_LINE = 5.0
CELL_PADDING = 1.6  # mm inside table cells
LABEL_WIDTH = 48.0  # mm of the label column of the facts
TASK_WIDTHS = (96.0, 50.0, 34.0)
TASK_WIDTHS_REVIEWED = (76.0, 40.0, 40.0, 24.0)
PLAN_WIDTHS = (18.0, 84.0, 78.0)
CHART_DPI = 110
CHART_MIN_SCALE = 0.9  # a chart shrunk to fit the rest of a page keeps at least this much of the width
MIN_ROOM = 45.0  # mm a heading needs below it (itself and a first few lines), or it starts the next page
HEADING_ROOM = 16.0  # mm a heading takes
TASK_ROOM = 22.0  # mm a task's first lines (or a table's title and first row) need on a page
INK = (33, 33, 33)
MUTED = (97, 97, 97)
ACCENT = (21, 101, 192)
RULE = (189, 189, 189)
LABEL_FILL = (236, 239, 241)
DUTY_FILL = (227, 236, 247)
MET_FILL = (220, 237, 200)
GAP_FILL = (255, 224, 178)
NONE_FILL = (238, 238, 238)
MET_THRESHOLD = 2

# a code or Latin word stays whole; closing punctuation stays with what it closes, opening with what it opens
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_/%]*|\s+|.", re.S)
_CLOSING = set("，。、；：！？」』）〉》】,.;:!?)]%")
_OPENING = set("「『（〈《【([")


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: its cells' texts and fills; a band is one cell across the table (a duty's title)."""

    cells: tuple[str, ...]
    fills: tuple[Colour | None, ...] = ()
    band: bool = False


class _Pdf(FPDF):
    """An A4 page in Noto Sans TC that lays out its own lines: fpdf2's own line breaking is word-based (Chinese
    has no words to break at) and slow; wrapped here, each line is drawn as it is."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self.set_auto_page_break(False)
        self.add_font(FONT, "", str(report.cjk_font_path()))
        # The subset keeps the whole font's bounding box: recomputing it runs every glyph's outline, about
        # half the time of a report (the PDF's font descriptor takes its box from the head table anyway).
        self.fonts[FONT.lower()].ttfont.recalcBBoxes = False
        self.alias_nb_pages()
        self.widths: dict[tuple[float, str], float] = {}

    @property
    def text_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    @property
    def bottom(self) -> float:
        return self.h - BOTTOM_MARGIN

    def footer(self) -> None:
        self.style(SMALL_SIZE - 1, MUTED)
        self.set_xy(self.l_margin, self.h - 11)
        self.cell(self.text_width, 5, self.footer_text.replace("{page}", str(self.page_no())), align="C")  # {nb}: cell

    def style(self, size: float, colour: Colour = INK) -> None:
        self.set_font(FONT, size=size)
        self.set_text_color(*colour)

    def width_of(self, text: str) -> float:
        key = (self.font_size_pt, text)
        if key not in self.widths:
            self.widths[key] = self.get_string_width(text)
        return self.widths[key]

    def room(self, height: float) -> None:
        """A new page unless `height` mm still fit on this one."""
        if self.get_y() + height > self.bottom:
            self.add_page()

    def lines(self, lines: Sequence[str], x: float, top: float, leading: float) -> None:
        """Lines drawn from `top` down, each on its baseline (the font's ascent below the line's top)."""
        size = self.font_size  # mm
        for n, line in enumerate(lines):
            if line:
                self.text(x, top + n * leading + (leading - size) / 2 + size * ASCENT, line)


def pdf_report(result: AssessmentResult) -> bytes:
    """The whole report as PDF bytes."""
    subject = t("assessment.pdf.subject", title=result.title, code=result.standard)
    pdf = _Pdf(t("assessment.pdf.footer", person=_person(result), code=result.standard, page="{page}", pages="{nb}"))
    pdf.set_title(subject)
    pdf.set_subject(subject)
    pdf.set_author(_person(result))
    pdf.set_creator(t("assessment.pdf.creator"))
    pdf.set_lang("zh-TW")
    pdf.add_page()
    for section in (_title, _facts, _overall, _reading, _chart, _tasks, _examples, _plan, _levels):
        section(pdf, result)
    return bytes(pdf.output())


def _person(result: AssessmentResult) -> str:
    return result.user_name or t("assessment.report.person_unknown")


# ====================================================================== line breaking
def wrap(pdf: _Pdf, text: str, width: float) -> list[str]:
    """The lines of `text` in the current font within `width` mm: broken between characters, never inside a
    code or a Latin word, never before closing or after opening punctuation. Breaks in the text are kept."""
    return [line for part in text.split("\n") for line in _wrap_line(pdf, part, width)]


def _wrap_line(pdf: _Pdf, text: str, width: float) -> list[str]:
    lines: list[str] = []
    current, used = "", 0.0
    for token in _tokens(text):
        size = pdf.width_of(token)
        if current and used + size > width and not token.isspace():
            lines.append(current.rstrip())
            token = token.lstrip()
            current, used = token, pdf.width_of(token)
        else:
            current, used = current + token, used + size
    lines.append(current.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    glue_next = False
    for piece in _TOKEN.findall(text):
        if piece in _CLOSING and len(tokens) > 1 and tokens[-1].isspace():
            space = tokens.pop()
            tokens[-1] += space  # 「K09 、」: the space goes with the word, the mark with both
        if tokens and (glue_next or piece in _CLOSING):
            tokens[-1] += piece
        else:
            tokens.append(piece)
        glue_next = piece in _OPENING or (glue_next and piece.isspace())
    return tokens


def _paragraph(pdf: _Pdf, text: str, size: float = BODY_SIZE, colour: Colour = INK, indent: float = 0.0,
               leading: float = LINE) -> None:
    """Wrapped text from the current position down, a page turned between lines where needed."""
    pdf.style(size, colour)
    for line in wrap(pdf, text, pdf.text_width - indent):
        pdf.room(leading)
        pdf.lines([line], pdf.l_margin + indent, pdf.get_y(), leading)
        pdf.set_y(pdf.get_y() + leading)


def _heading(pdf: _Pdf, text: str) -> None:
    pdf.room(MIN_ROOM)
    if pdf.get_y() > PAGE_MARGIN + 1:
        pdf.ln(4)
    _paragraph(pdf, text, HEADING_SIZE, ACCENT, leading=8)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.4)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2.5)


# ====================================================================== tables
def _grid(pdf: _Pdf, widths: Sequence[float], head: Sequence[str], rows: Sequence[Row],
          size: float = TABLE_SIZE, leading: float = TABLE_LINE) -> None:
    """Rows under a header that is drawn again on every page the table reaches; a row is never split."""
    header = Row(tuple(head), (LABEL_FILL,) * len(head))
    _grid_row(pdf, widths, header, size, leading, ACCENT)
    for n, row in enumerate(rows):
        height = _row_height(pdf, widths, row, size, leading)
        if row.band and n + 1 < len(rows):  # a band stays with the row under it
            height += _row_height(pdf, widths, rows[n + 1], size, leading)
        if pdf.get_y() + height > pdf.bottom:
            pdf.add_page()
            _grid_row(pdf, widths, header, size, leading, ACCENT)
        _grid_row(pdf, widths, row, size, leading, RULE)


def _cell_lines(pdf: _Pdf, widths: Sequence[float], row: Row) -> list[list[str]]:
    if row.band:
        return [wrap(pdf, row.cells[0], sum(widths) - 2 * CELL_PADDING)]
    return [wrap(pdf, text, width - 2 * CELL_PADDING) for text, width in zip(row.cells, widths, strict=True)]


def _row_height(pdf: _Pdf, widths: Sequence[float], row: Row, size: float, leading: float) -> float:
    pdf.style(size)
    return max(len(lines) for lines in _cell_lines(pdf, widths, row)) * leading + 2 * CELL_PADDING


def _grid_row(pdf: _Pdf, widths: Sequence[float], row: Row, size: float, leading: float, rule: Colour) -> None:
    pdf.style(size)
    cells = _cell_lines(pdf, widths, row)
    height = max(len(lines) for lines in cells) * leading + 2 * CELL_PADDING
    spans = [sum(widths)] if row.band else list(widths)
    top, x = pdf.get_y(), pdf.l_margin
    for n, (lines, width) in enumerate(zip(cells, spans, strict=True)):
        fill = row.fills[n] if n < len(row.fills) else None
        if fill is not None:
            pdf.set_fill_color(*fill)
            pdf.rect(x, top, width, height, style="F")
        pdf.lines(lines, x + CELL_PADDING, top + CELL_PADDING, leading)
        x += width
    pdf.set_draw_color(*rule)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, top + height, pdf.l_margin + sum(widths), top + height)
    pdf.set_y(top + height)


def _label_table(pdf: _Pdf, rows: Sequence[tuple[str, str]], size: float = BODY_SIZE,
                 value_colour: Colour = INK) -> None:
    """Label and value pairs, the labels on grey."""
    widths = (LABEL_WIDTH, pdf.text_width - LABEL_WIDTH)
    for label, value in rows:
        pdf.style(size)
        labels = wrap(pdf, label, widths[0] - 2 * CELL_PADDING)
        values = wrap(pdf, value, widths[1] - 2 * CELL_PADDING)
        height = max(len(labels), len(values)) * LINE + 2 * CELL_PADDING
        pdf.room(height)
        top = pdf.get_y()
        pdf.set_fill_color(*LABEL_FILL)
        pdf.rect(pdf.l_margin, top, widths[0], height, style="F")
        pdf.style(size, MUTED)
        pdf.lines(labels, pdf.l_margin + CELL_PADDING, top + CELL_PADDING, LINE)
        pdf.style(size, value_colour)
        pdf.lines(values, pdf.l_margin + widths[0] + CELL_PADDING, top + CELL_PADDING, LINE)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.3)
        pdf.line(pdf.l_margin, top + height, pdf.w - pdf.r_margin, top + height)
        pdf.set_y(top + height)


# ====================================================================== sections
def _title(pdf: _Pdf, result: AssessmentResult) -> None:
    _paragraph(pdf, t("assessment.report.heading"), TITLE_SIZE, ACCENT, leading=11)
    _paragraph(pdf, t("assessment.pdf.standard_value", title=result.title, code=result.standard), HEADING_SIZE,
               leading=8)
    pdf.ln(3)


def _facts(pdf: _Pdf, result: AssessmentResult) -> None:
    rows = [
        (t("assessment.pdf.person"), _person(result)),
        (t("assessment.pdf.standard"), t("assessment.pdf.standard_value", title=result.title, code=result.standard)),
        (t("assessment.pdf.scope"), result.scope_label),
        (t("assessment.pdf.date"), result.date),
        (t("assessment.pdf.answered"),
         t("assessment.pdf.answered_value", answered=result.answered, total=result.total, skipped=result.skipped)),
        (t("assessment.pdf.review"), report.review_line(result)),
    ]
    _label_table(pdf, rows)


def _overall(pdf: _Pdf, result: AssessmentResult) -> None:
    if result.review is not None:
        rows = [(t("assessment.pdf.overall_final"), report.rating_text(result.final_overall)),
                (t("assessment.pdf.overall_own"), report.rating_text(result.overall_mean))]
    else:
        rows = [(t("assessment.pdf.overall_label"), report.rating_text(result.overall_mean))]
    rows.append((t("assessment.pdf.met_label"),
                 t("assessment.pdf.met_value", met=result.met_count, scored=result.scored_count)))
    pdf.ln(3)
    _label_table(pdf, rows, size=BODY_SIZE + 1, value_colour=ACCENT)


def _reading(pdf: _Pdf, result: AssessmentResult) -> None:
    pdf.ln(3)
    for note in report.reading_notes(result):
        _paragraph(pdf, note, SMALL_SIZE, MUTED, leading=SMALL_LINE)
        pdf.ln(0.8)


def _chart(pdf: _Pdf, result: AssessmentResult) -> None:
    """The chart as drawn for the chat, as raw pixels (no PNG written and read back), on this page when it
    fits at 70 % of the width or more, else on the next one."""
    try:
        picture = report.chart_image(result, dpi=CHART_DPI)
    except RuntimeError:  # no CJK font for matplotlib: the tables below say it all
        return
    width = pdf.text_width
    height = width * picture.height / picture.width
    room = pdf.bottom - pdf.get_y() - HEADING_ROOM
    if height * CHART_MIN_SCALE > room:
        pdf.add_page()
        room = pdf.bottom - pdf.get_y() - HEADING_ROOM
    if height > room:
        width, height = width * room / height, room
    _heading(pdf, t("assessment.pdf.chart_head"))
    pdf.image(picture, x=pdf.l_margin + (pdf.text_width - width) / 2, w=width, h=height)


def _tasks(pdf: _Pdf, result: AssessmentResult) -> None:
    _heading(pdf, t("assessment.pdf.tasks_head"))
    reviewed = result.review is not None
    head = raw("assessment.pdf.task_table_head_reviewed" if reviewed else "assessment.pdf.task_table_head")
    widths = TASK_WIDTHS_REVIEWED if reviewed else TASK_WIDTHS
    titles = {duty.code: duty.title for duty in result.duties}
    rows: list[Row] = []
    duty = None
    for task in result.tasks:
        if len(result.duties) > 1 and task.duty != duty:
            duty = task.duty
            rows.append(Row((report.task_name(duty, titles.get(duty, "")).strip(),), (DUTY_FILL,), band=True))
        rows.append(_task_row(result, task))
    _grid(pdf, widths, head, rows)


def _task_row(result: AssessmentResult, task: TaskResult) -> Row:
    """Name, self rating, the reviewer's rating (when reviewed) and the evidence flag; the rating that counts
    is coloured: green when it reaches 「能獨立完成」, orange below, grey when skipped."""
    name = report.task_name(task.code, task.title)
    if task.level is not None:
        name += "\n" + t("assessment.pdf.task_level", level=task.level)
    fill = _fill(result.final_mean(task))
    if result.review is None:
        return Row((name, report.rating_text(task.mean), report.flag_label(task.flag)), (None, fill, None))
    confirmed = result.confirmed(task.code) is not None
    cells = (name, report.rating_text(task.mean), report.confirmed_text(result, task), report.flag_label(task.flag))
    return Row(cells, (None, None if confirmed else fill, fill if confirmed else None, None))


def _examples(pdf: _Pdf, result: AssessmentResult) -> None:
    _heading(pdf, t("assessment.pdf.examples_head"))
    told = report.told_tasks(result)
    if not told:
        _paragraph(pdf, t("assessment.pdf.examples_none"), colour=MUTED)
        return
    for task in told:
        pdf.room(TASK_ROOM)
        pdf.ln(1.5)
        _paragraph(pdf, report.task_name(task.code, task.title), BODY_SIZE + 1, ACCENT)
        for indent, text in report.task_story(result, task):
            if indent:
                _paragraph(pdf, text, SMALL_SIZE, MUTED, indent=9, leading=SMALL_LINE)
            else:
                _paragraph(pdf, text, indent=4)
        pdf.ln(1)


def _plan(pdf: _Pdf, result: AssessmentResult) -> None:
    _heading(pdf, t("assessment.pdf.plan_head"))
    plan = result.learning_plan()
    outputs = report.plan_outputs(result)
    if not plan and not outputs:
        _paragraph(pdf, t("assessment.pdf.plan_none"))
        return
    _paragraph(pdf, t("assessment.report.plan_intro"), SMALL_SIZE, MUTED, leading=SMALL_LINE)
    head = raw("assessment.report.plan_table_head")
    for items, key in ((plan.knowledge, "plan_knowledge"), (plan.skills, "plan_skills")):
        if items:
            rows = [Row((item.code, item.text, report.plan_tasks(result, item.tasks))) for item in items]
            _plan_table(pdf, t(f"assessment.pdf.{key}"), head, rows)
    if outputs:
        rows = [Row((output.code, output.text, report.plan_tasks(result, [task]))) for output, task in outputs]
        _plan_table(pdf, t("assessment.pdf.plan_outputs"), raw("assessment.report.output_table_head"), rows)


def _plan_table(pdf: _Pdf, title: str, head: Sequence[str], rows: Sequence[Row]) -> None:
    pdf.room(TASK_ROOM)
    pdf.ln(2)
    _paragraph(pdf, title, BODY_SIZE + 1)
    _grid(pdf, PLAN_WIDTHS, head, rows)


def _levels(pdf: _Pdf, result: AssessmentResult) -> None:
    sentences = report.level_sentences(result)
    if sentences:
        _heading(pdf, t("assessment.pdf.levels_head"))
        for sentence in sentences:
            _paragraph(pdf, t("assessment.pdf.bullet", text=sentence))


def _fill(mean: float | None) -> Colour:
    if mean is None:
        return NONE_FILL
    return MET_FILL if mean >= MET_THRESHOLD else GAP_FILL
