"""The questions of an assessment, fixed when it starts, and the parts a large document is split into.

Scopes:
- quick: one question per task (T1.1 …). A standard with more than MAX_QUESTIONS tasks is assessed
  part by part: the person ticks parts (a duty, or a run of at most MAX_QUESTIONS tasks of a large duty).
- deep: one question per 行為指標 P of one duty (a large duty is split into parts of whole tasks).
- 職能單元: one question per numbered item of one work section; an item plays the part of a task,
  the section that of a duty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from index import codes
from index.model import Document, Duty, Item, Standard, Task, Unit, UnitSection
from prompts import t

MAX_QUESTIONS = 25


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
    indicators: tuple[str, ...] = ()  # "P2.2.1 依軟體需求規格書…": what an example is read against

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outputs"] = list(self.outputs)
        data["indicators"] = list(self.indicators)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            **{**data, "outputs": tuple(data.get("outputs", ())), "indicators": tuple(data.get("indicators", ()))}
        )

    @property
    def candidates(self) -> list[tuple[str, str]]:
        """(code, text) of every indicator and output an example for this question is read against."""
        return split_labels((*self.indicators, *self.outputs))

    @property
    def focus(self) -> tuple[str, ...]:
        """The codes this question is about, most important first: the indicator or item asked, else the task's P."""
        if self.kind in ("indicator", "item"):
            return (self.code,)
        return tuple(code for code, _text in split_labels(self.indicators))


def split_labels(labels: Sequence[str]) -> list[tuple[str, str]]:
    """("P2.2.1 依軟體…", …) -> [("P2.2.1", "依軟體…"), …]; a code repeated keeps its first text."""
    seen: dict[str, str] = {}
    for label in labels:
        code, _, text = label.partition(" ")
        seen.setdefault(code, text.strip())
    return list(seen.items())


def sentence(text: str) -> str:
    """An item text ready to sit inside a question: no note marks, no final full stop."""
    text = codes.NOTE_REF.sub("", text)
    return text.strip().rstrip("。；;.，, ")


def _labels(items: Sequence[Item]) -> tuple[str, ...]:
    return tuple(f"{item.code} {sentence(item.full_text)}".strip() for item in items)


def _output_labels(task: Task) -> tuple[str, ...]:
    return tuple(f"{o.code} {o.text}".strip() for o in task.outputs)


def quick_questions(duties: Sequence[Duty], tasks: Sequence[Task] | None = None) -> list[Question]:
    """One question per task of these duties (only `tasks` when given)."""
    wanted = {id(task) for task in tasks} if tasks is not None else None
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
            example=sentence(task.indicators[0].text) if task.indicators else "",
            outputs=_output_labels(task),
            indicators=_labels(task.indicators),
        )
        for duty in duties
        for task in duty.tasks
        if wanted is None or id(task) in wanted
    ]


def deep_questions(duty: Duty, tasks: Sequence[Task] | None = None) -> list[Question]:
    """One question per indicator of the duty's tasks (only `tasks` when given)."""
    return [
        Question(
            code=indicator.code,
            kind="indicator",
            text=sentence(indicator.full_text),
            task=task.code,
            task_title=task.title,
            duty=duty.code,
            duty_title=duty.title,
            level=task.level,
            outputs=_output_labels(task),
            indicators=_labels(task.indicators),
        )
        for task in (tasks if tasks is not None else duty.tasks)
        for indicator in task.indicators
    ]


def section_questions(unit: Unit, section: UnitSection) -> list[Question]:
    siblings = _labels(section.items)
    return [
        Question(
            code=item.code,
            kind="item",
            text=sentence(item.full_text),
            task=item.code,
            task_title=sentence(item.text),
            duty=section.id,
            duty_title=section.title,
            level=unit.level,
            indicators=siblings,
        )
        for item in section.items
    ]


def question_for(doc: Document | None, task: str) -> Question | None:
    """The quick question (for a 職能單元, the item question) of a task of a document as it is now."""
    if isinstance(doc, Unit):
        for section in doc.sections:
            found = [q for q in section_questions(doc, section) if q.code == task]
            if found:
                return found[0]
    if isinstance(doc, Standard):
        duty = next((d for d in doc.duties if any(x.code == task for x in d.tasks)), None)
        found = [q for q in quick_questions([duty]) if q.code == task] if duty else []
        return found[0] if found else None
    return None


# ====================================================================== parts of a large standard
@dataclass(frozen=True, slots=True)
class Part:
    """A duty, or a run of its tasks when the duty alone asks more than MAX_QUESTIONS questions."""

    duty: Duty
    tasks: tuple[Task, ...]
    number: int  # 0 for the first (or only) part of its duty

    @property
    def whole(self) -> bool:
        return len(self.tasks) == len(self.duty.tasks)

    @property
    def span(self) -> str:
        """ "T3.26–T3.50" (or the one task's code)."""
        first, last = self.tasks[0].code, self.tasks[-1].code
        return first if first == last else t("assessment.task_span", first=first, last=last)


def _runs(duty: Duty, size_of: Any) -> list[Part]:
    """The duty cut into runs of whole tasks whose questions add up to at most MAX_QUESTIONS."""
    parts: list[Part] = []
    run: list[Task] = []
    for task in duty.tasks:
        if run and sum(size_of(x) for x in run) + size_of(task) > MAX_QUESTIONS:
            parts.append(Part(duty, tuple(run), len(parts)))
            run = []
        run.append(task)
    if run:
        parts.append(Part(duty, tuple(run), len(parts)))
    return parts


def quick_parts(duties: Sequence[Duty]) -> list[Part]:
    """Every duty as one part, a duty of more than MAX_QUESTIONS tasks as runs of them."""
    return [part for duty in duties for part in _runs(duty, lambda _task: 1)]


def deep_parts(duty: Duty) -> list[Part]:
    """The duty's tasks in runs of at most MAX_QUESTIONS indicators (a task is never cut)."""
    return [part for part in _runs(duty, lambda task: len(task.indicators)) if deep_questions(duty, part.tasks)]


# ====================================================================== texts
def question_text(question: Question) -> str:
    if question.kind == "task":
        if question.example:
            return t("assessment.question_task", title=question.text, example=question.example)
        return t("assessment.question_task_plain", title=question.text)
    if question.kind == "indicator":
        return t("assessment.question_indicator", text=question.text)
    return t("assessment.question_item", text=question.text)


def progress_line(question: Question, index: int, total: int) -> str:
    """「第 4/7 題｜T2.2」, with the task for an indicator question."""
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
