"""The typed result of a finished assessment, and its JSON form in `assessments.result`.

Version 2 (this module) adds, per task, the evidence the person gave (examples and follow-up
answers, with the indicator and output codes each one shows) and a confidence flag. Results stored
before (version 1, no "version" key) are read too: their evidence sentences come back as
unread notes (`read=False`) and their tasks carry no flag until the service reads them again
(bot/assessment/service.py does so when it loads one, and stores the result back in version 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
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
