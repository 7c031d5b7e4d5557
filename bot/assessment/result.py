"""The typed result of a finished assessment, and its JSON form in `assessments.result`.

Version 2 (this module) adds, per task, the evidence the person gave (examples and follow-up
answers, with the indicator and output codes each one shows) and a confidence flag. Results stored
before (version 1, no "version" key) are read too: their evidence sentences come back as
unread notes (`read=False`) and their tasks carry no flag until the service reads them again
(bot/assessment/service.py does so when it loads one, and stores the result back in version 2).

A result read back may carry the latest finished review (`review`, attached by bot/assessment/archive.py
from the review links; never stored in the result's JSON). The reviewer's rating of a task then counts
instead of the self rating: `final_mean`, `final_overall` and `final_duty_mean` give the figures that count,
`overall_mean` and `duty_mean` the self figures, so both can be shown. The archive also recomputes gaps,
strengths and levels from the confirmed ratings (bot/assessment/scoring.py), so the learning plan follows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from statistics import fmean
from typing import Any, Literal

SCALE_MAX = 3
MET_THRESHOLD = 2  # a task whose mean answer is at least this is met ("能獨立完成")
VERSION = 2

Flag = Literal["backed", "self_only", "above_evidence"]
FLAGS: tuple[Flag, ...] = ("backed", "above_evidence", "self_only")  # the order summaries list them in
NoteKind = Literal["example", "follow_up"]


def to_percent(mean: float | None) -> float | None:
    return None if mean is None else mean / SCALE_MAX * 100


@dataclass(frozen=True, slots=True)
class Coded:
    """An item of the standard named by its code: P2.2.1, O2.2.1, K09, 工作任務一-1."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Note:
    """One sentence of evidence: an example, or the answer to a follow-up question."""

    question_index: int
    kind: NoteKind
    text: str
    codes: tuple[str, ...] = ()  # indicator / output codes it shows, best first
    prompt: str = ""  # the follow-up question it answers
    read: bool = True  # False: kept from a version 1 result, not matched yet


@dataclass(frozen=True, slots=True)
class TaskResult:
    """A task's self-rating and what the person's examples showed of it."""

    code: str
    title: str
    duty: str
    level: int | None
    mean: float | None  # mean answer 0–3 over answered questions; None when all were skipped
    answered: int
    asked: int
    shown: tuple[Coded, ...] = ()  # indicators and outputs the examples showed
    notes: tuple[Note, ...] = ()
    flag: Flag | None = None  # None: no score

    @property
    def percent(self) -> float | None:
        return to_percent(self.mean)

    @property
    def met(self) -> bool:
        return self.mean is not None and self.mean >= MET_THRESHOLD


@dataclass(frozen=True, slots=True)
class DutyResult:
    code: str
    title: str
    percent: float | None  # mean of its scored tasks' percentages


@dataclass(frozen=True, slots=True)
class LevelResult:
    level: int
    met: bool  # every task of this level in the assessment has a score and is met
    tasks: tuple[str, ...]
    unmet: tuple[str, ...]  # below the threshold or not scored


