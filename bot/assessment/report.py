"""What a finished self-assessment gives back: summary text, chart PNG, Markdown report and CSV files (the PDF
report, bot/assessment/pdfreport.py, draws on the parts shared here).

Every function takes the typed result of bot/assessment/result.py (AssessmentResult). Plain words: a rating is
said on its 0–3 scale with the scale's words (「1.5 分（介於「在指導下做過」與「能獨立完成」之間）」), never as a
percentage, and every code comes with its name. Each task shows its confidence flag (有實例佐證 / 自評高於實例 /
僅自評); the report quotes the examples under their tasks. A reviewed result shows the confirmed figures (which
count) beside the self ones, and says who reviewed and when.

The chart is drawn on a matplotlib Figure with the Agg canvas (no pyplot, no global backend) in
Noto Sans TC, shipped by the PyPI package `pylopdf-fonts-zh-tw` (the `mpl-tc-fonts` wheel ships no
font file). The font is registered with matplotlib's font manager and used by its family name.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Patch
from matplotlib.text import Text

from bot.assessment.result import FLAGS, MET_THRESHOLD, AssessmentResult, Coded, DutyResult, Flag, Note, TaskResult
from bot.export import csv_bytes
from prompts import raw, t

SCALE_POINTS = 4  # 0 … 3
RADAR_MIN_DUTIES = 3
LABEL_WIDTH = 18  # characters of a task title kept on a bar label
RADAR_AREA = (0.22, 0.1, 0.56, 0.68)  # left, bottom, width, height: room for the labels around it
RADAR_WRAP = 8  # characters per line of a duty label around the radar
TICK_WRAP = 6  # characters per line of a scale word under the bar chart's axis
DPI = 150
BAR_AXIS_END = 4.9  # room right of a full bar (3) for its note 「自評 1 → 審核 2・有實例佐證」
SUMMARY_NAMED_TASKS = 8  # more tasks of one evidence flag are counted in the chat summary, named in the PDF
SUMMARY_PLAN_ITEMS = 5  # K (and S) named in the chat summary; the PDF lists them all
PLAN_TEXT_CHARS = 40  # characters of a K or S text in the chat summary
COLOUR_MET = "#2e7d32"
COLOUR_GAP = "#ef6c00"
COLOUR_NONE = "#bdbdbd"
COLOUR_LINE = "#1565c0"
COLOUR_SELF = "#90a4ae"  # the self rating beside the confirmed one
PAPER = {"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85}  # behind a note crossing a line
_WRAP_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_/%]*|\s+|.", re.S)
SYSTEM_CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
)


# ====================================================================== small formatting helpers
def join_codes(parts: Sequence[str]) -> str:
    return t("assessment.list_separator").join(parts) if parts else t("assessment.summary.none_codes")


def scale_label(score: int | None) -> str:
    if score is None:
        return t("assessment.answer.skipped")
    return t("assessment.answer.button", score=score, label=raw("assessment.scale")[str(score)])


def flag_label(flag: Flag | None) -> str:
    return t(f"assessment.flag.{flag}") if flag else t("assessment.flag.none")


def shown_codes(task: TaskResult) -> str:
    return join_codes([coded.code for coded in task.shown])


# ====================================================================== plain words for a rating (0–3)
def score_number(mean: float | None) -> str:
    """「2」, 「1.5」: one decimal at most, none when it is a whole point."""
    if mean is None:
        return t("assessment.summary.no_score")
    return f"{round(mean, 1):.1f}".removesuffix(".0")


def level_words(mean: float | None) -> str:
    """The scale word of a whole point, 「介於「在指導下做過」與「能獨立完成」之間」 for anything between two."""
    if mean is None:
        return t("assessment.words.skipped")
    words = raw("assessment.scale")
    shown = round(mean, 1)
    if shown == int(shown):
        return words[str(int(shown))]
    return t("assessment.words.between", low=words[str(int(shown))], high=words[str(int(shown) + 1)])


def score_text(mean: float | None) -> str:
    """「2 分」, or 「略過未答」."""
    return t("assessment.words.skipped") if mean is None else t("assessment.words.score", score=score_number(mean))


def rating_text(mean: float | None) -> str:
    """「2 分（能獨立完成）」, or 「略過未答」."""
    if mean is None:
        return t("assessment.words.skipped")
    return t("assessment.words.rating", score=score_number(mean), words=level_words(mean))


def task_name(code: str, title: str) -> str:
    return t("assessment.words.task", code=code, title=title)


def task_names(result: AssessmentResult, codes: Iterable[str]) -> str:
    """「T1.1 評估應用可行性、T2.5 …」: every code with its name."""
    titles = {task.code: task.title for task in result.tasks}
    return join_codes([task_name(code, titles.get(code, "")).strip() for code in codes])


def reviewer_of(result: AssessmentResult) -> str:
    return (result.review.reviewer if result.review else "") or t("bot.default_name")


def level_sentences(result: AssessmentResult) -> list[str]:
    """Per 職能級別: 「職能級別 3：4 項任務中 2 項已能獨立完成，還差 T2.2 開發與測試、…」."""
    lines = []
    for level in result.levels:
        if level.met:
            lines.append(t("assessment.summary.level_all", level=level.level, count=len(level.tasks)))
            continue
        if len(level.unmet) == len(level.tasks):
            lines.append(t("assessment.summary.level_none", level=level.level, count=len(level.tasks),
                           tasks=task_names(result, level.unmet)))
            continue
        lines.append(
            t(
                "assessment.summary.level_some",
                level=level.level,
                count=len(level.tasks),
                met=len(level.tasks) - len(level.unmet),
                tasks=task_names(result, level.unmet),
            )
        )
    return lines


def plan_outputs(result: AssessmentResult) -> list[tuple[Coded, str]]:
    """Each output O of the weak tasks once, with the task it belongs to."""
    seen: dict[str, tuple[Coded, str]] = {}
    for gap in result.gaps:
        for output in gap.outputs:
            seen.setdefault(output.code, (output, gap.code))
    return list(seen.values())


# ====================================================================== summary
def summary_text(result: AssessmentResult) -> str:
    lines = [t("assessment.summary.head", title=result.title, code=result.standard, scope=result.scope_label)]
    lines.append(_overall_line(result))
    if result.final_overall is not None:
        lines.append(t("assessment.summary.met_count", met=result.met_count, scored=result.scored_count))
        lines.append(t("assessment.words.scale_line"))
    if len(result.duties) > 1:
        lines.append(t("assessment.summary.duties_head"))
        lines += [
            t("assessment.summary.duty_line", code=d.code, title=d.title, score=_duty_score(result, d.code))
            for d in result.duties
        ]
    lines += level_sentences(result)
    if result.strengths:
        lines.append(t("assessment.summary.strengths_head", tasks=task_names(result, result.strengths)))
    lines += _gap_lines(result)
    lines += _plan_lines(result)
    lines += _evidence_lines(result)
    if result.unscored:
        lines.append(t("assessment.summary.unscored", tasks=task_names(result, result.unscored)))
    lines.append(t("assessment.summary.footer"))
    return "\n".join(lines)


def _overall_line(result: AssessmentResult) -> str:
    if result.final_overall is None:
        return t("assessment.summary.overall_none")
    counts = {"answered": result.answered, "total": result.total, "skipped": result.skipped}
    if result.review is not None:
        return t(
            "assessment.summary.overall_reviewed",
            final=rating_text(result.final_overall),
            own=score_text(result.overall_mean),
            **counts,
        )
    return t("assessment.summary.overall", rating=rating_text(result.overall_mean), **counts)


def _duty_score(result: AssessmentResult, duty: str) -> str:
    final, own = result.final_duty_mean(duty), result.duty_mean(duty)
    if result.review is not None and score_number(final) != score_number(own):
        return t("assessment.chart.duty_score_reviewed", final=score_number(final), own=score_number(own))
    return score_text(final)


def _gap_lines(result: AssessmentResult) -> list[str]:
    if not result.gaps:
        return [t("assessment.summary.no_gaps")] if result.final_overall is not None else []
    lines = [t("assessment.summary.gaps_head")]
    for gap in result.gaps:
        task = result.task(gap.code)
        words = level_words(result.final_mean(task)) if task else level_words(None)
        lines.append(t("assessment.summary.gap_line", task=task_name(gap.code, gap.title), words=words))
    return lines


def _plan_lines(result: AssessmentResult) -> list[str]:
    """The learning plan's first K and S, each with its name and how many weak tasks need it."""
    plan = result.learning_plan()
    lines: list[str] = []
    for items, head in ((plan.knowledge, "plan_knowledge_head"), (plan.skills, "plan_skills_head")):
        if not items:
            continue
        lines.append(t(f"assessment.summary.{head}"))
        lines += [
            t("assessment.summary.plan_line", code=item.code, text=clip(item.text, PLAN_TEXT_CHARS), count=len(item.tasks))
            for item in items[:SUMMARY_PLAN_ITEMS]
        ]
        if len(items) > SUMMARY_PLAN_ITEMS:
            lines.append(t("assessment.summary.plan_more", count=len(items) - SUMMARY_PLAN_ITEMS))
    return lines


