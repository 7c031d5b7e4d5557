"""/forget asks first: it says what would be deleted (teams the person runs, with their member lists, included)
and deletes only after 「確定刪除」 is pressed within CONFIRM_SECONDS. The rate-limit row is kept: deleting
one's data must not reset one's limit.

Button data (bot/callbacks.py): `fg:y:<unix time the question was asked>` (delete), `fg:n` (keep).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot import callbacks as cb
from bot.replies import Button, Incoming, Reply
from bot.store import Database
from prompts import t

CONFIRM_SECONDS = 600
NAMES_SHOWN = 5

Erase = Callable[[int], list[Reply]]


class Forgetting:
    def __init__(self, db: Database, erase: Erase, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.erase = erase  # deletes everything of a person and says how much
        self.clock = clock

    def ask(self, incoming: Incoming) -> list[Reply]:
        """`/forget`: what would go, and the two buttons (in a private chat: the list names one's teams)."""
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        found = self.db.forget_preview(incoming.user_id)
        lines = [t("bot.forget_ask")]
        if found["results"] or found["active"]:
            lines.append(t("bot.forget_results", count=found["results"], active=found["active"]))
        if found["shared"] or found["reviewed"]:
            lines.append(t("bot.forget_reviews", shared=found["shared"], reviewed=found["reviewed"]))
        if found["runs"]:
            lines.append(t("bot.forget_runs", count=len(found["runs"]), names=_names(found["runs"]),
                           members=found["members"]))
        if found["member_of"]:
            lines.append(t("bot.forget_member_of", count=len(found["member_of"]), names=_names(found["member_of"])))
        lines += [t("bot.forget_chat"), t("bot.forget_irreversible")]
        buttons = [[Button(t("bot.button_forget_yes"), cb.ForgetYes(int(self.clock())).encode()),
                    Button(t("bot.button_forget_no"), cb.ForgetNo().encode())]]
        return [Reply("\n".join(lines), buttons)]

    def on_button(self, incoming: Incoming, data: cb.Data) -> list[Reply]:
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        if isinstance(data, cb.ForgetNo):
            return [Reply(t("bot.forget_kept"), edit=True)]
        if not isinstance(data, cb.ForgetYes):
            return [Reply(t("bot.button_unknown"))]
        if not 0 <= self.clock() - data.asked <= CONFIRM_SECONDS:
            return [Reply(t("bot.forget_expired"))]
        return self.erase(incoming.user_id)


def _names(names: list[str]) -> str:
    shown = t("assessment.list_separator").join(names[:NAMES_SHOWN])
    return shown + (t("bot.forget_more", count=len(names) - NAMES_SHOWN) if len(names) > NAMES_SHOWN else "")
