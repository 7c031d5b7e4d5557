"""One chat's conversation state, loaded once per message and saved once (bot/engine.py).

- `standard`: the standard in focus, and `how` it got there (picked, named, assessed, referred). It moves
  only when the person names or picks another one; an answer drawing on several standards leaves it.
- `pending`: a question waiting for the person to pick a standard.
- `history`: what the recent answers were about (retrieval/dialogue.py's turns, most recent first), so
  「它」「那 T2.3 呢」「第二個呢」 refer to what was just said.
- `buttons`: the buttons last offered (label, data): typing a label presses the button, on every front.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retrieval.dialogue import HISTORY, Turn

MAX_BUTTONS_KEPT = 40


@dataclass
class Session:
    chat_id: int
    standard: str | None = None
    how: str = ""
    pending: dict[str, Any] | None = None
    history: list[Turn] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Session:
        """The session of a stored row; anything of the wrong shape in it (an old or damaged row) is left out."""
        context = _dict(row.get("context"))
        turns = [Turn.from_json(t) for t in _list(context.get("history"))]
        buttons = [(str(b[0]), str(b[1])) for b in _list(context.get("buttons"))
                   if isinstance(b, list | tuple) and len(b) == 2]
        standard = row.get("standard") if isinstance(row.get("standard"), str) else None
        return cls(chat_id=row["chat_id"], standard=standard, how=str(context.get("how") or ""),
                   pending=_dict(row.get("pending")) or None, history=[t for t in turns if t is not None],
                   buttons=buttons)

    def row(self) -> dict[str, Any]:
        """The columns of chat_sessions (bot/store.py) this state is kept in."""
        context = {"how": self.how, "history": [t.to_json() for t in self.history[:HISTORY]],
                   "buttons": [list(b) for b in self.buttons[:MAX_BUTTONS_KEPT]]}
        return {"standard": self.standard, "pending": self.pending, "context": context}

    def remember(self, turn: Turn | None) -> None:
        if turn is not None:
            self.history = [turn, *self.history][:HISTORY]

    def focus(self, code: str | None, how: str) -> None:
        self.standard, self.how = code, how if code else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
