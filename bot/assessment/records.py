"""Assessments as typed records, stored through the storage layer (bot/store.py).

Nothing lives in the process: every answer is written as it is given, with the next position, so a
restart or a second process continues where the person stopped. `awaiting_evidence` holds the index
of the question whose example (or follow-up) is awaited; a follow-up waiting for its answer is an
evidence note with status "asked". A draft row keeps the name begin() was given (a button press
carries none) and the parts ticked for a quick assessment of a large standard.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.assessment.interview import FollowUp
from bot.assessment.questions import Question
from bot.assessment.result import AssessmentResult, Note, NoteKind
from bot.store import DONE, Database, utcnow

NAME_LIMIT = 200


@dataclass(slots=True)
class Active:
    id: int
    user_id: int
    chat_id: int
    standard: str
    scope: str
    questions: list[Question]
    position: int
    awaiting: int | None  # the question whose example or follow-up is awaited
    user_name: str = ""

    @property
    def finished(self) -> bool:
        return self.awaiting is None and self.position >= len(self.questions)


@dataclass(frozen=True, slots=True)
class Draft:
    user_name: str
    standard: str
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class StoredNote:
    id: int | None  # None: an evidence sentence kept on the answer row by an earlier version
    question_index: int
    task: str
    kind: NoteKind
    status: str  # "asked", "given" or "skipped"
    target: str
    prompt: str
    text: str
    codes: tuple[str, ...]

    @property
    def open(self) -> bool:
        return self.status == "asked"

    def note(self) -> Note:
        """As a result keeps it; a sentence of an earlier version has not been read against the indicators."""
        return Note(self.question_index, self.kind, self.text, self.codes, self.prompt, read=self.id is not None)


def _questions(value: Any) -> list[Question]:
    data = json.loads(value) if isinstance(value, str) else value
    return [Question.from_dict(q) for q in data or []]


def _active(row: Mapping[str, Any]) -> Active:
    return Active(
        id=row["id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        standard=row["standard"],
        scope=row["scope"],
        questions=_questions(row["questions"]),
        position=row["position"] or 0,
        awaiting=row["awaiting_evidence"],
        user_name=row["user_name"] or "",
    )


def _result(row: Mapping[str, Any]) -> AssessmentResult:
    data = row["result"]
    data = json.loads(data) if isinstance(data, str) else dict(data)
    data.update(id=row["id"], user_id=row["user_id"])  # the row is the authority on whose result it is
    return AssessmentResult.from_json(data)


ROWS = ("active", "answers", "notes")  # what a message reads of the assessment's rows (written: read again)


class Records:
    """The assessment's rows. Within one message (Database.unit_of_work) they are read once (a write of them makes
    them be read again) and the interview state is read once and written once, at the message's end, if it changed;
    outside one (a script, a test) every call goes to the database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------ assessments in progress
    def active(self, user_id: int) -> Active | None:
        row = self.db.remembered(("active", user_id), lambda: self.db.active_assessment(user_id))
        return _active(row) if row else None

    def start(self, user_id: int, chat_id: int, standard: str, scope: str, questions: Sequence[Question]) -> Active:
        self.db.forget_remembered(*ROWS)
        new_id = self.db.start_assessment(
            user_id, chat_id, standard=standard, scope=scope, questions=[q.to_dict() for q in questions]
        )
        row = self.db.assessment(new_id)
        assert row is not None
        return _active(row)

    def move(self, active: Active, position: int | None = None, awaiting: int | None = None) -> None:
        values: dict[str, Any] = {"awaiting_evidence": awaiting}
        if position is not None:
            values["position"] = position
        self.db.forget_remembered(*ROWS)
        self.db.update_assessment(active.id, **values)

    def save_answer(self, active: Active, index: int, score: int | None, wants_example: bool) -> None:
        """The answer (dropping that question's earlier notes) and the next step, in one transaction."""
        question = active.questions[index]
        awaiting = index if wants_example else None
        self.db.forget_remembered(*ROWS)
        self.db.save_answer(active.id, index, question.code, question.task, score, awaiting)

    def end(self, user_id: int, status: str) -> None:
        self.db.forget_remembered(*ROWS)
        self.db.end_active_assessments(user_id, status)

    def scores(self, active: Active) -> dict[int, int | None]:
        return {row["question_index"]: row["score"] for row in self._answer_rows(active)}

    def _answer_rows(self, active: Active) -> list[dict[str, Any]]:
        return self.db.remembered(("answers", active.id), lambda: self.db.answer_rows(active.id))  # type: ignore[no-any-return]

    # ------------------------------------------------------------ evidence notes
    def notes(self, active: Active) -> list[StoredNote]:
        """Every note of the assessment in the order written (sentences of earlier versions first)."""
        legacy = [
            StoredNote(None, row["question_index"], active.questions[row["question_index"]].task, "example",
                       "given", "", "", row["evidence"], ())
            for row in self._answer_rows(active)
            if row["evidence"] and row["question_index"] < len(active.questions)
        ]  # fmt: skip
        stored = [
            StoredNote(row["id"], row["question_index"], row["task_code"], row["kind"], row["status"],
                       row["target"] or "", row["prompt"] or "", row["text"] or "", tuple(row["codes"] or ()))
            for row in self.db.remembered(("notes", active.id), lambda: self.db.note_rows(active.id))
        ]  # fmt: skip
        return legacy + stored

    def open_follow_up(self, active: Active) -> StoredNote | None:
        return next((note for note in self.notes(active) if note.open and note.question_index == active.awaiting), None)

    def add_sentence(
        self, active: Active, index: int, text: str, codes: Sequence[str], follow_up: FollowUp | None
    ) -> None:
        """The example (or the answer to the open follow-up) and what comes next, in one transaction."""
        question = active.questions[index]
        open_note = self.open_follow_up(active)
        changed: dict[int, dict[str, Any]] = {}
        new: list[dict[str, Any]] = []
        values = {"text": text, "codes": list(codes), "status": "given"}
        if open_note and open_note.id is not None:
            changed[open_note.id] = values
        else:
            new.append({"question_index": index, "task_code": question.task, "kind": "example", **values})
        if follow_up:
            new.append(self._asked(index, question, follow_up))
        self.db.forget_remembered(*ROWS)
        self.db.save_notes(active.id, new, changed, awaiting_evidence=index if follow_up else None)

    @staticmethod
    def _asked(index: int, question: Question, follow_up: FollowUp) -> dict[str, Any]:
        return {
            "question_index": index,
            "task_code": question.task,
            "kind": "follow_up",
            "status": "asked",
            "target": follow_up.target,
            "prompt": follow_up.prompt,
            "codes": [],
        }

    def close_prompt(self, active: Active, position: int | None = None) -> None:
        """The awaited example or follow-up is not coming (skipped, or the person went back)."""
        open_note = self.open_follow_up(active)
        changed = {open_note.id: {"status": "skipped"}} if open_note and open_note.id is not None else {}
        values: dict[str, Any] = {"awaiting_evidence": None}
        if position is not None:
            values["position"] = position
        self.db.forget_remembered(*ROWS)
        self.db.save_notes(active.id, [], changed, **values)

    # ------------------------------------------------------------ between two messages (bot/assessment/service.py)
    def state(self, user_id: int) -> dict[str, Any]:
        return dict(self.db.remembered(("state", user_id), lambda: self._stored_state(user_id)))

    def _stored_state(self, user_id: int) -> dict[str, Any]:
        stored = self.db.interview_state(user_id)
        self.db.remember(("stored state", user_id), dict(stored))
        return stored

    def keep_state(self, user_id: int, state: dict[str, Any]) -> None:
        kept = {key: value for key, value in state.items() if value}
        self.db.remember(("state", user_id), dict(kept))
        if not self.db.defer(("write state", user_id), lambda: self._write_state(user_id, kept)):
            self.db.keep_interview_state(user_id, kept)

    def _write_state(self, user_id: int, kept: dict[str, Any]) -> None:
        """At the message's end: the state as last kept, unless it is what was read (an empty one deletes the row)."""
        if kept != self.db.peek(("stored state", user_id)):
            self.db.keep_interview_state(user_id, kept)

    # ------------------------------------------------------------ drafts
    def draft(self, user_id: int) -> Draft | None:
        row = self.db.draft(user_id)
        if row is None:
            return None
        return Draft(row["user_name"] or "", row["standard"] or "", tuple(_questions(row["questions"])))

    def keep_draft(
        self, user_id: int, chat_id: int, user_name: str, standard: str = "", questions: Sequence[Question] = ()
    ) -> None:
        self.db.forget_remembered(*ROWS)
        self.db.keep_draft(
            user_id,
            chat_id,
            user_name=user_name[:NAME_LIMIT],
            standard=standard,
            questions=[q.to_dict() for q in questions],
        )

    # ------------------------------------------------------------ results
    def finish(self, active: Active, result: AssessmentResult, finished: datetime | None = None) -> None:
        self.db.forget_remembered(*ROWS)
        self.db.update_assessment(
            active.id, status=DONE, finished_at=finished or utcnow(), result=result.to_json(), awaiting_evidence=None
        )

    def save_result(self, result: AssessmentResult) -> None:
        self.db.forget_remembered(*ROWS)
        self.db.update_assessment(result.id, result=result.to_json())

    def results(self, user_id: int | None = None, result_id: int | None = None) -> list[AssessmentResult]:
        """Finished results, newest first: one person's (one of them), or everyone's."""
        return [_result(row) for row in self.db.finished_rows(user_id, result_id) if row["result"]]

    def count(self, user_id: int) -> int:
        return self.db.count_assessments(user_id)

    def forget(self, user_id: int) -> None:
        self.db.forget_remembered()
        self.db.drop_deferred(("write state", user_id))
        self.db.forget_user(user_id)