def _evidence_lines(result: AssessmentResult) -> list[str]:
    """Which ratings the examples back: 「・有實例佐證：T1.1 評估應用可行性、…」."""
    lines = []
    for flag in FLAGS:
        tasks = result.flagged(flag)
        if len(tasks) > SUMMARY_NAMED_TASKS:
            lines.append(t("assessment.summary.evidence_count", flag=flag_label(flag), count=len(tasks)))
        elif tasks:
            names = task_names(result, [task.code for task in tasks])
            lines.append(t("assessment.summary.evidence_line", flag=flag_label(flag), tasks=names))
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


def chart_image(result: AssessmentResult, dpi: float = DPI) -> Any:
    """The chart as an RGB Pillow image (for the PDF report: no PNG to write and read back)."""
    import numpy as np
    from PIL import Image

    figure = build_chart(result)
    figure.set_dpi(dpi)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    inked = np.argwhere(pixels.min(axis=2) < 250)  # the white margins around the drawing are cut off
    if inked.size:
        (top, left), (bottom, right) = inked.min(axis=0), inked.max(axis=0)
        pad = int(dpi * 0.1)
        pixels = pixels[max(0, top - pad): bottom + pad, max(0, left - pad): right + pad]
    return Image.fromarray(pixels.copy())


def chart_png(result: AssessmentResult, dpi: float = DPI) -> bytes:
    figure = build_chart(result)
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # the Agg canvas, attached to the figure
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def build_chart(result: AssessmentResult) -> Figure:
    """A radar over duties, or bars per task when the assessment covers fewer than three duties, on the 0–3
    scale with its words; each task's bar (each duty's label) says how far examples back the ratings. With a
    review, the confirmed figure is drawn beside the self one."""
    if len(result.duties) >= RADAR_MIN_DUTIES:
        return _radar(result)
    return _bars(result)


