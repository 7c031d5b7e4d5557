"""What a finished self-assessment gives back: summary text, chart PNG, Markdown report and CSV files.

Every function takes the result JSON that bot/assessment.py stores in `assessments.result`.

The chart is drawn on a matplotlib Figure with the Agg canvas (no pyplot, no global backend) in
Noto Sans TC, shipped by the PyPI package `pylopdf-fonts-zh-tw` (the `mpl-tc-fonts` wheel ships no
font file). The font is registered with matplotlib's font manager and used by its family name.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from bot.export import csv_bytes
from prompts import raw, t

Result = Mapping[str, Any]

MET_PERCENT = 2 / 3 * 100
RADAR_MIN_DUTIES = 3
LABEL_WIDTH = 18  # characters of a task title kept on a bar label
RADAR_AREA = (0.22, 0.1, 0.56, 0.68)  # left, bottom, width, height: room for the labels around it
RADAR_WRAP = 8  # characters per line of a duty label around the radar
DPI = 150
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


# ====================================================================== summary
def summary_text(result: Result) -> str:
    lines = [t("assessment.summary.head", title=result["title"], code=result["standard"], scope=result["scope_label"])]
    lines.append(_overall_line(result))
    if len(result["duties"]) > 1:
        lines.append(t("assessment.summary.duties_head"))
        lines += [
            t("assessment.summary.duty_line", code=d["code"], title=d["title"], percent=format_percent(d["percent"]))
            for d in result["duties"]
        ]
    lines += _level_lines(result)
    if result["strengths"]:
        lines.append(t("assessment.summary.strengths_head", tasks=join_codes(result["strengths"])))
    lines += _gap_lines(result)
    if result["unscored"]:
        lines.append(t("assessment.summary.unscored", tasks=join_codes(result["unscored"])))
    if result.get("unit_knowledge"):
        knowledge = join_codes([k["code"] for k in result["unit_knowledge"]])
        skills = join_codes([s["code"] for s in result.get("unit_skills", [])])
        lines.append(t("assessment.summary.unit_learning", knowledge=knowledge, skills=skills))
    lines.append(t("assessment.summary.footer"))
    return "\n".join(lines)


def _overall_line(result: Result) -> str:
    if result["overall"] is None:
        return t("assessment.summary.overall_none")
    return t(
        "assessment.summary.overall",
        percent=format_percent(result["overall"]),
        answered=result["answered"],
        total=result["total"],
        skipped=result["skipped"],
    )


def _level_lines(result: Result) -> list[str]:
    levels = result["levels"]
    if not levels:
        return []
    met = [t("assessment.summary.level_name", level=level["level"]) for level in levels if level["met"]]
    lines = [t("assessment.summary.levels_met", levels=join_codes(met)) if met else t("assessment.summary.levels_none")]
    lines += [
        t("assessment.summary.level_open", level=level["level"], tasks=join_codes(level["unmet"]))
        for level in levels
        if not level["met"]
    ]
    return lines


def _gap_lines(result: Result) -> list[str]:
    if not result["gaps"]:
        return [t("assessment.summary.no_gaps")] if result["overall"] is not None else []
    lines = [t("assessment.summary.gaps_head")]
    for gap in result["gaps"]:
        line = t(
            "assessment.summary.gap_line", code=gap["code"], title=gap["title"], percent=format_percent(gap["percent"])
        )
        parts = [
            t(key, codes=join_codes([entry["code"] for entry in gap[field]]))
            for field, key in (
                ("knowledge", "assessment.summary.gap_learn"),
                ("skills", "assessment.summary.gap_practice"),
                ("outputs", "assessment.summary.gap_produce"),
            )
            if gap[field]
        ]
        if parts:
            line += t("assessment.summary.gap_parts_lead") + t("assessment.summary.gap_parts_separator").join(parts)
        lines.append(line)
    return lines


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


def chart_png(result: Result) -> bytes:
    figure = build_chart(result)
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def build_chart(result: Result) -> Figure:
    """A radar over duties, or bars per task when the assessment covers fewer than three duties."""
    if len(result["duties"]) >= RADAR_MIN_DUTIES:
        return _radar(result)
    return _bars(result)


def _styled(figure: Figure) -> Figure:
    font = chart_font()
    for artist in figure.findobj(Text):
        artist.set_fontproperties(font)
        artist.set_parse_math(False)
    return figure


def _bars(result: Result) -> Figure:
    tasks = list(result["tasks"])
    figure = Figure(figsize=(8, 1.6 + 0.45 * len(tasks)), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(tasks)))[::-1]
    values = [task["percent"] or 0 for task in tasks]
    colours = [_colour(task["percent"]) for task in tasks]
    axes.barh(positions, values, color=colours, height=0.6)
    axes.set_yticks(positions, [_task_label(task) for task in tasks])
    axes.set_xlim(0, 112)
    axes.set_xticks([0, 25, 50, 75, 100])
    axes.set_xlabel(t("assessment.chart.axis"))
    axes.axvline(MET_PERCENT, color=COLOUR_LINE, linestyle="--", linewidth=1)
    axes.set_ylim(-0.6, len(tasks) + 0.1)
    met_label = t("assessment.chart.met_line")
    axes.text(MET_PERCENT, len(tasks) - 0.45, met_label, color=COLOUR_LINE, ha="center", va="bottom", fontsize=8)
    for position, task in zip(positions, tasks, strict=True):
        label = format_percent(task["percent"]) if task["percent"] is not None else t("assessment.chart.unscored")
        axes.text((task["percent"] or 0) + 1.5, position, label, va="center", fontsize=9)
    axes.set_title(t("assessment.chart.bars_title", title=result["title"], code=result["standard"]))
    axes.spines[["top", "right"]].set_visible(False)
    return _styled(figure)


def _radar(result: Result) -> Figure:
    import numpy as np

    duties = list(result["duties"])
    angles = np.linspace(0, 2 * np.pi, len(duties), endpoint=False)
    closed = np.concatenate([angles, angles[:1]])
    values = [d["percent"] or 0 for d in duties]
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
    axes.set_xticks(angles, [_duty_label(d) for d in duties], fontsize=10)
    axes.tick_params(axis="x", pad=10)
    for label, angle in zip(axes.get_xticklabels(), angles, strict=True):
        label.set_horizontalalignment(_side(np.pi / 2 - angle))
    axes.legend(loc="upper left", bbox_to_anchor=(1.05, 1.08), frameon=False)
    figure.suptitle(t("assessment.chart.radar_title", title=result["title"], code=result["standard"]), y=0.93)
    return _styled(figure)


def _side(direction: float) -> str:
    """Horizontal alignment of a label around the radar, so it grows away from the circle."""
    x = math.cos(direction)
    return "left" if x > 0.1 else "right" if x < -0.1 else "center"


def _colour(percent: float | None) -> str:
    if percent is None:
        return COLOUR_NONE
    return COLOUR_MET if percent >= MET_PERCENT - 1e-9 else COLOUR_GAP


def _task_label(task: Mapping[str, Any]) -> str:
    return f"{task['code']} {clip(task['title'], LABEL_WIDTH)}"


def clip(text: str, width: int) -> str:
    """At most `width` characters (Chinese has no spaces to cut at), an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _duty_label(duty: Mapping[str, Any]) -> str:
    score = format_percent(duty["percent"]) if duty["percent"] is not None else t("assessment.chart.unscored")
    title = "\n".join(textwrap.wrap(duty["title"], RADAR_WRAP, max_lines=3, placeholder="…"))
    return f"{duty['code']} {title}\n{score}"


