"""Test doubles shared by several test modules (registered by the tests, never by the product)."""

from __future__ import annotations

from typing import Any

from retrieval.types import Answer


class OneQuestionAssistant:
    """The conversation part of the assistant's interface for doubles that answer each question on its own
    (`ask`): a message is the question, and no standard is named by name."""

    def ask(self, question: str, standard: str | None = None) -> Answer:
        raise NotImplementedError

    def converse(self, message: str, standard: str | None, history: list[Any]) -> Answer:
        return self.ask(message, standard)

    def standards_named(self, text: str) -> list[str]:
        return []
