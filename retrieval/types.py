"""The answer object of the `ask` contract (DESIGN.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("standard")
        data["elapsed_ms"] = round(self.elapsed_ms, 2)
        return data
