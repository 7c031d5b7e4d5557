"""Sharing results, the engine's one door to reviews (bot/reviews.py) and teams (bot/teams.py).

Engine-level (Incoming in, Reply out), like the assessment service: it routes `/share`, `/review`, `/team`,
`/team_report`, the deep links `review-…` and `team-…`, the `rv:` and `tm:` buttons and a reviewer's comment
to the module they belong to. The rows live in bot/store.py (no SQL here or in those modules); /forget removes
them with everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot import callbacks as cb
from bot.replies import Incoming, Reply
from bot.reviews import DEEP_LINK as DEEP_REVIEW
from bot.reviews import LINK_DAYS, ResultsLike, Reviews
from bot.store import Database, utcnow
from bot.teams import DEEP_LINK as DEEP_TEAM
from bot.teams import Teams
from bot.teamview import Sheet
from prompts import t

__all__ = ["DEEP_REVIEW", "DEEP_TEAM", "LINK_DAYS", "Sharing"]


class Sharing:
    def __init__(self, db: Database, assessments_service: ResultsLike,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.results = assessments_service
        self.reviews = Reviews(db, assessments_service, clock)
        self.teams = Teams(db, assessments_service, self.reviews.confirmed, clock)

    # ------------------------------------------------------------ commands and deep links
    def share(self, incoming: Incoming) -> list[Reply]:
        return self.reviews.share(incoming)

    def review(self, incoming: Incoming) -> list[Reply]:
        return self.reviews.review(incoming)

    def team(self, incoming: Incoming) -> list[Reply]:
        return self.teams.team(incoming)

    def team_report(self, incoming: Incoming) -> list[Reply]:
        return self.teams.team_report(incoming)

    def on_start(self, incoming: Incoming, payload: str) -> list[Reply] | None:
        """`/start review-…` or `/start team-…`; None for any other payload."""
        if payload.startswith(DEEP_REVIEW):
            return self.reviews.open(incoming, payload.removeprefix(DEEP_REVIEW))
        if payload.startswith(DEEP_TEAM):
            return self.teams.offer(incoming, payload.removeprefix(DEEP_TEAM))
        return None

    # ------------------------------------------------------------ buttons and text
    def on_button(self, incoming: Incoming, data: cb.Data | None = None) -> list[Reply]:
        """An `rv:` or `tm:` button (bot/callbacks.py); one that is none of theirs is answered as stale."""
        data = cb.decode(incoming.button or "") if data is None else data
        if data.family not in ("rv", "tm") or isinstance(data, cb.Unreadable):
            if incoming.in_group:
                return [Reply(t("sharing.private_only"))]
            return [Reply(t("sharing.team_stale") if data.family == "tm" else t("sharing.review_stale"))]
        if data.family == "rv":
            return self.reviews.on_button(incoming, data)
        return self.teams.on_button(incoming, data)

    def on_text(self, incoming: Incoming) -> list[Reply] | None:
        """A typed comment on the task just rated; None when this message is no comment."""
        return self.reviews.on_text(incoming)

    def interrupted(self, incoming: Incoming) -> None:
        """Called for everything a person does: anything but the comment itself ends the wait for one."""
        self.reviews.interrupted(incoming)

    def member_finished(self, result: Any) -> list[Reply]:
        """Notices for the team leads who can see a result just finished."""
        return self.teams.member_finished(result)

    # ------------------------------------------------------------ for /report and the team view
    def compare(self, user_id: int, result_id: int | None) -> list[Reply]:
        return self.reviews.compare(user_id, result_id)

    def confirmed(self, result_id: int) -> tuple[dict[str, dict[str, Any]], str]:
        return self.reviews.confirmed(result_id)

    def sheets(self, team_id: int) -> list[Sheet]:
        return self.teams.sheets(team_id)