def _styled(figure: Figure) -> Figure:
    font = chart_font()
    for artist in figure.findobj(Text):
        artist.set_fontproperties(font)
        artist.set_parse_math(False)
    return figure


def _scale_ticks() -> list[str]:
    words = raw("assessment.scale")
    return [
        t("assessment.chart.tick", score=score, words="\n".join(wrap_chars(words[str(score)], TICK_WRAP)))
        for score in range(SCALE_POINTS)
    ]


def _bars(result: AssessmentResult) -> Figure:
    tasks = list(result.tasks)
    reviewed = result.review is not None
    figure = Figure(figsize=(9, 2.0 + (0.6 if reviewed else 0.45) * len(tasks)), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(tasks)))[::-1]
    finals = [result.final_mean(task) for task in tasks]
    colours = [_colour(value) for value in finals]
    if reviewed:
        own = [task.mean or 0 for task in tasks]
        axes.barh([p + 0.19 for p in positions], own, color=COLOUR_SELF, height=0.34)
        axes.barh([p - 0.19 for p in positions], [v or 0 for v in finals], color=colours, height=0.34)
    else:
        axes.barh(positions, [v or 0 for v in finals], color=colours, height=0.6)
    figure.legend(handles=_bar_key(reviewed), loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    axes.set_yticks(positions, [_task_label(task) for task in tasks])
    axes.set_xlim(0, BAR_AXIS_END)
    axes.set_xticks(range(SCALE_POINTS), _scale_ticks(), fontsize=8, linespacing=1.4)
    axes.set_xlabel(t("assessment.chart.axis"))
    axes.axvline(MET_THRESHOLD, color=COLOUR_LINE, linestyle="--", linewidth=1)
    axes.set_ylim(-0.6, len(tasks) + 0.1)
    met_label = t("assessment.chart.met_line")
    axes.text(MET_THRESHOLD - 0.04, len(tasks) - 0.45, met_label, color=COLOUR_LINE, ha="right", va="bottom",
              fontsize=8)
    for position, task, final in zip(positions, tasks, finals, strict=True):
        end = max(final or 0, task.mean or 0)
        axes.text(end + 0.06, position, _bar_note(result, task), va="center", fontsize=9, bbox=PAPER)
    axes.set_title(t("assessment.chart.bars_title", title=result.title, code=result.standard))
    axes.spines[["top", "right"]].set_visible(False)
    axes.spines["bottom"].set_bounds(0, SCALE_POINTS - 1)  # the room beyond 3 is for the notes, not the scale
    return _styled(figure)


def _bar_key(reviewed: bool) -> list[Patch]:
    """What the colours say: green reaches 「能獨立完成」, orange not yet; grey-blue is the self rating."""
    prefix = t("assessment.chart.final_prefix") if reviewed else ""
    key = [Patch(color=COLOUR_SELF, label=t("assessment.chart.self_series"))] if reviewed else []
    return [
        *key,
        Patch(color=COLOUR_MET, label=prefix + t("assessment.chart.key_met")),
        Patch(color=COLOUR_GAP, label=prefix + t("assessment.chart.key_gap")),
    ]


def _bar_note(result: AssessmentResult, task: TaskResult) -> str:
    """「1 分・有實例佐證」 beside a bar, 「自評 1 → 審核 2・僅自評」 when reviewed; 「略過未答」 with no score."""
    final = result.final_mean(task)
    if final is None:
        return t("assessment.chart.unscored")
    flag = t("assessment.report.flag_part", flag=flag_label(task.flag)) if task.flag else ""
    if result.confirmed(task.code) is not None:
        return t("assessment.chart.bar_note_reviewed", own=score_number(task.mean), final=score_number(final), flag=flag)
    return t("assessment.chart.bar_note", score=score_number(final), flag=flag)


def _radar(result: AssessmentResult) -> Figure:
    import numpy as np

    duties = list(result.duties)
    angles = np.linspace(0, 2 * np.pi, len(duties), endpoint=False)
    closed = np.concatenate([angles, angles[:1]])
    figure = Figure(figsize=(9, 8), dpi=DPI)
    axes = figure.add_axes(RADAR_AREA, projection="polar")
    axes.set_theta_offset(np.pi / 2)
    axes.set_theta_direction(-1)
    finals = [result.final_duty_mean(d.code) or 0 for d in duties]
    if result.review is not None:
        own = [result.duty_mean(d.code) or 0 for d in duties]
        axes.plot(closed, [*own, own[0]], color=COLOUR_SELF, linewidth=1.5, linestyle="-.",
                  label=t("assessment.chart.self_series"))
    series = t("assessment.chart.final_series") if result.review is not None else None
    axes.plot(closed, [*finals, finals[0]], color=COLOUR_LINE, linewidth=2, label=series)
    axes.fill(closed, [*finals, finals[0]], color=COLOUR_LINE, alpha=0.25)
    met_label = t("assessment.chart.met_line")
    axes.plot(closed, [MET_THRESHOLD] * len(closed), color=COLOUR_MET, linestyle="--", linewidth=1, label=met_label)
    axes.set_ylim(0, SCALE_POINTS - 1)
    axes.set_yticks(range(1, SCALE_POINTS), [str(n) for n in range(1, SCALE_POINTS)], fontsize=8, color="#616161")
    axes.set_rlabel_position(180 / len(duties))  # the ring numbers between the first two spokes
    words = raw("assessment.scale")
    rings = t("assessment.chart.rings", words=t("assessment.list_separator").join(
        f"{n} {words[str(n)]}" for n in range(1, SCALE_POINTS)))
    figure.text(0.5, 0.03, rings, ha="center", fontsize=9, color="#424242")
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


def _colour(mean: float | None) -> str:
    if mean is None:
        return COLOUR_NONE
    return COLOUR_MET if mean >= MET_THRESHOLD - 1e-9 else COLOUR_GAP


def _task_label(task: TaskResult) -> str:
    return f"{task.code} {clip(task.title, LABEL_WIDTH)}"


def wrap_chars(text: str, width: float, max_lines: int = 0) -> list[str]:
    """Lines of at most `width` Chinese characters (a Latin letter or digit counts as half), broken between
    characters but never inside a code or a Latin word, and balanced (no lone character on a last line); with
    `max_lines`, an ellipsis ends the last line."""
    lines = _fill_chars(text, width)
    if len(lines) > 1:
        total = sum(_char_width(token) for token in _WRAP_TOKEN.findall(text))
        balanced = _fill_chars(text, math.ceil(total / len(lines) + 0.5))
        lines = balanced if len(balanced) == len(lines) else lines
    if max_lines and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][:-1] + "…"]
    return lines


