"""Interview-style self-assessment against a 職能基準 or a 職能單元.

Scopes (fixed when the assessment starts, stored as the question list in `assessments.questions`):
- quick (`scope="quick"`): one question per task (T1.1 …). A standard with more than
  MAX_QUESTIONS tasks (INM3513-005 has 35) asks the person to tick duties first; the ticked
  duties' tasks are assessed (`scope="quick:<hex mask of duty positions>"`), at most MAX_QUESTIONS.
- deep (`scope="duty:T2"`): one question per 行為指標 P of one duty, grouped under the task row
  the indicator is printed in.
- 職能單元 (`scope="section:工作任務一"`): one question per numbered item of one work section;
  an item plays the part of a task, the section that of a duty.

Answers are 0–3 (SCALE), or None when skipped. Every answer is written to `answers` as it is
given and the next position to `assessments.position`, so nothing lives in the process. A 2 or 3
is followed by one optional sentence of evidence (`assessments.awaiting_evidence` holds the question
index meanwhile). The name given to begin() waits in a row with status "draft" until a scope is picked
(a button press carries no name).

Scoring (pure functions below): a task's score is the mean of its answered questions as a share of 3
(0–100 %); skipped questions do not count, and a task with all of them skipped has no score. A duty's
score and the overall score are the means of their scored tasks (every task weighs the same). A task
is met at a mean of at least 2; a 職能級別 is met when every task of that level in the assessment is
met. Strengths are tasks at 3; gaps are scored tasks below 2, with the K and S texts the standard
lists for them (what to learn) and their outputs O (what to be able to produce).

Callback data (all below 64 bytes, built from codes only so they survive restarts):
  as:std:<code>, as:begin:<code>  pick a standard (the engine's buttons use as:begin:)
  as:q:<code>                quick assessment
  as:qm:<code>:<mask>        tick duties (quick)       as:qg:<code>:<mask>     start ticked duties
  as:d:<code>                list duties (deep)        as:dd:<code>:<duty>     start deep on a duty
  as:u:<code>:<section id>   start a 職能單元 section
  as:a:<id>:<q>:<0-3|s>      answer / skip question q  as:b:<id>:<q>           back from question q
  as:e:<id>:<q>              no evidence for q         as:x:<id>               cancel
  as:rs                      resume                    as:rn[:<code>]          drop the active one, start anew
  as:rep:<id>                send a report again       as:hist                 list past results
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from statistics import fmean
from typing import Any

from sqlalchemy import and_, delete, func, select

from bot import report as report_files
from bot.replies import Button, Reply
from bot.report import scale_label
from bot.store import Database, answers, assessments, utcnow
from index.catalog import Catalog
from index.model import Document, Duty, Item, Standard, Task, Unit, UnitSection
from prompts import t

log = logging.getLogger(__name__)

PREFIX = "as:"
SCALE = (0, 1, 2, 3)
SCALE_MAX = 3
MET_THRESHOLD = 2  # a task whose mean answer is at least this is met ("能獨立完成")
MAX_QUESTIONS = 25
EVIDENCE_MAX_CHARS = 500
HISTORY_SIZE = 10
TAIWAN = timezone(timedelta(hours=8))  # no daylight saving time in Taiwan
DRAFT = "draft"  # status of a row that only keeps the name begin() was given


# ====================================================================== questions
@dataclass(frozen=True, slots=True)
class Question:
    """One question, fixed when the assessment starts (its texts do not depend on a later catalog)."""

    code: str  # what is asked about: T2.2, P2.2.1 or 工作任務一-1
    kind: str  # "task", "indicator" or "item"
    text: str  # the task title, indicator or item text
    task: str
    task_title: str
    duty: str
    duty_title: str
    level: int | None = None
    example: str = ""  # first indicator of a task (quick questions)
    outputs: tuple[str, ...] = ()  # "O2.2.1 品質規格書"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outputs"] = list(self.outputs)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        return cls(**{**data, "outputs": tuple(data.get("outputs", ()))})


def _sentence(text: str) -> str:
    """An item text ready to sit inside a question: no note marks, no final full stop."""
    text = re.sub(r"【註\d+】", "", text)
    return text.strip().rstrip("。；;.，, ")


def _output_labels(task: Task) -> tuple[str, ...]:
    return tuple(f"{o.code} {o.text}".strip() for o in task.outputs)


def quick_questions(duties: Sequence[Duty]) -> list[Question]:
    return [
        Question(
            code=task.code,
            kind="task",
            text=task.title,
            task=task.code,
            task_title=task.title,
            duty=duty.code,
            duty_title=duty.title,
            level=task.level,
            example=_sentence(task.indicators[0].text) if task.indicators else "",
            outputs=_output_labels(task),
        )
        for duty in duties
        for task in duty.tasks
    ]


def deep_questions(duty: Duty) -> list[Question]:
    return [
        Question(
            code=indicator.code,
            kind="indicator",
            text=_sentence(indicator.full_text),
            task=task.code,
            task_title=task.title,
            duty=duty.code,
            duty_title=duty.title,
            level=task.level,
            outputs=_output_labels(task),
        )
        for task in duty.tasks
        for indicator in task.indicators
    ]


def section_questions(unit: Unit, section: UnitSection) -> list[Question]:
    return [
        Question(
            code=item.code,
            kind="item",
            text=_sentence(item.full_text),
            task=item.code,
            task_title=_sentence(item.text),
            duty=section.id,
            duty_title=section.title,
            level=unit.level,
        )
        for item in section.items
    ]


def duty_mask(positions: Sequence[int]) -> str:
    return format(sum(1 << p for p in set(positions)), "x")


def duties_in_mask(standard: Standard, mask: str) -> list[Duty]:
    try:
        bits = int(mask, 16)
    except ValueError:
        return []
    return [d for i, d in enumerate(standard.duties) if bits >> i & 1]


# ====================================================================== scoring (pure)
@dataclass(frozen=True, slots=True)
class TaskScore:
    code: str
    title: str
    duty: str
    level: int | None
    mean: float | None  # mean answer 0–3 over answered questions; None when all were skipped
    answered: int
    asked: int

    @property
    def percent(self) -> float | None:
        return to_percent(self.mean)

    @property
    def met(self) -> bool:
        return self.mean is not None and self.mean >= MET_THRESHOLD


@dataclass(frozen=True, slots=True)
class DutyScore:
    code: str
    title: str
    percent: float | None  # mean of its scored tasks' percentages


@dataclass(frozen=True, slots=True)
class LevelReadiness:
    level: int
    met: bool  # every task of this level in the assessment has a score and is met
    tasks: tuple[str, ...]
    unmet: tuple[str, ...]  # below the threshold or not scored


def to_percent(mean: float | None) -> float | None:
    return None if mean is None else mean / SCALE_MAX * 100


def score_tasks(questions: Sequence[Question], scores: Mapping[int, int | None]) -> list[TaskScore]:
    """Per task: the mean of its answered questions. Skipped (None) or unanswered questions do not count."""
    grouped: dict[str, list[int]] = {}
    asked: dict[str, int] = {}
    first: dict[str, Question] = {}
    for index, question in enumerate(questions):
        first.setdefault(question.task, question)
        asked[question.task] = asked.get(question.task, 0) + 1
        value = scores.get(index)
        grouped.setdefault(question.task, [])
        if value is not None:
            grouped[question.task].append(value)
    return [
        TaskScore(
            code=code,
            title=q.task_title,
            duty=q.duty,
            level=q.level,
            mean=fmean(grouped[code]) if grouped[code] else None,
            answered=len(grouped[code]),
            asked=asked[code],
        )
        for code, q in first.items()
    ]


def score_duties(questions: Sequence[Question], tasks: Sequence[TaskScore]) -> list[DutyScore]:
    titles = {q.duty: q.duty_title for q in questions}
    out: list[DutyScore] = []
    for code, title in titles.items():
        values = [task.percent for task in tasks if task.duty == code and task.percent is not None]
        out.append(DutyScore(code, title, fmean(values) if values else None))
    return out


def overall_percent(tasks: Sequence[TaskScore]) -> float | None:
    """Every scored task weighs the same."""
    values = [task.percent for task in tasks if task.percent is not None]
    return fmean(values) if values else None


def level_readiness(tasks: Sequence[TaskScore]) -> list[LevelReadiness]:
    levels = sorted({task.level for task in tasks if task.level is not None})
    out: list[LevelReadiness] = []
    for level in levels:
        of_level = [task for task in tasks if task.level == level]
        unmet = tuple(task.code for task in of_level if not task.met)
        out.append(LevelReadiness(level, not unmet, tuple(task.code for task in of_level), unmet))
    return out


def strengths(tasks: Sequence[TaskScore]) -> list[TaskScore]:
    return [task for task in tasks if task.mean is not None and task.mean >= SCALE_MAX]


def gaps(tasks: Sequence[TaskScore]) -> list[TaskScore]:
    return [task for task in tasks if task.mean is not None and task.mean < MET_THRESHOLD]


# ====================================================================== result (stored as JSON)
def _coded(table: Mapping[str, Item], codes: Sequence[str]) -> list[dict[str, str]]:
    return [{"code": code, "text": table[code].full_text if code in table else ""} for code in codes]


def _gap_detail(doc: Document | None, task: TaskScore) -> dict[str, Any]:
    detail: dict[str, Any] = {"code": task.code, "title": task.title, "percent": task.percent}
    found = doc.task(task.code) if isinstance(doc, Standard) else None
    detail["knowledge"] = _coded(doc.knowledge, found.knowledge) if found and doc else []
    detail["skills"] = _coded(doc.skills, found.skills) if found and doc else []
    detail["outputs"] = [{"code": o.code, "text": o.text} for o in found.outputs] if found else []
    return detail


def build_result(
    doc: Document | None, meta: Mapping[str, Any], questions: Sequence[Question], given: Mapping[int, dict[str, Any]]
) -> dict[str, Any]:
    """Everything a summary, a chart and a report need, as plain JSON."""
    scores = {index: row["score"] for index, row in given.items()}
    tasks = score_tasks(questions, scores)
    result: dict[str, Any] = dict(meta)
    result.update(
        total=len(questions),
        answered=sum(1 for v in scores.values() if v is not None),
        overall=overall_percent(tasks),
        duties=[asdict(d) for d in score_duties(questions, tasks)],
        tasks=[{**asdict(task), "percent": task.percent, "met": task.met} for task in tasks],
        levels=[asdict(level) for level in level_readiness(tasks)],
        strengths=[task.code for task in strengths(tasks)],
        gaps=[_gap_detail(doc, task) for task in gaps(tasks)],
        unscored=[task.code for task in tasks if task.mean is None],
        answers=[_answer_entry(index, q, given.get(index)) for index, q in enumerate(questions)],
    )
    result["skipped"] = result["total"] - result["answered"]
    if isinstance(doc, Unit) and result["gaps"]:
        result["unit_knowledge"] = _coded(doc.knowledge, list(doc.knowledge))
        result["unit_skills"] = _coded(doc.skills, list(doc.skills))
    return result


def _answer_entry(index: int, question: Question, row: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        "index": index,
        "code": question.code,
        "task": question.task,
        "question": question_text(question),
        "score": row["score"] if row else None,
        "evidence": (row or {}).get("evidence"),
    }


# ====================================================================== texts
def question_text(question: Question) -> str:
    if question.kind == "task":
        if question.example:
            return t("assessment.question_task", title=question.text, example=question.example)
        return t("assessment.question_task_plain", title=question.text)
    if question.kind == "indicator":
        return t("assessment.question_indicator", text=question.text)
    return t("assessment.question_item", text=question.text)


def local_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TAIWAN).strftime("%Y-%m-%d %H:%M")


# ====================================================================== the service
@dataclass(slots=True)
class _Active:
    id: int
    standard: str
    scope: str
    questions: list[Question]
    position: int
    awaiting: int | None
    user_name: str = ""


class AssessmentService:
    """The assessment conversation. Stateless in the process: every step reads and writes the database."""

    def __init__(self, catalog: Catalog, db: Database) -> None:
        self.catalog = catalog
        self.db = db

    def reload(self, catalog: Catalog) -> None:
        self.catalog = catalog

    # ------------------------------------------------------------ starting
    def begin(self, user_id: int, chat_id: int, standard: str | None, user_name: str = "") -> list[Reply]:
        active = self._active(user_id)
        if active:
            return [self._conflict(active, standard)]
        self._remember_name(user_id, chat_id, user_name)
        if not standard:
            return [self._standard_menu(t("assessment.choose_standard"))]
        doc = self._find(standard)
        if doc is None:
            return [self._standard_menu(t("assessment.unknown_standard", name=standard))]
        return self._scope_menu(doc)

    def _find(self, name: str) -> Document | None:
        doc = self.catalog.get(name)
        if doc is not None:
            return doc
        wanted = name.strip()
        return next((d for d in self.catalog.current() if d.title == wanted), None)

    def _standard_menu(self, text: str) -> Reply:
        rows = [
            [Button(t("assessment.standard_button", title=d.title, code=d.code), f"{PREFIX}std:{d.code}")]
            for d in self.catalog.current()
        ]
        return Reply(text=text, buttons=rows)

    def _conflict(self, active: _Active, standard: str | None) -> Reply:
        doc = self.catalog.get(active.standard)
        wanted = self._find(standard) if standard else None
        restart = f"{PREFIX}rn:{wanted.code}" if wanted else f"{PREFIX}rn"
        text = t(
            "assessment.already_active",
            title=doc.title if doc else active.standard,
            code=active.standard,
            position=min(active.position + 1, len(active.questions)),
            total=len(active.questions),
        )
        buttons = [
            [Button(t("assessment.resume_button"), f"{PREFIX}rs")],
            [Button(t("assessment.restart_button"), restart)],
        ]
        return Reply(text=text, buttons=buttons)

    def _scope_menu(self, doc: Document) -> list[Reply]:
        replies: list[Reply] = []
        if doc.status == "historical":
            latest = self.catalog.latest_of(doc)
            replies.append(Reply(text=t("assessment.historical_note", code=doc.code, latest=latest.code)))
        if isinstance(doc, Unit):
            replies.append(self._section_menu(doc))
            return replies
        key = "assessment.choose_scope" if len(doc.tasks) <= MAX_QUESTIONS else "assessment.choose_scope_too_many"
        text = t(key, title=doc.title, code=doc.code, quick=len(doc.tasks), tasks=len(doc.tasks), limit=MAX_QUESTIONS)
        buttons = [
            [Button(t("assessment.scope_quick"), f"{PREFIX}q:{doc.code}")],
            [Button(t("assessment.scope_deep"), f"{PREFIX}d:{doc.code}")],
        ]
        replies.append(Reply(text=text, buttons=buttons))
        return replies

    def _section_menu(self, unit: Unit) -> Reply:
        rows = [
            [
                Button(
                    t("assessment.section_button", section=s.id, title=s.title, count=len(s.items)),
                    f"{PREFIX}u:{unit.code}:{s.id}",
                )
            ]
            for s in unit.sections
            if s.items
        ]
        return Reply(text=t("assessment.choose_section", title=unit.title, code=unit.code), buttons=rows)

    def _duty_menu(self, standard: Standard) -> Reply:
        rows = [
            [
                Button(
                    t("assessment.duty_button", code=d.code, title=d.title, count=len(deep_questions(d))),
                    f"{PREFIX}dd:{standard.code}:{d.code}",
                )
            ]
            for d in standard.duties
            if deep_questions(d)
        ]
        return Reply(text=t("assessment.choose_duty"), buttons=rows)

    def _duty_ticks(self, standard: Standard, mask: str, edit: bool) -> Reply:
        chosen = duties_in_mask(standard, mask)
        count = sum(len(d.tasks) for d in chosen)
        rows: list[list[Button]] = []
        for position, duty in enumerate(standard.duties):
            on = duty in chosen
            toggled = [i for i, d in enumerate(standard.duties) if (d in chosen) != (i == position)]
            key = "assessment.duty_toggle_on" if on else "assessment.duty_toggle_off"
            label = t(key, code=duty.code, title=duty.title, count=len(duty.tasks))
            rows.append([Button(label, f"{PREFIX}qm:{standard.code}:{duty_mask(toggled)}")])
        start = t("assessment.start_selected", count=count)
        rows.append(
            [Button(start, f"{PREFIX}qg:{standard.code}:{duty_mask([standard.duties.index(d) for d in chosen])}")]
        )
        text = t("assessment.choose_duties", selected=count, limit=MAX_QUESTIONS)
        return Reply(text=text, buttons=rows, edit=edit)

    def _start_quick(self, user_id: int, chat_id: int, standard: Standard, mask: str | None) -> list[Reply]:
        if mask is None:
            if len(standard.tasks) > MAX_QUESTIONS:
                return [self._duty_ticks(standard, duty_mask([]), edit=False)]
            return self._start(user_id, chat_id, standard, "quick", quick_questions(standard.duties))
        duties = duties_in_mask(standard, mask)
        count = sum(len(d.tasks) for d in duties)
        if not duties:
            return [Reply(text=t("assessment.nothing_selected")), self._duty_ticks(standard, mask, edit=False)]
        if count > MAX_QUESTIONS:
            warning = Reply(text=t("assessment.too_many_selected", count=count, limit=MAX_QUESTIONS))
            return [warning, self._duty_ticks(standard, mask, edit=False)]
        return self._start(user_id, chat_id, standard, f"quick:{mask}", quick_questions(duties))

    def _start(self, user_id: int, chat_id: int, doc: Document, scope: str, questions: list[Question]) -> list[Reply]:
        already = self._active(user_id)
        if already:
            return [self._conflict(already, doc.code)]
        with self.db.begin() as conn:
            new_id = conn.execute(
                assessments.insert().values(
                    user_id=user_id,
                    chat_id=chat_id,
                    user_name=self._take_name(conn, user_id),
                    standard=doc.code,
                    scope=scope,
                    questions=[q.to_dict() for q in questions],
                    position=0,
                    status="active",
                )
            ).inserted_primary_key[0]
        active = self._load(new_id)
        intro = t(
            "assessment.intro", title=doc.title, code=doc.code, scope=self.scope_label(doc, scope), total=len(questions)
        )
        return [Reply(text=intro), self._question_reply(active, active.position)]

    def scope_label(self, doc: Document | None, scope: str) -> str:
        kind, _, arg = scope.partition(":")
        if kind == "quick" and not arg:
            return t("assessment.scope_quick_label")
        if kind == "quick" and isinstance(doc, Standard):
            codes = [d.code for d in duties_in_mask(doc, arg)]
            return t("assessment.scope_quick_duties_label", duties=t("assessment.list_separator").join(codes))
        if kind == "duty":
            duty = doc.duty(arg) if isinstance(doc, Standard) else None
            return t("assessment.scope_deep_label", duty=arg, title=duty.title if duty else "")
        section = next((s for s in doc.sections if s.id == arg), None) if isinstance(doc, Unit) else None
        return t("assessment.scope_section_label", section=arg, title=section.title if section else "")

    # ------------------------------------------------------------ buttons
    def on_button(self, user_id: int, chat_id: int, data: str) -> list[Reply]:
        action, *args = data.removeprefix(PREFIX).split(":")
        handlers = {
            "std": self._on_standard,
            "begin": self._on_standard,  # the engine's buttons (bot/engine.py) start with as:begin:<code>
            "q": self._on_quick,
            "qm": self._on_tick,
            "qg": self._on_quick_duties,
            "d": self._on_deep,
            "dd": self._on_deep_duty,
            "u": self._on_section,
            "a": self._on_answer,
            "b": self._on_back,
            "e": self._on_no_evidence,
            "x": lambda u, _c, _a: self.cancel(u),
            "rs": lambda u, c, _a: self.resume(u, c),
            "rn": self._on_restart,
            "rep": self._on_report,
            "hist": lambda u, _c, _a: self.history(u),
        }
        handler = handlers.get(action)
        try:
            return handler(user_id, chat_id, args) if handler else self._stale(user_id)
        except (ValueError, IndexError):
            return self._stale(user_id)

    def _on_standard(self, user_id: int, chat_id: int, args: list[str]) -> list[Reply]:
        return self.begin(user_id, chat_id, args[0])

    def _standard_arg(self, args: list[str]) -> Standard:
        doc = self.catalog.get(args[0])
        if not isinstance(doc, Standard):
            raise ValueError(args[0])
        return doc

    def _on_quick(self, user_id: int, chat_id: int, args: list[str]) -> list[Reply]:
        return self._start_quick(user_id, chat_id, self._standard_arg(args), None)

    def _on_tick(self, _user_id: int, _chat_id: int, args: list[str]) -> list[Reply]:
        return [self._duty_ticks(self._standard_arg(args), args[1], edit=True)]

    def _on_quick_duties(self, user_id: int, chat_id: int, args: list[str]) -> list[Reply]:
        return self._start_quick(user_id, chat_id, self._standard_arg(args), args[1])

    def _on_deep(self, _user_id: int, _chat_id: int, args: list[str]) -> list[Reply]:
        return [self._duty_menu(self._standard_arg(args))]

    def _on_deep_duty(self, user_id: int, chat_id: int, args: list[str]) -> list[Reply]:
        standard = self._standard_arg(args)
        duty = standard.duty(args[1])
        if duty is None or not deep_questions(duty):
            raise ValueError(args[1])
        return self._start(user_id, chat_id, standard, f"duty:{duty.code}", deep_questions(duty))

    def _on_section(self, user_id: int, chat_id: int, args: list[str]) -> list[Reply]:
        unit = self.catalog.get(args[0])
        section = next((s for s in unit.sections if s.id == args[1]), None) if isinstance(unit, Unit) else None
        if section is None or not section.items:
            raise ValueError(args[1])
        return self._start(user_id, chat_id, unit, f"section:{section.id}", section_questions(unit, section))  # type: ignore[arg-type]

    def _on_restart(self, user_id: int, chat_id: int, args: list[str]) -> list[Reply]:
        self._set_status(user_id, "cancelled")
        return self.begin(user_id, chat_id, args[0] if args else None)

    def _on_report(self, user_id: int, _chat_id: int, args: list[str]) -> list[Reply]:
        return self.report(user_id, int(args[0]))

    def _on_answer(self, user_id: int, _chat_id: int, args: list[str]) -> list[Reply]:
        active, index = self._checked(user_id, args, allow_awaiting=True)
        if active is None:
            return self._stale(user_id)
        score = None if args[2] == "s" else int(args[2])
        if score is not None and score not in SCALE:
            raise ValueError(args[2])
        self._save_answer(active, index, score)
        return self._current(user_id)

    def _on_back(self, user_id: int, _chat_id: int, args: list[str]) -> list[Reply]:
        active, index = self._checked(user_id, args, allow_awaiting=False)
        if active is None:
            return self._stale(user_id)
        if index == 0:
            return [Reply(text=t("assessment.first_question")), self._question_reply(active, 0)]
        self._update(active.id, position=index - 1, awaiting_evidence=None)
        return self._current(user_id)

    def _on_no_evidence(self, user_id: int, _chat_id: int, args: list[str]) -> list[Reply]:
        active = self._active(user_id)
        if active is None or active.id != int(args[0]) or active.awaiting != int(args[1]):
            return self._stale(user_id)
        self._update(active.id, awaiting_evidence=None)
        return self._current(user_id)

    def _checked(self, user_id: int, args: list[str], allow_awaiting: bool) -> tuple[_Active | None, int]:
        """The active assessment when a question button belongs to the question now on screen."""
        active = self._active(user_id)
        aid, index = int(args[0]), int(args[1])
        if active is None or active.id != aid or not 0 <= index < len(active.questions):
            return None, index
        on_screen = active.awaiting is None and index == active.position
        just_answered = allow_awaiting and active.awaiting == index  # changing the answer before the follow-up
        return (active, index) if on_screen or just_answered else (None, index)

    def _stale(self, user_id: int) -> list[Reply]:
        if self._active(user_id) is None:
            return [Reply(text=t("assessment.nothing_active"))]
        return [Reply(text=t("assessment.stale_button")), *self._current(user_id)]

    # ------------------------------------------------------------ text, resume, cancel
    def expects_text(self, user_id: int) -> bool:
        active = self._active(user_id)
        return active is not None and active.awaiting is not None

    def on_text(self, user_id: int, chat_id: int, text: str) -> list[Reply]:
        active = self._active(user_id)
        if active is None or active.awaiting is None:
            return []
        evidence = " ".join(text.split())[:EVIDENCE_MAX_CHARS]
        with self.db.begin() as conn:
            conn.execute(
                answers.update()
                .where(and_(answers.c.assessment_id == active.id, answers.c.question_index == active.awaiting))
                .values(evidence=evidence or None, answered_at=utcnow())
            )
            conn.execute(assessments.update().where(assessments.c.id == active.id).values(awaiting_evidence=None))
        return [Reply(text=t("assessment.answer.evidence_saved")), *self._current(user_id)]

    def has_active(self, user_id: int) -> bool:
        return self._active(user_id) is not None

    def resume(self, user_id: int, chat_id: int) -> list[Reply]:
        if self._active(user_id) is None:
            return [Reply(text=t("assessment.nothing_active"))]
        return self._current(user_id)

    def cancel(self, user_id: int) -> list[Reply]:
        active = self._active(user_id)
        if active is None:
            return [Reply(text=t("assessment.nothing_active"))]
        self._set_status(user_id, "cancelled")
        doc = self.catalog.get(active.standard)
        return [Reply(text=t("assessment.cancelled", title=doc.title if doc else "", code=active.standard))]

    # ------------------------------------------------------------ asking
    def _current(self, user_id: int) -> list[Reply]:
        """What the person should see now: the follow-up, the next question, or the result."""
        active = self._active(user_id)
        if active is None:
            return []
        if active.awaiting is not None:
            skip = Button(t("assessment.answer.skip"), f"{PREFIX}e:{active.id}:{active.awaiting}")
            return [Reply(text=t("assessment.answer.evidence_prompt"), buttons=[[skip]])]
        if active.position >= len(active.questions):
            return self._finish(active)
        return [self._question_reply(active, active.position)]

    def _question_reply(self, active: _Active, index: int) -> Reply:
        question = active.questions[index]
        given = self._given(active.id).get(index)
        lines = [self._progress(question, index, len(active.questions)), question_text(question)]
        if question.outputs:
            lines.append(
                t("assessment.question_outputs", outputs=t("assessment.list_separator").join(question.outputs))
            )
        if given is not None:
            lines.append(t("assessment.previous_answer", answer=scale_label(given["score"])))
        return Reply(text="\n".join(lines), buttons=self._answer_buttons(active.id, index))

    @staticmethod
    def _progress(question: Question, index: int, total: int) -> str:
        if question.code == question.task:
            return t("assessment.progress", number=index + 1, total=total, code=question.code)
        return t(
            "assessment.progress_with_task",
            number=index + 1,
            total=total,
            code=question.code,
            task=question.task,
            task_title=question.task_title,
        )

    @staticmethod
    def _answer_buttons(assessment_id: int, index: int) -> list[list[Button]]:
        base = f"{PREFIX}a:{assessment_id}:{index}"
        rows = [[Button(scale_label(score), f"{base}:{score}")] for score in SCALE]
        controls = [Button(t("assessment.answer.skip"), f"{base}:s")]
        if index > 0:
            controls.append(Button(t("assessment.answer.back"), f"{PREFIX}b:{assessment_id}:{index}"))
        controls.append(Button(t("assessment.answer.cancel"), f"{PREFIX}x:{assessment_id}"))
        return [*rows, controls]

    # ------------------------------------------------------------ finishing
    def _finish(self, active: _Active) -> list[Reply]:
        doc = self.catalog.get(active.standard)
        finished = utcnow()
        meta = {
            "id": active.id,
            "standard": active.standard,
            "title": doc.title if doc else active.standard,
            "kind": doc.kind if doc else "",
            "scope": active.scope,
            "scope_label": self.scope_label(doc, active.scope),
            "user_name": active.user_name,
            "finished_at": finished.isoformat(),
            "date": local_date(finished),
        }
        result = build_result(doc, meta, active.questions, self._given(active.id))
        self._update(active.id, status="done", finished_at=finished, result=result, awaiting_evidence=None)
        return self._result_replies(result)

    @staticmethod
    def _result_replies(result: Mapping[str, Any]) -> list[Reply]:
        buttons = [
            [
                Button(t("assessment.summary.report_button"), f"{PREFIX}rep:{result['id']}"),
                Button(t("assessment.summary.history_button"), f"{PREFIX}hist"),
            ]
        ]
        summary = Reply(text=report_files.summary_text(result), buttons=buttons)
        caption = t("assessment.summary.chart_caption", title=result["title"], code=result["standard"])
        try:
            chart = report_files.chart_png(result)
        except RuntimeError:  # no CJK font installed: the result is kept, the chart left out
            log.exception("chart for assessment %s not drawn", result["id"])
            return [summary]
        return [summary, Reply(text=caption, photo=chart)]

    # ------------------------------------------------------------ results kept
    def report(self, user_id: int, result_id: int | None = None) -> list[Reply]:
        rows = self._done(user_id, result_id)
        if not rows:
            key = "assessment.report.not_found" if result_id is not None else "assessment.report.none_yet"
            return [Reply(text=t(key))]
        result = rows[0]["result"]
        names = {"code": result["standard"], "id": result["id"]}
        text = t(
            "assessment.report.sent",
            id=result["id"],
            title=result["title"],
            code=result["standard"],
            date=result["date"],
        )
        markdown = report_files.markdown_report(result).encode()
        return [
            Reply(text=text, document=(t("assessment.report.markdown_name", **names), markdown)),
            Reply(document=(t("assessment.report.csv_name", **names), report_files.answers_csv(result))),
        ]

    def history(self, user_id: int) -> list[Reply]:
        rows = self._done(user_id, None)[:HISTORY_SIZE]
        if not rows:
            return [Reply(text=t("assessment.report.none_yet"))]
        lines = [t("assessment.history.head", count=len(rows))]
        buttons: list[list[Button]] = []
        for row in rows:
            result = row["result"]
            lines.append(
                t(
                    "assessment.history.line",
                    id=result["id"],
                    date=result["date"],
                    title=result["title"],
                    code=result["standard"],
                    scope=result["scope_label"],
                    overall=report_files.format_percent(result["overall"]),
                )
            )
            label = t("assessment.history.button", id=result["id"], code=result["standard"])
            buttons.append([Button(label, f"{PREFIX}rep:{result['id']}")])
        return [Reply(text="\n".join(lines), buttons=buttons)]

    def forget(self, user_id: int) -> list[Reply]:
        with self.db.begin() as conn:
            kept = conn.execute(
                select(func.count())
                .select_from(assessments)
                .where(and_(assessments.c.user_id == user_id, assessments.c.status != DRAFT))
            ).scalar_one()
        self.db.forget_user(user_id)
        return [Reply(text=t("assessment.history.forgotten", count=kept))]

    def team_export(self) -> list[Reply]:
        with self.db.begin() as conn:
            rows = conn.execute(
                select(assessments.c.user_id, assessments.c.result)
                .where(assessments.c.status == "done")
                .order_by(assessments.c.id)
            ).all()
        if not rows:
            return [Reply(text=t("assessment.report.team_empty"))]
        content = report_files.team_csv([(row.user_id, row.result) for row in rows])
        name = t("assessment.report.team_name", date=datetime.now(TAIWAN).strftime("%Y%m%d"))
        return [Reply(text=t("assessment.report.team_sent", count=len(rows)), document=(name, content))]

    # ------------------------------------------------------------ storage
    def _remember_name(self, user_id: int, chat_id: int, user_name: str) -> None:
        """A button press carries no name: keep the one begin() got in a draft row until a scope is picked."""
        if not user_name:
            return
        with self.db.begin() as conn:
            conn.execute(
                delete(assessments).where(and_(assessments.c.user_id == user_id, assessments.c.status == DRAFT))
            )
            conn.execute(
                assessments.insert().values(
                    user_id=user_id,
                    chat_id=chat_id,
                    user_name=user_name[:200],
                    standard="",
                    scope="",
                    questions=[],
                    position=0,
                    status=DRAFT,
                )
            )

    @staticmethod
    def _take_name(conn: Any, user_id: int) -> str:
        """The latest name this person was seen with (draft or earlier assessment); drafts are then dropped."""
        latest = conn.execute(
            select(assessments.c.user_name)
            .where(
                and_(
                    assessments.c.user_id == user_id,
                    assessments.c.user_name.is_not(None),
                    assessments.c.user_name != "",
                )
            )
            .order_by(assessments.c.id.desc())
            .limit(1)
        ).scalar()
        conn.execute(delete(assessments).where(and_(assessments.c.user_id == user_id, assessments.c.status == DRAFT)))
        return latest or ""

    def _active(self, user_id: int) -> _Active | None:
        with self.db.begin() as conn:
            row = (
                conn.execute(
                    select(assessments)
                    .where(and_(assessments.c.user_id == user_id, assessments.c.status == "active"))
                    .order_by(assessments.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        return _to_active(row) if row else None

    def _load(self, assessment_id: int) -> _Active:
        with self.db.begin() as conn:
            row = conn.execute(select(assessments).where(assessments.c.id == assessment_id)).mappings().one()
        return _to_active(row)

    def _update(self, assessment_id: int, **values: Any) -> None:
        with self.db.begin() as conn:
            conn.execute(assessments.update().where(assessments.c.id == assessment_id).values(**values))

    def _set_status(self, user_id: int, status: str) -> None:
        with self.db.begin() as conn:
            conn.execute(
                assessments.update()
                .where(and_(assessments.c.user_id == user_id, assessments.c.status == "active"))
                .values(status=status, finished_at=utcnow(), awaiting_evidence=None)
            )

    def _given(self, assessment_id: int) -> dict[int, dict[str, Any]]:
        with self.db.begin() as conn:
            rows = conn.execute(
                select(answers.c.question_index, answers.c.score, answers.c.evidence).where(
                    answers.c.assessment_id == assessment_id
                )
            ).all()
        return {row.question_index: {"score": row.score, "evidence": row.evidence} for row in rows}

    def _save_answer(self, active: _Active, index: int, score: int | None) -> None:
        """Write the answer and move on, in one transaction (a crash leaves either both or neither)."""
        question = active.questions[index]
        wants_evidence = score is not None and score >= MET_THRESHOLD
        where = and_(answers.c.assessment_id == active.id, answers.c.question_index == index)
        with self.db.begin() as conn:
            exists = conn.execute(select(answers.c.id).where(where)).first()
            if exists:
                changes: dict[str, Any] = {"score": score, "answered_at": utcnow()}
                if not wants_evidence:
                    changes["evidence"] = None
                conn.execute(answers.update().where(where).values(**changes))
            else:
                conn.execute(
                    answers.insert().values(
                        assessment_id=active.id,
                        question_index=index,
                        item_code=question.code,
                        task_code=question.task,
                        score=score,
                    )
                )
            conn.execute(
                assessments.update()
                .where(assessments.c.id == active.id)
                .values(position=index + 1, awaiting_evidence=index if wants_evidence else None)
            )

    def _done(self, user_id: int, result_id: int | None) -> list[Mapping[str, Any]]:
        query = select(assessments.c.id, assessments.c.result).where(
            and_(assessments.c.user_id == user_id, assessments.c.status == "done")
        )
        if result_id is not None:
            query = query.where(assessments.c.id == result_id)
        with self.db.begin() as conn:
            return list(conn.execute(query.order_by(assessments.c.id.desc())).mappings().all())


def _to_active(row: Mapping[str, Any]) -> _Active:
    questions = row["questions"]
    if isinstance(questions, str):
        questions = json.loads(questions)
    return _Active(
        id=row["id"],
        standard=row["standard"],
        scope=row["scope"],
        questions=[Question.from_dict(q) for q in questions],
        position=row["position"] or 0,
        awaiting=row["awaiting_evidence"],
        user_name=row["user_name"] or "",
    )
