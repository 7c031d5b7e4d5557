"""Reviews: a person asks someone (a manager, a senior colleague) to confirm their self-assessment.

`/share` gives a one-reviewer link (`t.me/<bot>?start=review-<token>`; only the token's sha256 is stored, so the
database alone opens nothing). The reviewer goes task by task in their private chat: the task, the self rating in
the employee's own scale words, the examples, the indicators on a button. A rating is followed by a comment
prompt — typed, or 「不用評語」 — and only then the next task, so a comment lands on the task it is about. The
comment is the reviewer's next private message and nothing else: whatever else they do first ends the wait.
Every step checks the link (expired, revoked, finished, someone else's) and happens only in a private chat, so
nothing of the owner's (ratings, examples) is ever shown in a group. Rows: bot/store.py (review_links).

Button data (bot/callbacks.py): `rv:share:<result>` Share; `rv:m:<link>:<task>:<0-3|c|s>` ReviewMark (rate,
confirm, skip); `rv:n:<link>:<task>` NoComment; `rv:i:<link>:<task>:<1|0>` Indicators (shown or hidden);
`rv:p:<link>` ReviewPause.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot import callbacks as cb
from bot.assessment.questions import question_for
from bot.assessment.report import flag_label, scale_label
from bot.export import csv_bytes
from bot.replies import Button, Incoming, Reply
from bot.store import DONE, OPEN, REVOKED, TAKEN, Database, aware, row_id, utcnow
from index.catalog import Catalog
from index.text import one_line
from prompts import raw, t

DEEP_LINK = "review-"
LINK_DAYS = 14
COMMENT_MINUTES = 30  # a comment is awaited this long after its rating
MAX_COMMENT_CHARS = 500
MAX_NAME_CHARS = 60
SCALE = (0, 1, 2, 3)


class ResultsLike(Protocol):
    catalog: Catalog

    def results(self, user_id: int | None = None, result_id: int | None = None) -> list[Any]: ...


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def deep_link(incoming: Incoming, payload: str) -> str:
    if incoming.bot_username:
        return f"https://t.me/{incoming.bot_username}?start={payload}"
    return f"/start {payload}"


def display_name(name: str | None) -> str:
    return one_line(name or "", MAX_NAME_CHARS) or t("bot.default_name")


def rating_text(value: float | None) -> str:
    return t("sharing.rating_none") if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


class Reviews:
    def __init__(self, db: Database, results: ResultsLike, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.results = results
        self.clock = clock

    # ============================================================ the owner
    def share(self, incoming: Incoming) -> list[Reply]:
        """`/share [編號 | revoke]`: a one-reviewer link to a finished result."""
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        arg = incoming.args.strip().lower()
        if arg in ("revoke", "撤回"):
            return self._revoke(incoming.user_id)
        if not arg:
            return self._share(incoming, None)
        if not (arg.isascii() and arg.isdigit()):
            return [Reply(t("sharing.share_usage"))]
        result_id = row_id(arg)
        return self._share(incoming, result_id) if result_id is not None else \
            [Reply(t("sharing.share_not_found", id=arg))]


    def _share(self, incoming: Incoming, result_id: int | None) -> list[Reply]:
        found = self.results.results(incoming.user_id, result_id)
        if not found:
            key = "sharing.share_not_found" if result_id is not None else "sharing.share_none"
            return [Reply(t(key, id=result_id))]
        result = found[0]
        token = secrets.token_urlsafe(16)
        now = self.clock()
        self.db.add_review_link(token_hash=token_hash(token), result_id=result.id, owner_id=incoming.user_id,
                                owner_chat_id=incoming.user_id, status=OPEN, marks={}, created_at=now,
                                expires_at=now + timedelta(days=LINK_DAYS))
        return [Reply(t("sharing.share_link", link=deep_link(incoming, DEEP_LINK + token), title=result.title,
                        code=result.standard, days=LINK_DAYS))]

    def _revoke(self, user_id: int) -> list[Reply]:
        count = self.db.revoke_review_links(user_id)
        return [Reply(t("sharing.share_revoked", count=count) if count else t("sharing.share_revoke_none"))]

    # ============================================================ the reviewer
    def open(self, incoming: Incoming, token: str) -> list[Reply]:
        """`/start review-<token>`: take the link (the first person to open it is its reviewer) and go on."""
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        row = self.db.review_link_by_hash(token_hash(token))
        refusal = self._opening_refusal(row, incoming.user_id)
        if refusal:
            return [Reply(refusal)]
        assert row is not None
        if row["reviewer_id"] is None:
            self.db.update_review_link(row["id"], reviewer_id=incoming.user_id, status=TAKEN,
                                       reviewer_name=one_line(incoming.user_name, MAX_NAME_CHARS))
        return self._continue(row["id"], intro=True)

    def _opening_refusal(self, row: dict[str, Any] | None, user_id: int) -> str | None:
        if row is not None and row["owner_id"] == user_id and row["status"] in (OPEN, TAKEN):
            return t("sharing.link_own")
        return self._refusal(row, user_id, opening=True)

    def _refusal(self, row: dict[str, Any] | None, user_id: int, opening: bool = False) -> str | None:
        """Why this person cannot take a step of this review now (None: they can)."""
        if row is None:
            return t("sharing.link_unknown") if opening else t("sharing.review_stale")
        if row["status"] == REVOKED:
            return t("sharing.link_revoked")
        if row["status"] == DONE:
            return t("sharing.link_done")
        if (aware(row["expires_at"]) or self.clock()) < self.clock():
            return t("sharing.link_expired", days=LINK_DAYS)
        if row["reviewer_id"] is None and opening:
            return None
        if row["reviewer_id"] != user_id:
            return t("sharing.link_used") if opening else t("sharing.review_stale")
        return None

    def review(self, incoming: Incoming) -> list[Reply]:
        """`/review`: continue the review this person left open."""
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        row = self.db.review_taken_by(incoming.user_id) or self.db.latest_review_by(incoming.user_id)
        if row is None or row["status"] == DONE:
            return [Reply(t("sharing.review_nothing"))]
        refusal = self._refusal(row, incoming.user_id)
        return [Reply(refusal)] if refusal else self._continue(row["id"])

    def _continue(self, link_id: int, intro: bool = False) -> list[Reply]:
        """The next task to rate (after the introduction when the link was just opened), or the end."""
        self.db.update_review_link(link_id, awaiting=None, awaiting_since=None)
        row = self.db.review_link(link_id)
        result = self._result(row)
        if row is None or result is None:
            return [Reply(t("sharing.link_unknown"))]
        replies = [self._intro(result)] if intro else []
        index = _next_task(result, row["marks"])
        if index is None:
            return [*replies, *self._finish(row, result)]
        return [*replies, self._task_reply(row["id"], result, index)]

    def _intro(self, result: Any) -> Reply:
        scale = t("assessment.list_separator").join(scale_label(score) for score in SCALE)
        return Reply(t("sharing.review_start", name=display_name(result.user_name), title=result.title,
                       code=result.standard, total=len(result.tasks), scale=scale))

    def _result(self, row: dict[str, Any] | None) -> Any:
        if row is None:
            return None
        found = self.results.results(row["owner_id"], row["result_id"])
        return found[0] if found else None

    def _task_reply(self, link_id: int, result: Any, index: int, indicators: bool = False) -> Reply:
        task = result.tasks[index]
        self_rating = round(task.mean) if task.mean is not None else None
        lines = [t("sharing.review_task", n=index + 1, total=len(result.tasks), code=task.code, title=task.title,
                   self=scale_label(self_rating) if self_rating is not None else t("sharing.self_none"),
                   flag=flag_label(task.flag) if task.flag else t("sharing.self_none"))]
        examples = [note.text for note in task.notes if note.text]
        lines.append(t("sharing.review_examples"))
        lines.extend([t("sharing.review_example_line", text=text) for text in examples] or
                     [t("sharing.review_no_examples")])
        if indicators:
            lines.extend(self._indicator_lines(result, task.code))
        def mark(choice: cb.Mark) -> str:
            return cb.ReviewMark(link_id, index, choice).encode()

        rows: list[list[Button]] = []
        if self_rating is not None:
            rows.append([Button(t("sharing.button_confirm", score=scale_label(self_rating)), mark("c"))])
        rows.extend([Button(scale_label(score), mark(str(score)))] for score in SCALE)  # type: ignore[arg-type]
        toggle = "sharing.button_hide_indicators" if indicators else "sharing.button_indicators"
        rows.append([Button(t(toggle), cb.Indicators(link_id, index, not indicators).encode())])
        rows.append([Button(t("sharing.button_skip_task"), mark("s")),
                     Button(t("sharing.button_pause"), cb.ReviewPause(link_id).encode())])
        return Reply("\n".join(lines), rows)

    def _indicator_lines(self, result: Any, task_code: str) -> list[str]:
        """The task's behaviour indicators as the standard prints them now (the outputs when it has none)."""
        question = question_for(self.results.catalog.get(result.standard), task_code)
        items = (question.indicators or question.outputs) if question else ()
        if not items:
            return [t("sharing.review_no_indicators")]
        return [t("sharing.review_indicators"), *(t("sharing.review_indicator_line", text=item) for item in items)]

    # ------------------------------------------------------------ buttons
    def on_button(self, incoming: Incoming, data: cb.Data) -> list[Reply]:
        """A review button (bot/callbacks.py), checked against the link it names."""
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        if isinstance(data, cb.Share):
            return self._share(incoming, data.result)
        link_id = getattr(data, "link", None)
        row = self.db.review_link(link_id) if link_id is not None else None
        refusal = self._refusal(row, incoming.user_id)
        if refusal:
            return [Reply(refusal)]
        assert row is not None and link_id is not None
        result = self._result(row)
        if result is None:
            return [Reply(t("sharing.link_unknown"))]
        if isinstance(data, cb.ReviewPause):
            return self._pause(row, result)
        task = getattr(data, "task", len(result.tasks))
        if task >= len(result.tasks):
            return [Reply(t("sharing.review_stale"))]
        match data:
            case cb.ReviewMark(mark=mark):
                return self._mark(row, result, task, mark)
            case cb.NoComment():
                return self._continue(link_id)
            case cb.Indicators(shown=shown):
                return [self._edit(self._task_reply(link_id, result, task, indicators=shown))]
        return [Reply(t("sharing.review_stale"))]

    def _mark(self, row: dict[str, Any], result: Any, index: int, choice: str) -> list[Reply]:
        task = result.tasks[index]
        rating = None if choice == "s" else round(task.mean or 0) if choice == "c" else int(choice)
        earlier = row["marks"].get(task.code, {})
        marks = {**row["marks"], task.code: {"rating": rating, "comment": earlier.get("comment", "")}}
        if rating is None:
            self.db.update_review_link(row["id"], marks=marks)
            return [Reply(t("sharing.marked_skip", code=task.code)), *self._continue(row["id"])]
        self.db.update_review_link(row["id"], marks=marks, awaiting=task.code, awaiting_since=self.clock())
        no_comment = Button(t("sharing.button_no_comment"), cb.NoComment(row["id"], index).encode())
        return [Reply(t("sharing.marked", code=task.code, rating=scale_label(rating)), [[no_comment]])]

    def _pause(self, row: dict[str, Any], result: Any) -> list[Reply]:
        self.db.update_review_link(row["id"], awaiting=None, awaiting_since=None)
        index = _next_task(result, row["marks"])
        return [Reply(t("sharing.paused", n=(index or 0) + 1, total=len(result.tasks)))]

    @staticmethod
    def _edit(reply: Reply) -> Reply:
        reply.edit = True
        return reply

    # ------------------------------------------------------------ the comment
    def on_text(self, incoming: Incoming) -> list[Reply] | None:
        """The comment on the task just rated: the reviewer's next message in their private chat, typed within
        COMMENT_MINUTES; None when this message is no comment."""
        if incoming.in_group or incoming.anonymous:
            return None
        row = self.db.review_awaiting_comment(incoming.user_id)
        if row is None:
            return None
        refusal = self._refusal(row, incoming.user_id)
        if refusal:
            self.db.drop_awaited_comment(incoming.user_id)
            return [Reply(refusal)]
        asked = aware(row["awaiting_since"])
        if asked is None or self.clock() - asked > timedelta(minutes=COMMENT_MINUTES):
            self.db.drop_awaited_comment(incoming.user_id)
            return None
        code = row["awaiting"]
        marks = dict(row["marks"])
        marks[code] = {**marks.get(code, {}), "comment": incoming.text.strip()[:MAX_COMMENT_CHARS]}
        self.db.update_review_link(row["id"], marks=marks)
        return [Reply(t("sharing.comment_saved", code=code)), *self._continue(row["id"])]

    def interrupted(self, incoming: Incoming) -> None:
        """Anything but the comment itself (a command, another button, a message in a group) ends the wait."""
        comment = incoming.button is None and incoming.command is None and not incoming.in_group
        if not comment and cb.family(incoming.button or "") != "rv":
            self.db.drop_awaited_comment(incoming.user_id)

    # ------------------------------------------------------------ the end
    def _finish(self, row: dict[str, Any], result: Any) -> list[Reply]:
        self.db.update_review_link(row["id"], status=DONE, awaiting=None, awaiting_since=None, done_at=self.clock())
        notice = t("sharing.notice_done", title=result.title, code=result.standard,
                   reviewer=display_name(row["reviewer_name"]), id=result.id)
        done = Reply(t("sharing.review_done", name=display_name(result.user_name)))
        return [done, Reply(notice, chat_id=row["owner_id"])]  # the owner's private chat, whatever chat they shared from

    # ============================================================ self and confirmed, side by side
    def compare(self, user_id: int, result_id: int | None) -> list[Reply]:
        """For /report: the review of the result shown (the latest one with marks), as text and CSV."""
        found = self.results.results(user_id, result_id)
        if not found:
            return []
        result = found[0]
        row = self.db.latest_review(result.id, (TAKEN, DONE))
        if row is None or not row["marks"]:
            return []
        reviewer = display_name(row["reviewer_name"])
        if row["status"] != DONE:
            return [Reply(t("sharing.compare_pending", reviewer=reviewer, done=len(row["marks"]),
                            total=len(result.tasks)))]
        done = aware(row["done_at"])
        lines = [t("sharing.compare_head", reviewer=reviewer, date=done.strftime("%Y-%m-%d") if done else "")]
        csv_rows = []
        for task in result.tasks:
            mark = row["marks"].get(task.code, {})
            confirmed = mark.get("rating")
            comment = mark.get("comment") or ""
            lines.append(t("sharing.compare_line", code=task.code, title=task.title, self=rating_text(task.mean),
                           confirmed=rating_text(confirmed),
                           comment=t("sharing.compare_comment", text=comment) if comment else ""))
            csv_rows.append([task.code, task.title, "" if task.mean is None else round(task.mean, 1),
                             flag_label(task.flag) if task.flag else "", "" if confirmed is None else confirmed,
                             comment, reviewer])
        name = t("sharing.compare_csv_name", code=result.standard, id=result.id)
        return [Reply("\n".join(lines)), Reply(document=(name, csv_bytes(raw("sharing.compare_csv_header"), csv_rows)))]

    def confirmed(self, result_id: int) -> tuple[dict[str, dict[str, Any]], str]:
        """The marks of the result's latest finished review and who made them ({} when none)."""
        row = self.db.latest_review(result_id, (DONE,))
        return (dict(row["marks"]), display_name(row["reviewer_name"])) if row else ({}, "")


def _next_task(result: Any, marks: dict[str, Any]) -> int | None:
    return next((i for i, task in enumerate(result.tasks) if task.code not in marks), None)