def _char_width(token: str) -> float:
    return len(token) * (0.55 if token.isascii() else 1.0)


def _fill_chars(text: str, width: float) -> list[str]:
    lines: list[str] = []
    current, used = "", 0.0
    for token in _WRAP_TOKEN.findall(text):
        size = _char_width(token)
        if current and used + size > width and not token.isspace():
            lines.append(current.rstrip())
            current, used = token.lstrip(), size
        else:
            current, used = current + token, used + size
    lines.append(current.rstrip())
    return lines


def clip(text: str, width: int) -> str:
    """At most `width` characters (Chinese has no spaces to cut at), an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _duty_label(duty: DutyResult, result: AssessmentResult) -> str:
    """Code and title, score, and how many of its scored tasks examples back (「實例佐證 1/2 項」)."""
    final = result.final_duty_mean(duty.code)
    score = t("assessment.chart.unscored") if final is None else _duty_score(result, duty.code)
    title = "\n".join(wrap_chars(duty.title, RADAR_WRAP, max_lines=3))
    scored = [task for task in result.tasks if task.duty == duty.code and task.flag]
    backed = sum(1 for task in scored if task.flag == "backed")
    label = f"{duty.code} {title}\n{score}"
    return label + "\n" + t("assessment.chart.duty_backed", backed=backed, scored=len(scored)) if scored else label


# ====================================================================== parts shared by the Markdown and PDF reports
def review_line(result: AssessmentResult) -> str:
    """「陳主管（2026-11-24 10:00 審核完成）」 or 「尚未審核」."""
    if result.review is None:
        return t("assessment.report.review_none")
    return t("assessment.report.review_by", reviewer=reviewer_of(result), date=result.review.date)


def overall_sentences(result: AssessmentResult) -> list[str]:
    if result.final_overall is None:
        return [t("assessment.summary.overall_none")]
    if result.review is not None:
        first = t(
            "assessment.report.overall_reviewed",
            final=rating_text(result.final_overall),
            own=rating_text(result.overall_mean),
        )
    else:
        first = t("assessment.report.overall", rating=rating_text(result.overall_mean))
    return [first, t("assessment.report.met_count", met=result.met_count, scored=result.scored_count)]


def reading_notes(result: AssessmentResult) -> list[str]:
    notes = [t("assessment.report.scale_note"), t("assessment.report.flag_note")]
    return [*notes, t("assessment.report.review_note")] if result.review is not None else notes


def met_word(result: AssessmentResult, task: TaskResult) -> str:
    final = result.final_mean(task)
    if final is None:
        return t("assessment.report.met_unknown")
    return t("assessment.report.met_yes") if final >= MET_THRESHOLD else t("assessment.report.met_no")


def confirmed_text(result: AssessmentResult, task: TaskResult) -> str:
    """The reviewer's rating in words, 「未評」 where the reviewer left the task unrated."""
    confirmed = result.confirmed(task.code)
    return t("assessment.report.not_rated") if confirmed is None else rating_text(confirmed)


