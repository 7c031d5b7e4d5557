"""Scoring, pure: answers and evidence notes in, typed results out.

A task's score is the mean of its answered questions as a share of 3 (0–100 %); skipped questions do
not count, and a task with all of them skipped has no score. A duty's score and the overall score are
the means of their scored tasks (every task weighs the same). A task is met at a mean of at least 2; a
職能級別 is met when every task of that level in the assessment is met. Strengths are tasks at 3; gaps
are scored tasks below 2, with the K and S texts the standard lists for them and their outputs O.

The confidence flag of a scored task:
- backed (有實例佐證): the person's examples show at least one of the task's indicators or outputs;
- above_evidence (自評高於實例): examples were given (for a rating of 2 or 3) but show none of them;
- self_only (僅自評): no example (a rating below 2, or the example prompt skipped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from statistics import fmean
from typing import Any

from bot.assessment.questions import Question, question_text, split_labels
from bot.assessment.result import (
    MET_THRESHOLD,
    SCALE_MAX,
    AnswerRecord,
    AssessmentResult,
    Coded,
    DutyResult,
    Flag,
    Gap,
    LevelResult,
    Note,
    Review,
    TaskResult,
)
from index.model import Document, Item, Standard, Unit


def score_tasks(questions: Sequence[Question], scores: Mapping[int, int | None]) -> list[TaskResult]:
    """Per task: the mean of its answered questions. Skipped (None) or unanswered questions do not count."""
    given: dict[str, list[int]] = {}
    asked: dict[str, int] = {}
    first: dict[str, Question] = {}
    for index, question in enumerate(questions):
        first.setdefault(question.task, question)
        asked[question.task] = asked.get(question.task, 0) + 1
        value = scores.get(index)
        given.setdefault(question.task, [])
        if value is not None:
            given[question.task].append(value)
    return [
        TaskResult(
            code=code,
            title=q.task_title,
            duty=q.duty,
            level=q.level,
            mean=fmean(given[code]) if given[code] else None,
            answered=len(given[code]),
            asked=asked[code],
        )
        for code, q in first.items()
    ]


def score_duties(questions: Sequence[Question], tasks: Sequence[TaskResult]) -> list[DutyResult]:
    titles = {q.duty: q.duty_title for q in questions}
    out: list[DutyResult] = []
    for code, title in titles.items():
        values = [task.percent for task in tasks if task.duty == code and task.percent is not None]
        out.append(DutyResult(code, title, fmean(values) if values else None))
    return out


def overall_percent(tasks: Sequence[TaskResult]) -> float | None:
    """Every scored task weighs the same."""
    values = [task.percent for task in tasks if task.percent is not None]
    return fmean(values) if values else None


def level_readiness(tasks: Sequence[TaskResult]) -> list[LevelResult]:
    levels = sorted({task.level for task in tasks if task.level is not None})
    out: list[LevelResult] = []
    for level in levels:
        of_level = [task for task in tasks if task.level == level]
        unmet = tuple(task.code for task in of_level if not task.met)
        out.append(LevelResult(level, not unmet, tuple(task.code for task in of_level), unmet))
    return out


def strengths(tasks: Sequence[TaskResult]) -> list[TaskResult]:
    return [task for task in tasks if task.mean is not None and task.mean >= SCALE_MAX]


def gaps(tasks: Sequence[TaskResult]) -> list[TaskResult]:
    return [task for task in tasks if task.mean is not None and task.mean < MET_THRESHOLD]


# ====================================================================== evidence
def evidence_flag(task: TaskResult) -> Flag | None:
    if task.mean is None:
        return None
    if any(note.codes for note in task.notes):
        return "backed"
    if any(note.text for note in task.notes):
        return "above_evidence"
    return "self_only"


def with_evidence(task: TaskResult, notes: Iterable[Note], labels: Mapping[str, str]) -> TaskResult:
    """The task with its notes, the codes they show (texts from `labels`) and its flag."""
    kept = tuple(note for note in notes if note.text)
    codes: list[str] = []
    for note in kept:
        codes += [code for code in note.codes if code not in codes]
    shown = tuple(Coded(code, labels.get(code, "")) for code in codes)
    done = replace(task, notes=kept, shown=shown)
    unread = any(not note.read for note in kept)
    return replace(done, flag=None if unread else evidence_flag(done))


def code_texts(questions: Iterable[Question]) -> dict[str, str]:
    """Every indicator, output and item code the questions name, with its text."""
    texts: dict[str, str] = {}
    for question in questions:
        for code, text in split_labels((*question.indicators, *question.outputs)):
            texts.setdefault(code, text)
        texts.setdefault(question.code, question.text)
    return texts


# ====================================================================== the whole result
def _coded(table: Mapping[str, Item], codes: Sequence[str]) -> tuple[Coded, ...]:
    return tuple(Coded(code, table[code].full_text if code in table else "") for code in codes)


def gap_for(doc: Document | None, task: TaskResult) -> Gap:
    found = doc.task(task.code) if isinstance(doc, Standard) else None
    if found is None or not isinstance(doc, Standard):
        return Gap(task.code, task.title, task.percent)
    return Gap(
        code=task.code,
        title=task.title,
        percent=task.percent,
        knowledge=_coded(doc.knowledge, found.knowledge),
        skills=_coded(doc.skills, found.skills),
        outputs=tuple(Coded(o.code, o.text) for o in found.outputs),
    )


def build_result(
    doc: Document | None,
    questions: Sequence[Question],
    scores: Mapping[int, int | None],
    notes: Sequence[Note] = (),
    **meta: Any,
) -> AssessmentResult:
    """Everything a summary, a chart and a report need. `meta`: id, standard, title, scope … (see AssessmentResult)."""
    labels = code_texts(questions)
    by_task: dict[str, list[Note]] = {}
    for note in notes:
        if 0 <= note.question_index < len(questions):
            by_task.setdefault(questions[note.question_index].task, []).append(note)
    tasks = [with_evidence(task, by_task.get(task.code, ()), labels) for task in score_tasks(questions, scores)]
    unit = isinstance(doc, Unit) and bool(gaps(tasks))
    return AssessmentResult(
        **meta,
        total=len(questions),
        answered=sum(1 for value in scores.values() if value is not None),
        overall=overall_percent(tasks),
        duties=tuple(score_duties(questions, tasks)),
        tasks=tuple(tasks),
        levels=tuple(level_readiness(tasks)),
        strengths=tuple(task.code for task in strengths(tasks)),
        gaps=tuple(gap_for(doc, task) for task in gaps(tasks)),
        answers=tuple(
            AnswerRecord(index, q.code, q.task, question_text(q), scores.get(index))
            for index, q in enumerate(questions)
        ),
        unit_knowledge=_coded(doc.knowledge, list(doc.knowledge)) if unit and doc else (),
        unit_skills=_coded(doc.skills, list(doc.skills)) if unit and doc else (),
    )


def with_review(doc: Document | None, result: AssessmentResult, review: Review) -> AssessmentResult:
    """The result with its review attached: gaps, strengths and levels follow the ratings that count
    (the reviewer's where there is one); the self figures stay on the tasks and in `overall`."""
    reviewed = replace(result, review=review)
    final = reviewed.final_tasks()
    unit = isinstance(doc, Unit) and bool(gaps(final))
    return replace(
        reviewed,
        levels=tuple(level_readiness(final)),
        strengths=tuple(task.code for task in strengths(final)),
        gaps=tuple(gap_for(doc, task) for task in gaps(final)),
        unit_knowledge=_coded(doc.knowledge, list(doc.knowledge)) if unit and doc else (),
        unit_skills=_coded(doc.skills, list(doc.skills)) if unit and doc else (),
    )
