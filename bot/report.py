"""What a finished self-assessment gives back: summary text, chart PNG, Markdown report and CSV files.

Every function takes the typed result of bot/assessment/result.py (AssessmentResult). Each task shows
its confidence flag (有實例佐證 / 自評高於實例 / 僅自評); the report quotes the examples under their tasks.

The chart is drawn on a matplotlib Figure with the Agg canvas (no pyplot, no global backend) in
Noto Sans TC, shipped by the PyPI package `pylopdf-fonts-zh-tw` (the `mpl-tc-fonts` wheel ships no
font file). The font is registered with matplotlib's font manager and used by its family name.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from bot.export import csv_bytes
from prompts import raw, t

if TYPE_CHECKING:  # imported for annotations only: bot.assessment imports this module
    from bot.assessment.result import AssessmentResult, DutyResult, Flag, Note, TaskResult

MET_PERCENT = 2 / 3 * 100
RADAR_MIN_DUTIES = 3
LABEL_WIDTH = 18  # characters of a task title kept on a bar label
RADAR_AREA = (0.22, 0.1, 0.56, 0.68)  # left, bottom, width, height: room for the labels around it
RADAR_WRAP = 8  # characters per line of a duty label around the radar
DPI = 150
BAR_AXIS_END = 160  # room right of a full bar for its note 「100%（自評高於實例）」
COLOUR_MET = "#2e7d32"
COLOUR_GAP = "#ef6c00"
COLOUR_NONE = "#bdbdbd"
COLOUR_LINE = "#1565c0"
SYSTEM_CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
)


# ====================================================================== small formatting helpers
def join_codes(parts: Sequence[str]) -> str:
    return t("assessment.list_separator").join(parts) if parts else t("assessment.summary.none_codes")


def format_percent(value: float | None) -> str:
    return t("assessment.summary.no_score") if value is None else t("assessment.summary.percent", value=value)


def scale_label(score: int | None) -> str:
    if score is None:
        return t("assessment.answer.skipped")
    return t("assessment.answer.button", score=score, label=raw("assessment.scale")[str(score)])


def flag_label(flag: Flag | None) -> str:
    return t(f"assessment.flag.{flag}") if flag else t("assessment.flag.none")


def shown_codes(task: TaskResult) -> str:
    return join_codes([coded.code for coded in task.shown])


# ====================================================================== summary
def summary_text(result: AssessmentResult) -> str:
    lines = [t("assessment.summary.head", title=result.title, code=result.standard, scope=result.scope_label)]
    lines.append(_overall_line(result))
    if len(result.duties) > 1:
        lines.append(t("assessment.summary.duties_head"))
        lines += [
            t("assessment.summary.duty_line", code=d.code, title=d.title, percent=format_percent(d.percent))
            for d in result.duties
        ]
    lines += _level_lines(result)
    if result.strengths:
        lines.append(t("assessment.summary.strengths_head", tasks=join_codes(result.strengths)))
    lines += _gap_lines(result)
    lines += _evidence_lines(result)
    if result.unscored:
        lines.append(t("assessment.summary.unscored", tasks=join_codes(result.unscored)))
    if result.unit_knowledge:
        knowledge = join_codes([k.code for k in result.unit_knowledge])
        skills = join_codes([s.code for s in result.unit_skills])
        lines.append(t("assessment.summary.unit_learning", knowledge=knowledge, skills=skills))
    lines.append(t("assessment.summary.footer"))
    return "\n".join(lines)


def _overall_line(result: AssessmentResult) -> str:
    if result.overall is None:
        return t("assessment.summary.overall_none")
    return t(
        "assessment.summary.overall",
        percent=format_percent(result.overall),
        answered=result.answered,
        total=result.total,
        skipped=result.skipped,
    )


def _level_lines(result: AssessmentResult) -> list[str]:
    if not result.levels:
        return []
    met = [t("assessment.summary.level_name", level=level.level) for level in result.levels if level.met]
    lines = [t("assessment.summary.levels_met", levels=join_codes(met)) if met else t("assessment.summary.levels_none")]
    lines += [
        t("assessment.summary.level_open", level=level.level, tasks=join_codes(level.unmet))
        for level in result.levels
        if not level.met
    ]
    return lines


def _gap_lines(result: AssessmentResult) -> list[str]:
    if not result.gaps:
        return [t("assessment.summary.no_gaps")] if result.overall is not None else []
    lines = [t("assessment.summary.gaps_head")]
    for gap in result.gaps:
        line = t("assessment.summary.gap_line", code=gap.code, title=gap.title, percent=format_percent(gap.percent))
        parts = [
            t(key, codes=join_codes([entry.code for entry in entries]))
            for entries, key in (
                (gap.knowledge, "assessment.summary.gap_learn"),
                (gap.skills, "assessment.summary.gap_practice"),
                (gap.outputs, "assessment.summary.gap_produce"),
            )
            if entries
        ]
        if parts:
            line += t("assessment.summary.gap_parts_lead") + t("assessment.summary.gap_parts_separator").join(parts)
        lines.append(line)
    return lines


def _evidence_lines(result: AssessmentResult) -> list[str]:
    """Which ratings the examples back: 「・有實例佐證：T1.1（P1.1.1、O1.1.1）」 and so on."""
    from bot.assessment.result import FLAGS

    lines = []
    for flag in FLAGS:
        tasks = result.flagged(flag)
        if not tasks:
            continue
        named = [
            t("assessment.summary.evidence_task", code=task.code, codes=shown_codes(task)) if task.shown else task.code
            for task in tasks
        ]
        lines.append(t("assessment.summary.evidence_line", flag=flag_label(flag), tasks=join_codes(named)))
    return [t("assessment.summary.evidence_head"), *lines] if lines else []


# ====================================================================== chart
def cjk_font_path() -> Path:
    """A font file with Traditional Chinese glyphs from an installed package (or Debian's fonts-noto-cjk)."""
    try:
        import pylopdf_fonts_zh_tw

        candidates = [Path(pylopdf_fonts_zh_tw.sans_path()), *SYSTEM_CJK_FONTS]
    except ImportError:
        candidates = list(SYSTEM_CJK_FONTS)
    for path in candidates:
        if path.is_file():
            return path
    raise RuntimeError("no CJK font: install pylopdf-fonts-zh-tw (Noto Sans TC) or fonts-noto-cjk")


@cache
def chart_font() -> FontProperties:
    """The CJK font, registered with matplotlib's font manager and used by its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = FontProperties(fname=str(path)).get_name()
    return FontProperties(family=name)


def missing_glyphs(text: str, font_path: Path | None = None) -> set[str]:
    """Characters of `text` the chart font cannot draw (would show as tofu boxes)."""
    font = FT2Font(str(font_path or cjk_font_path()))
    return {ch for ch in set(text) if not ch.isspace() and font.get_char_index(ord(ch)) == 0}


def drawn_texts(figure: Figure) -> list[str]:
    """Every non-empty text a figure draws (titles, tick labels, annotations)."""
    texts = (artist.get_text() for artist in figure.findobj(Text) if artist.get_visible())
    return [text for text in texts if text]


def chart_png(result: AssessmentResult) -> bytes:
    figure = build_chart(result)
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def build_chart(result: AssessmentResult) -> Figure:
    """A radar over duties, or bars per task when the assessment covers fewer than three duties; each task's
    bar (each duty's label) says how far examples back the ratings."""
    if len(result.duties) >= RADAR_MIN_DUTIES:
        return _radar(result)
    return _bars(result)


def _styled(figure: Figure) -> Figure:
    font = chart_font()
    for artist in figure.findobj(Text):
        artist.set_fontproperties(font)
        artist.set_parse_math(False)
    return figure


def _bars(result: AssessmentResult) -> Figure:
    tasks = list(result.tasks)
    figure = Figure(figsize=(9, 1.6 + 0.45 * len(tasks)), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(tasks)))[::-1]
    values = [task.percent or 0 for task in tasks]
    colours = [_colour(task.percent) for task in tasks]
    axes.barh(positions, values, color=colours, height=0.6)
    axes.set_yticks(positions, [_task_label(task) for task in tasks])
    axes.set_xlim(0, BAR_AXIS_END)
    axes.set_xticks([0, 25, 50, 75, 100])
    axes.set_xlabel(t("assessment.chart.axis"))
    axes.axvline(MET_PERCENT, color=COLOUR_LINE, linestyle="--", linewidth=1)
    axes.set_ylim(-0.6, len(tasks) + 0.1)
    met_label = t("assessment.chart.met_line")
    axes.text(MET_PERCENT, len(tasks) - 0.45, met_label, color=COLOUR_LINE, ha="center", va="bottom", fontsize=8)
    for position, task in zip(positions, tasks, strict=True):
        axes.text((task.percent or 0) + 1.5, position, _bar_note(task), va="center", fontsize=9)
    axes.set_title(t("assessment.chart.bars_title", title=result.title, code=result.standard))
    axes.spines[["top", "right"]].set_visible(False)
    axes.spines["bottom"].set_bounds(0, 100)  # the room beyond 100 % is for the notes, not the scale
    return _styled(figure)


def _bar_note(task: TaskResult) -> str:
    """「67%（有實例佐證）」 beside a bar; 「未計分」 for a task with no score."""
    if task.percent is None:
        return t("assessment.chart.unscored")
    return t("assessment.chart.bar_note", percent=format_percent(task.percent), flag=flag_label(task.flag))


def _radar(result: AssessmentResult) -> Figure:
    import numpy as np

    duties = list(result.duties)
    angles = np.linspace(0, 2 * np.pi, len(duties), endpoint=False)
    closed = np.concatenate([angles, angles[:1]])
    values = [d.percent or 0 for d in duties]
    figure = Figure(figsize=(9, 8), dpi=DPI)
    axes = figure.add_axes(RADAR_AREA, projection="polar")
    axes.set_theta_offset(np.pi / 2)
    axes.set_theta_direction(-1)
    axes.plot(closed, [*values, values[0]], color=COLOUR_LINE, linewidth=2)
    axes.fill(closed, [*values, values[0]], color=COLOUR_LINE, alpha=0.25)
    met_label = t("assessment.chart.met_line")
    axes.plot(closed, [MET_PERCENT] * len(closed), color=COLOUR_MET, linestyle="--", linewidth=1, label=met_label)
    axes.set_ylim(0, 100)
    axes.set_yticks([25, 50, 75, 100], ["25%", "50%", "75%", "100%"], fontsize=8)
    axes.set_xticks(angles, [_duty_label(d, result) for d in duties], fontsize=10)
    axes.tick_params(axis="x", pad=10)
    for label, angle in zip(axes.get_xticklabels(), angles, strict=True):
        label.set_horizontalalignment(_side(np.pi / 2 - angle))
    axes.legend(loc="upper left", bbox_to_anchor=(1.05, 1.08), frameon=False)
    figure.suptitle(t("assessment.chart.radar_title", title=result.title, code=result.standard), y=0.93)
    return _styled(figure)


def _side(direction: float) -> str:
    """Horizontal alignment of a label around the radar, so it grows away from the circle."""
    x = math.cos(direction)
    return "left" if x > 0.1 else "right" if x < -0.1 else "center"


def _colour(percent: float | None) -> str:
    if percent is None:
        return COLOUR_NONE
    return COLOUR_MET if percent >= MET_PERCENT - 1e-9 else COLOUR_GAP


def _task_label(task: TaskResult) -> str:
    return f"{task.code} {clip(task.title, LABEL_WIDTH)}"


def clip(text: str, width: int) -> str:
    """At most `width` characters (Chinese has no spaces to cut at), an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _duty_label(duty: DutyResult, result: AssessmentResult) -> str:
    """Code and title, score, and how many of its scored tasks examples back (「實例佐證 1/2 項」)."""
    score = format_percent(duty.percent) if duty.percent is not None else t("assessment.chart.unscored")
    title = "\n".join(textwrap.wrap(duty.title, RADAR_WRAP, max_lines=3, placeholder="…"))
    scored = [task for task in result.tasks if task.duty == duty.code and task.flag]
    backed = sum(1 for task in scored if task.flag == "backed")
    label = f"{duty.code} {title}\n{score}"
    return label + "\n" + t("assessment.chart.duty_backed", backed=backed, scored=len(scored)) if scored else label


# ====================================================================== Markdown report
def markdown_report(result: AssessmentResult) -> str:
    sections = [
        t("assessment.report.title", title=result.title, code=result.standard),
        _meta_block(result),
        t("assessment.report.scale_note"),
        t("assessment.report.flag_note"),
        _duty_table(result),
        _task_table(result),
        _examples_block(result),
        _levels_block(result),
        _strengths_block(result),
        _gaps_block(result),
        _unit_learning_block(result),
        _answers_block(result),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _meta_block(result: AssessmentResult) -> str:
    return t(
        "assessment.report.meta",
        person=result.user_name or t("assessment.report.person_unknown"),
        date=result.date,
        scope=result.scope_label,
        answered=result.answered,
        total=result.total,
        skipped=result.skipped,
        overall=format_percent(result.overall),
    )


def _duty_table(result: AssessmentResult) -> str:
    rows = [f"| {_cell(d.code)} | {_cell(d.title)} | {format_percent(d.percent)} |" for d in result.duties]
    return "\n".join([t("assessment.report.duties_head"), "", t("assessment.report.duty_table_head"), *rows])


def _task_table(result: AssessmentResult) -> str:
    rows = []
    for task in result.tasks:
        level = task.level if task.level is not None else ""
        cells = [
            task.code,
            task.title,
            level,
            f"{task.answered}/{task.asked}",
            format_percent(task.percent),
            _met_word(task),
            flag_label(task.flag),
            shown_codes(task) if task.shown else "",
        ]
        rows.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join([t("assessment.report.tasks_head"), "", t("assessment.report.task_table_head"), *rows])


def _met_word(task: TaskResult) -> str:
    if task.percent is None:
        return t("assessment.report.met_unknown")
    return t("assessment.report.met_yes") if task.met else t("assessment.report.met_no")


def _examples_block(result: AssessmentResult) -> str:
    """Every task with examples: the person's own words, quoted, each with the codes it shows."""
    told = [task for task in result.tasks if task.notes]
    if not told:
        return ""
    lines = [t("assessment.report.examples_head")]
    for task in told:
        lines += [
            "",
            t(
                "assessment.report.example_task",
                code=task.code,
                title=task.title,
                percent=format_percent(task.percent),
                flag=flag_label(task.flag),
            ),
            "",
        ]
        lines += [line for note in task.notes for line in _note_lines(note, task)]
    return "\n".join(lines)


def _note_lines(note: Note, task: TaskResult) -> list[str]:
    texts = {coded.code: coded.text for coded in task.shown}
    lines = [t("assessment.report.follow_up_asked", prompt=note.prompt)] if note.prompt else []
    key = "assessment.report.follow_up_quote" if note.kind == "follow_up" else "assessment.report.example_quote"
    lines.append(t(key, text=" ".join(note.text.split())))
    if note.codes:
        shown = [t("assessment.report.example_code", code=code, text=texts.get(code, "")) for code in note.codes]
        lines.append(t("assessment.report.example_shows", codes=t("assessment.list_separator").join(shown)))
    elif note.read:
        lines.append(t("assessment.report.example_shows_none"))
    return lines


def _levels_block(result: AssessmentResult) -> str:
    if not result.levels:
        return ""
    lines = [t("assessment.report.levels_head"), ""]
    for level in result.levels:
        if level.met:
            state = t("assessment.report.level_met", tasks=join_codes(level.tasks))
        else:
            state = t("assessment.report.level_not_met", unmet=join_codes(level.unmet))
        lines.append(t("assessment.report.level_line", level=level.level, state=state))
    return "\n".join(lines)


def _strengths_block(result: AssessmentResult) -> str:
    titles = {task.code: task.title for task in result.tasks}
    items = [f"- {code} {titles.get(code, '')}" for code in result.strengths] or [t("assessment.report.none")]
    return "\n".join([t("assessment.report.strengths_head"), "", *items])


def _gaps_block(result: AssessmentResult) -> str:
    lines = [t("assessment.report.gaps_head"), ""]
    if not result.gaps:
        lines.append(t("assessment.report.none"))
    for gap in result.gaps:
        lines.append(
            t("assessment.report.gap_head", code=gap.code, title=gap.title, percent=format_percent(gap.percent))
        )
        for entries, key in (
            (gap.knowledge, "gap_knowledge"),
            (gap.skills, "gap_skills"),
            (gap.outputs, "gap_outputs"),
        ):
            if entries:
                lines.append(t(f"assessment.report.{key}"))
                lines += [t("assessment.report.gap_item", code=e.code, text=e.text) for e in entries]
        lines.append("")
    return "\n".join(lines).rstrip()


def _unit_learning_block(result: AssessmentResult) -> str:
    if not result.unit_knowledge:
        return ""
    lines = [t("assessment.report.unit_learning_head"), "", t("assessment.report.gap_knowledge")]
    lines += [t("assessment.report.gap_item", code=e.code, text=e.text) for e in result.unit_knowledge]
    lines.append(t("assessment.report.gap_skills"))
    lines += [t("assessment.report.gap_item", code=e.code, text=e.text) for e in result.unit_skills]
    return "\n".join(lines)


def _answers_block(result: AssessmentResult) -> str:
    lines = [t("assessment.report.answers_head"), ""]
    for entry in result.answers:
        lines.append(
            t(
                "assessment.report.answer_line",
                number=entry.index + 1,
                code=entry.code,
                question=entry.question,
                answer=scale_label(entry.score),
            )
        )
    return "\n".join(lines)


# ====================================================================== CSV files (cells made safe by bot.export)
def answers_csv(result: AssessmentResult) -> bytes:
    """One row per question: the answer, the person's sentences about it and the codes they show."""
    notes: dict[int, list[Note]] = {}
    for task in result.tasks:
        for note in task.notes:
            notes.setdefault(note.question_index, []).append(note)
    rows = (
        [
            entry.index + 1,
            entry.code,
            entry.task,
            entry.question,
            "" if entry.score is None else entry.score,
            scale_label(entry.score),
            t("assessment.report.csv_joiner").join(note.text for note in notes.get(entry.index, [])),
            t("assessment.list_separator").join(
                dict.fromkeys(code for note in notes.get(entry.index, []) for code in note.codes)
            ),
        ]
        for entry in result.answers
    )
    return csv_bytes(raw("assessment.report.csv_header"), rows)


def _rounded(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def team_csv(results: Iterable[AssessmentResult]) -> bytes:
    """One row per person, assessment and task: who, which standard, when, the task's score and evidence."""
    rows = (
        [
            "" if result.user_id is None else result.user_id,
            result.user_name,
            result.standard,
            result.title,
            result.scope_label,
            result.date,
            task.duty,
            task.code,
            task.title,
            _rounded(task.percent),
            _rounded(result.overall),
            flag_label(task.flag) if task.flag else "",
            t("assessment.list_separator").join(coded.code for coded in task.shown),
        ]
        for result in results
        for task in result.tasks
    )
    return csv_bytes(raw("assessment.report.team_header"), rows)