def task_story(result: AssessmentResult, task: TaskResult) -> list[tuple[int, str]]:
    """What a task's details say, as (indent, line): the ratings, the reviewer's comment, the examples and
    follow-up answers quoted, and which indicators or outputs each shows."""
    flag = t("assessment.report.flag_part", flag=flag_label(task.flag)) if task.flag else ""
    if result.confirmed(task.code) is not None:
        rating = t("assessment.report.example_rating_reviewed", own=rating_text(task.mean),
                   final=rating_text(result.final_mean(task)), flag=flag)
    else:
        rating = t("assessment.report.example_rating", own=rating_text(task.mean), flag=flag)
    lines = [(0, rating)]
    comment = " ".join(result.comment(task.code).split())
    if comment:
        lines.append((0, t("assessment.report.review_comment", reviewer=reviewer_of(result), text=comment)))
    texts = {coded.code: coded.text for coded in task.shown}
    for note in task.notes:
        if note.prompt:
            lines.append((0, t("assessment.report.follow_up_asked", prompt=note.prompt)))
        key = "assessment.report.follow_up_quote" if note.kind == "follow_up" else "assessment.report.example_quote"
        lines.append((0, t(key, text=" ".join(note.text.split()))))
        if note.codes:
            shown = [t("assessment.report.example_code", code=code, text=texts.get(code, "")) for code in note.codes]
            lines.append((1, t("assessment.report.example_shows", codes=t("assessment.list_separator").join(shown))))
        elif note.read:
            lines.append((1, t("assessment.report.example_shows_none")))
    return lines


