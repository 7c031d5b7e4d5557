"""The answer object of the `ask` contract (DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retrieval.dialogue import Resolved, Turn


@dataclass(slots=True)
class Citation:
    standard: str
    code: str
    text: str


@dataclass(slots=True)
class Choice:
    standard: str
    title: str


@dataclass(slots=True)
class Answer:
    question: str
    intent: str
    answer: str
    citations: list[Citation] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    elapsed_ms: float = 0.0
    standard: str | None = None  # the standard the answer is about (the chat remembers it)
    turn: Turn | None = None  # what the answer was about, for the next message (retrieval/dialogue.py)
    resolved: Resolved | None = None  # how the message was read against the conversation (None: on its own)
    follow_ups: list[tuple[str, str]] = field(default_factory=list)  # (button label, question): what to ask next

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question, "intent": self.intent, "answer": self.answer,
            "citations": [{"standard": c.standard, "code": c.code, "text": c.text} for c in self.citations],
            "choices": [{"standard": c.standard, "title": c.title} for c in self.choices],
            "elapsed_ms": round(self.elapsed_ms, 2),
        }