# ====================================================================== Markdown report
def markdown_report(result: Result) -> str:
    sections = [
        t("assessment.report.title", title=result["title"], code=result["standard"]),
        _meta_block(result),
        t("assessment.report.scale_note"),
        _duty_table(result),
        _task_table(result),
        _levels_block(result),
        _strengths_block(result),
        _gaps_block(result),
        _unit_learning_block(result),
        _answers_block(result),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _meta_block(result: Result) -> str:
    return t(
        "assessment.report.meta",
        person=result.get("user_name") or t("assessment.report.person_unknown"),
        date=result["date"],
        scope=result["scope_label"],
        answered=result["answered"],
        total=result["total"],
        skipped=result["skipped"],
        overall=format_percent(result["overall"]),
    )


def _duty_table(result: Result) -> str:
    rows = [f"| {_cell(d['code'])} | {_cell(d['title'])} | {format_percent(d['percent'])} |" for d in result["duties"]]
    return "\n".join([t("assessment.report.duties_head"), "", t("assessment.report.duty_table_head"), *rows])


def _task_table(result: Result) -> str:
    rows = []
    for task in result["tasks"]:
        met = _met_word(task)
        level = task["level"] if task["level"] is not None else ""
        answered = f"{task['answered']}/{task['asked']}"
        rows.append(
            f"| {_cell(task['code'])} | {_cell(task['title'])} | {level} | {answered} | {format_percent(task['percent'])} | {met} |"
        )
    return "\n".join([t("assessment.report.tasks_head"), "", t("assessment.report.task_table_head"), *rows])


def _met_word(task: Mapping[str, Any]) -> str:
    if task["percent"] is None:
        return t("assessment.report.met_unknown")
    return t("assessment.report.met_yes") if task["met"] else t("assessment.report.met_no")


def _levels_block(result: Result) -> str:
    if not result["levels"]:
        return ""
    lines = [t("assessment.report.levels_head"), ""]
    for level in result["levels"]:
        if level["met"]:
            state = t("assessment.report.level_met", tasks=join_codes(level["tasks"]))
        else:
            state = t("assessment.report.level_not_met", unmet=join_codes(level["unmet"]))
        lines.append(t("assessment.report.level_line", level=level["level"], state=state))
    return "\n".join(lines)


def _strengths_block(result: Result) -> str:
    titles = {task["code"]: task["title"] for task in result["tasks"]}
    items = [f"- {code} {titles.get(code, '')}" for code in result["strengths"]] or [t("assessment.report.none")]
    return "\n".join([t("assessment.report.strengths_head"), "", *items])


def _gaps_block(result: Result) -> str:
    lines = [t("assessment.report.gaps_head"), ""]
    if not result["gaps"]:
        lines.append(t("assessment.report.none"))
    for gap in result["gaps"]:
        lines.append(
            t(
                "assessment.report.gap_head",
                code=gap["code"],
                title=gap["title"],
                percent=format_percent(gap["percent"]),
            )
        )
        for field, key in (("knowledge", "gap_knowledge"), ("skills", "gap_skills"), ("outputs", "gap_outputs")):
            if gap[field]:
                lines.append(t(f"assessment.report.{key}"))
                lines += [t("assessment.report.gap_item", code=e["code"], text=e["text"]) for e in gap[field]]
        lines.append("")
    return "\n".join(lines).rstrip()


def _unit_learning_block(result: Result) -> str:
    if not result.get("unit_knowledge"):
        return ""
    lines = [t("assessment.report.unit_learning_head"), "", t("assessment.report.gap_knowledge")]
    lines += [t("assessment.report.gap_item", code=e["code"], text=e["text"]) for e in result["unit_knowledge"]]
    lines.append(t("assessment.report.gap_skills"))
    lines += [t("assessment.report.gap_item", code=e["code"], text=e["text"]) for e in result.get("unit_skills", [])]
    return "\n".join(lines)


def _answers_block(result: Result) -> str:
    lines = [t("assessment.report.answers_head"), ""]
    for entry in result["answers"]:
        lines.append(
            t(
                "assessment.report.answer_line",
                number=entry["index"] + 1,
                code=entry["code"],
                question=entry["question"],
                answer=scale_label(entry["score"]),
            )
        )
        if entry.get("evidence"):
            lines.append(t("assessment.report.evidence_line", evidence=entry["evidence"]))
    return "\n".join(lines)


# ====================================================================== CSV files (cells made safe by bot.export)
def answers_csv(result: Result) -> bytes:
    rows = (
        [
            entry["index"] + 1,
            entry["code"],
            entry["task"],
            entry["question"],
            "" if entry["score"] is None else entry["score"],
            scale_label(entry["score"]),
            entry.get("evidence") or "",
        ]
        for entry in result["answers"]
    )
    return csv_bytes(raw("assessment.report.csv_header"), rows)


def _rounded(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def team_csv(results: Iterable[tuple[int, Result]]) -> bytes:
    """One row per person, assessment and task: who, which standard, when, and the task's score."""
    rows = (
        [
            user_id,
            result.get("user_name") or "",
            result["standard"],
            result["title"],
            result["scope_label"],
            result["date"],
            task["duty"],
            task["code"],
            task["title"],
            _rounded(task["percent"]),
            _rounded(result["overall"]),
        ]
        for user_id, result in results
        for task in result["tasks"]
    )
    return csv_bytes(raw("assessment.report.team_header"), rows)