def told_tasks(result: AssessmentResult) -> list[TaskResult]:
    """Tasks with something to quote: an example, a follow-up answer or a reviewer's comment."""
    return [task for task in result.tasks if task.notes or result.comment(task.code).strip()]


def plan_tasks(result: AssessmentResult, codes: Sequence[str]) -> str:
    return task_names(result, codes)


# ====================================================================== Markdown report
def markdown_report(result: AssessmentResult) -> str:
    sections = [
        t("assessment.report.title", title=result.title, code=result.standard),
        _meta_block(result),
        "\n\n".join([t("assessment.report.overall_head"), *overall_sentences(result)]),
        "\n\n".join([t("assessment.report.reading_head"), *reading_notes(result)]),
        _duty_table(result),
        _task_table(result),
        _examples_block(result),
        _strengths_block(result),
        _gaps_block(result),
        _plan_block(result),
        _levels_block(result),
        _answers_block(result),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _meta_block(result: AssessmentResult) -> str:
    return t(
        "assessment.report.meta",
        person=result.user_name or t("assessment.report.person_unknown"),
        title=result.title,
        code=result.standard,
        date=result.date,
        scope=result.scope_label,
        answered=result.answered,
        total=result.total,
        skipped=result.skipped,
        review=review_line(result),
    )


def _duty_table(result: AssessmentResult) -> str:
    reviewed = result.review is not None
    rows = []
    for d in result.duties:
        scores = [score_text(result.duty_mean(d.code))]
        if reviewed:
            scores.append(score_text(result.final_duty_mean(d.code)))
        rows.append("| " + " | ".join(_cell(cell) for cell in [d.code, d.title, *scores]) + " |")
    head = t("assessment.report.duty_table_head_reviewed" if reviewed else "assessment.report.duty_table_head")
    return "\n".join([t("assessment.report.duties_head"), "", head, *rows])


def _task_table(result: AssessmentResult) -> str:
    reviewed = result.review is not None
    rows = []
    for task in result.tasks:
        level = task.level if task.level is not None else ""
        ratings = [rating_text(task.mean), *([confirmed_text(result, task)] if reviewed else [])]
        cells = [
            task.code,
            task.title,
            level,
            f"{task.answered}/{task.asked}",
            *ratings,
            met_word(result, task),
            flag_label(task.flag),
            shown_codes(task) if task.shown else "",
        ]
        rows.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    head = t("assessment.report.task_table_head_reviewed" if reviewed else "assessment.report.task_table_head")
    return "\n".join([t("assessment.report.tasks_head"), "", head, *rows])


def _examples_block(result: AssessmentResult) -> str:
    """Every task with examples or a comment: the person's own words and the reviewer's, quoted."""
    told = told_tasks(result)
    if not told:
        return ""
    lines = [t("assessment.report.examples_head")]
    for task in told:
        lines += ["", t("assessment.report.example_task", task=task_name(task.code, task.title)), ""]
        lines += ["  " * indent + "- " + text for indent, text in task_story(result, task)]
    return "\n".join(lines)


def _levels_block(result: AssessmentResult) -> str:
    if not result.levels:
        return ""
    return "\n".join([t("assessment.report.levels_head"), "", *("- " + line for line in level_sentences(result))])


def _strengths_block(result: AssessmentResult) -> str:
    titles = {task.code: task.title for task in result.tasks}
    items = [f"- {task_name(code, titles.get(code, ''))}" for code in result.strengths] or [t("assessment.report.none")]
    return "\n".join([t("assessment.report.strengths_head"), "", *items])


def _gaps_block(result: AssessmentResult) -> str:
    lines = [t("assessment.report.gaps_head"), ""]
    if not result.gaps:
        lines.append(t("assessment.report.none"))
    for gap in result.gaps:
        task = result.task(gap.code)
        words = rating_text(result.final_mean(task)) if task else rating_text(None)
        lines.append("- " + t("assessment.report.gap_line", task=task_name(gap.code, gap.title), words=words))
    return "\n".join(lines)


def _plan_block(result: AssessmentResult) -> str:
    plan = result.learning_plan()
    outputs = plan_outputs(result)
    if not plan and not outputs:
        return ""
    lines = [t("assessment.report.plan_head"), "", t("assessment.report.plan_intro")]
    for items, head in ((plan.knowledge, "plan_knowledge"), (plan.skills, "plan_skills")):
        if items:
            lines += ["", t(f"assessment.report.{head}"), ""]
            lines += [
                "- " + t("assessment.report.plan_item", code=item.code, text=item.text, tasks=plan_tasks(result, item.tasks))
                for item in items
            ]
    if outputs:
        lines += ["", t("assessment.report.plan_outputs"), ""]
        lines += [
            "- " + t("assessment.report.plan_output", code=output.code, text=output.text, task=plan_tasks(result, [task]))
            for output, task in outputs
        ]
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
    titles = {task.code: task.title for task in result.tasks}
    rows = (
        [
            entry.index + 1,
            entry.code,
            titles.get(entry.task) or entry.task,  # the task's name: the code column already holds a code
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
    """One row per person, assessment and task: who, which standard, when, the task's score and evidence, and
    the reviewer's rating where a review finished."""
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
            "" if (confirmed := result.confirmed(task.code)) is None else confirmed,
            reviewer_of(result) if result.review else "",
        ]
        for result in results
        for task in result.tasks
    )
    return csv_bytes(raw("assessment.report.team_header"), rows)