@dataclass(frozen=True, slots=True)
class Gap:
    """A task below the threshold, with what to learn (K), practise (S) and be able to produce (O)."""

    code: str
    title: str
    percent: float | None
    knowledge: tuple[Coded, ...] = ()
    skills: tuple[Coded, ...] = ()
    outputs: tuple[Coded, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewMark:
    """A reviewer's word on one task: the rating they confirm or set (None: left unrated) and a comment."""

    task: str
    rating: int | None
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Review:
    """The latest finished review of a result: who reviewed, when (local time as shown) and the marks."""

    reviewer: str
    date: str
    marks: tuple[ReviewMark, ...] = ()

    def mark(self, task: str) -> ReviewMark | None:
        return next((mark for mark in self.marks if mark.task == task), None)

    @property
    def rated(self) -> int:
        return sum(1 for mark in self.marks if mark.rating is not None)


@dataclass(frozen=True, slots=True)
class PlanItem:
    """A K or S of the learning plan, with the weak tasks that list it (in task order)."""

    code: str
    text: str
    tasks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LearningPlan:
    knowledge: tuple[PlanItem, ...] = ()
    skills: tuple[PlanItem, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.knowledge or self.skills)


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One question as asked and answered."""

    index: int
    code: str
    task: str
    question: str
    score: int | None  # None: skipped or never answered


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    id: int
    standard: str
    title: str
    kind: str = ""
    scope: str = ""
    scope_label: str = ""
    user_id: int | None = None
    user_name: str = ""
    finished_at: str = ""  # ISO 8601, UTC
    date: str = ""  # local (Taiwan) date and time as shown
    total: int = 0
    answered: int = 0
    overall: float | None = None
    duties: tuple[DutyResult, ...] = ()
    tasks: tuple[TaskResult, ...] = ()
    levels: tuple[LevelResult, ...] = ()
    strengths: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()
    answers: tuple[AnswerRecord, ...] = ()
    unit_knowledge: tuple[Coded, ...] = ()
    unit_skills: tuple[Coded, ...] = ()
    version: int = VERSION
    review: Review | None = None  # attached when read back; not part of the stored JSON

    @property
    def skipped(self) -> int:
        return self.total - self.answered

    @property
    def unscored(self) -> tuple[str, ...]:
        return tuple(task.code for task in self.tasks if task.mean is None)

    def task(self, code: str) -> TaskResult | None:
        return next((task for task in self.tasks if task.code == code), None)

    def flagged(self, flag: Flag) -> tuple[TaskResult, ...]:
        return tuple(task for task in self.tasks if task.flag == flag)

    def with_tasks(self, tasks: tuple[TaskResult, ...]) -> AssessmentResult:
        return replace(self, tasks=tasks, version=VERSION)

    # ------------------------------------------------------------ self and confirmed figures (0–3)
    def confirmed(self, code: str) -> int | None:
        """The reviewer's rating of a task; None when there is no review or the task was left unrated."""
        mark = self.review.mark(code) if self.review else None
        return None if mark is None else mark.rating

    def comment(self, code: str) -> str:
        mark = self.review.mark(code) if self.review else None
        return mark.comment if mark else ""

    def final_mean(self, task: TaskResult) -> float | None:
        """The rating that counts: the reviewer's where there is one, else the person's own."""
        confirmed = self.confirmed(task.code)
        return task.mean if confirmed is None else float(confirmed)

    def final_tasks(self) -> tuple[TaskResult, ...]:
        """The tasks with the rating that counts as their mean (the scoring rules then apply unchanged)."""
        if self.review is None:
            return self.tasks
        return tuple(replace(task, mean=self.final_mean(task)) for task in self.tasks)

    @property
    def overall_mean(self) -> float | None:
        """The self figure: the mean of the scored tasks' self ratings (each task weighs the same)."""
        return _mean(task.mean for task in self.tasks)

    @property
    def final_overall(self) -> float | None:
        return _mean(self.final_mean(task) for task in self.tasks)

    def duty_mean(self, duty: str) -> float | None:
        return _mean(task.mean for task in self.tasks if task.duty == duty)

    def final_duty_mean(self, duty: str) -> float | None:
        return _mean(self.final_mean(task) for task in self.tasks if task.duty == duty)

    @property
    def met_count(self) -> int:
        """Tasks whose rating that counts is at least 「能獨立完成」."""
        return sum(1 for task in self.final_tasks() if task.met)

    @property
    def scored_count(self) -> int:
        return sum(1 for task in self.final_tasks() if task.mean is not None)

    def learning_plan(self) -> LearningPlan:
        """The K and S of every gap, each once, the ones most weak tasks need first (then in the standard's
        order); a 職能單元's own K and S when it has gaps."""
        weak = tuple(gap.code for gap in self.gaps)
        knowledge = _plan([(gap.code, gap.knowledge) for gap in self.gaps])
        skills = _plan([(gap.code, gap.skills) for gap in self.gaps])
        if self.unit_knowledge or self.unit_skills:
            knowledge += tuple(PlanItem(item.code, item.text, weak) for item in self.unit_knowledge)
            skills += tuple(PlanItem(item.code, item.text, weak) for item in self.unit_skills)
        return LearningPlan(knowledge, skills)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("review")
        data["skipped"] = self.skipped
        data["unscored"] = list(self.unscored)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssessmentResult:
        """A result as stored: this version, or version 1 (evidence on the answers, no flags)."""
        legacy = int(data.get("version", 1)) < VERSION
        notes = _legacy_notes(data) if legacy else {}
        return cls(
            id=int(data["id"]),
            standard=data["standard"],
            title=data.get("title", data["standard"]),
            kind=data.get("kind", ""),
            scope=data.get("scope", ""),
            scope_label=data.get("scope_label", ""),
            user_id=data.get("user_id"),
            user_name=data.get("user_name") or "",
            finished_at=data.get("finished_at", ""),
            date=data.get("date", ""),
            total=int(data.get("total", 0)),
            answered=int(data.get("answered", 0)),
            overall=data.get("overall"),
            duties=tuple(DutyResult(d["code"], d["title"], d.get("percent")) for d in data.get("duties", [])),
            tasks=tuple(_task(task, notes.get(task["code"], ())) for task in data.get("tasks", [])),
            levels=tuple(
                LevelResult(lv["level"], lv["met"], tuple(lv["tasks"]), tuple(lv["unmet"]))
                for lv in data.get("levels", [])
            ),
            strengths=tuple(data.get("strengths", [])),
            gaps=tuple(_gap(gap) for gap in data.get("gaps", [])),
            answers=tuple(
                AnswerRecord(a["index"], a["code"], a["task"], a["question"], a.get("score"))
                for a in data.get("answers", [])
            ),
            unit_knowledge=_coded_all(data.get("unit_knowledge", [])),
            unit_skills=_coded_all(data.get("unit_skills", [])),
            version=1 if legacy else VERSION,
        )


def _mean(values: Any) -> float | None:
    scored = [value for value in values if value is not None]
    return fmean(scored) if scored else None


def _plan(needs: list[tuple[str, tuple[Coded, ...]]]) -> tuple[PlanItem, ...]:
    """Each item once, with the tasks that need it; most tasks first, first seen first among equals."""
    texts: dict[str, str] = {}
    tasks: dict[str, list[str]] = {}
    for task, items in needs:
        for item in items:
            texts.setdefault(item.code, item.text)
            if task not in tasks.setdefault(item.code, []):
                tasks[item.code].append(task)
    order = {code: n for n, code in enumerate(texts)}
    ranked = sorted(texts, key=lambda code: (-len(tasks[code]), order[code]))
    return tuple(PlanItem(code, texts[code], tuple(tasks[code])) for code in ranked)


def _coded_all(entries: Any) -> tuple[Coded, ...]:
    return tuple(Coded(entry["code"], entry.get("text", "")) for entry in entries or [])


def _note(data: Mapping[str, Any]) -> Note:
    return Note(
        question_index=data["question_index"],
        kind=data["kind"],
        text=data["text"],
        codes=tuple(data.get("codes", ())),
        prompt=data.get("prompt", ""),
        read=data.get("read", True),
    )


def _task(data: Mapping[str, Any], legacy_notes: tuple[Note, ...]) -> TaskResult:
    return TaskResult(
        code=data["code"],
        title=data["title"],
        duty=data["duty"],
        level=data.get("level"),
        mean=data.get("mean"),
        answered=data.get("answered", 0),
        asked=data.get("asked", 0),
        shown=_coded_all(data.get("shown")),
        notes=tuple(_note(note) for note in data.get("notes", [])) or legacy_notes,
        flag=data.get("flag"),
    )


def _gap(data: Mapping[str, Any]) -> Gap:
    return Gap(
        code=data["code"],
        title=data["title"],
        percent=data.get("percent"),
        knowledge=_coded_all(data.get("knowledge")),
        skills=_coded_all(data.get("skills")),
        outputs=_coded_all(data.get("outputs")),
    )


def _legacy_notes(data: Mapping[str, Any]) -> dict[str, tuple[Note, ...]]:
    """Version 1 kept one evidence sentence on each answer: those become unread example notes."""
    notes: dict[str, list[Note]] = {}
    for answer in data.get("answers", []):
        if answer.get("evidence"):
            note = Note(answer["index"], "example", answer["evidence"], read=False)
            notes.setdefault(answer["task"], []).append(note)
    return {task: tuple(found) for task, found in notes.items()}
