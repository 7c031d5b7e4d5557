"""Sharing results: a reviewer confirms a person's self-assessment; a team's admins see their members' results.

Engine-level (Incoming in, Reply out), like the assessment service. Links carry a random token
(`t.me/<bot>?start=review-<token>` or `team-<token>`); only its sha256 is stored, so the database alone
opens nothing. A review link serves one reviewer, expires after LINK_DAYS and can be revoked; the reviewer
can stop and come back (the marks live in the database). Tables: bot/store.py (review_links, teams,
team_members); /forget removes them with everything else.

Button data: `rv:share:<result>`, `rv:m:<link>:<task index>:<0-3|c|s>` (a mark: rating, confirm, skip),
`rv:n:<link>` (no comment, finish), `rv:p:<link>` (pause); `tm:rm:<team>:<user>`, `tm:lv:<team>`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, insert, select, update

from bot.export import csv_bytes
from bot.replies import Button, Incoming, Reply
from bot.report import flag_label
from bot.store import Database, review_links, team_members, teams, utcnow
from bot.teamview import Cell, Comment, MemberRow, Sheet, heatmap_png, ordered, team_summary, weakest, workbook_bytes
from index.catalog import Catalog, find_item
from index.model import Standard
from prompts import raw, t

REVIEW_PREFIX = "rv:"
TEAM_PREFIX = "tm:"
DEEP_REVIEW = "review-"
DEEP_TEAM = "team-"
LINK_DAYS = 14
MAX_TEAM_NAME = 40
MAX_COMMENT_CHARS = 500
WEAKEST_TASKS = 3
TRAIN_ITEMS = 6


class ResultsLike(Protocol):
    catalog: Catalog

    def results(self, user_id: int | None = None, result_id: int | None = None) -> list[Any]: ...


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone: they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _link(incoming: Incoming, payload: str) -> str:
    if incoming.bot_username:
        return f"https://t.me/{incoming.bot_username}?start={payload}"
    return f"/start {payload}"


def _rating(value: float | None) -> str:
    return t("sharing.rating_none") if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


class Sharing:
    def __init__(self, db: Database, assessments_service: ResultsLike,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.results = assessments_service
        self.clock = clock

    # ============================================================ the person: sharing a result
    def share(self, incoming: Incoming) -> list[Reply]:
        """`/share [編號 | revoke]`: a one-reviewer link to a finished result."""
        arg = incoming.args.strip().lower()
        if arg in ("revoke", "撤回"):
            return self._revoke(incoming.user_id)
        if arg and not arg.isdigit():
            return [Reply(t("sharing.share_usage"))]
        return self._share(incoming, int(arg) if arg else None)

    def _share(self, incoming: Incoming, result_id: int | None) -> list[Reply]:
        found = self.results.results(incoming.user_id, result_id)
        if not found:
            key = "sharing.share_not_found" if result_id is not None else "sharing.share_none"
            return [Reply(t(key, id=result_id))]
        result = found[0]
        token = secrets.token_urlsafe(16)
        now = self.clock()
        with self.db.begin() as conn:
            conn.execute(insert(review_links).values(
                token_hash=token_hash(token), result_id=result.id, owner_id=incoming.user_id,
                owner_chat_id=incoming.chat_id, status="open", marks={}, created_at=now,
                expires_at=now + timedelta(days=LINK_DAYS)))
        text = t("sharing.share_link", link=_link(incoming, DEEP_REVIEW + token), title=result.title,
                 code=result.standard, days=LINK_DAYS)
        return [Reply(text)]

    def _revoke(self, user_id: int) -> list[Reply]:
        mine = and_(review_links.c.owner_id == user_id, review_links.c.status.in_(("open", "taken")))
        with self.db.begin() as conn:
            count = conn.execute(update(review_links).where(mine).values(status="revoked")).rowcount
        return [Reply(t("sharing.share_revoked", count=count) if count else t("sharing.share_revoke_none"))]

    # ============================================================ the reviewer
    def on_start(self, incoming: Incoming, payload: str) -> list[Reply] | None:
        """`/start review-…` or `/start team-…`; None for any other payload."""
        if payload.startswith(DEEP_REVIEW):
            return self._open_review(incoming, payload.removeprefix(DEEP_REVIEW))
        if payload.startswith(DEEP_TEAM):
            return self._join(incoming, payload.removeprefix(DEEP_TEAM))
        return None

    def _open_review(self, incoming: Incoming, token: str) -> list[Reply]:
        with self.db.begin() as conn:
            row = conn.execute(select(review_links).where(review_links.c.token_hash == token_hash(token))).mappings().first()
        refusal = self._refusal(row, incoming.user_id)
        if refusal:
            return [Reply(t(refusal, days=LINK_DAYS))]
        assert row is not None
        if row["reviewer_id"] is None:
            with self.db.begin() as conn:
                conn.execute(update(review_links).where(review_links.c.id == row["id"]).values(
                    reviewer_id=incoming.user_id, reviewer_name=incoming.user_name, status="taken"))
        return self._continue(row["id"], intro=True)

    def _refusal(self, row: Any, user_id: int) -> str | None:
        if row is None:
            return "sharing.link_unknown"
        if row["status"] == "revoked":
            return "sharing.link_revoked"
        if row["status"] == "done":
            return "sharing.link_done"
        if (_aware(row["expires_at"]) or self.clock()) < self.clock():
            return "sharing.link_expired"
        if row["owner_id"] == user_id:
            return "sharing.link_own"
        if row["reviewer_id"] is not None and row["reviewer_id"] != user_id:
            return "sharing.link_used"
        return None

    def review(self, incoming: Incoming) -> list[Reply]:
        """`/review`: continue the review this person left open."""
        row = self._taken_by(incoming.user_id)
        return self._continue(row["id"]) if row else [Reply(t("sharing.review_nothing"))]

    def _taken_by(self, user_id: int) -> Any:
        query = select(review_links).where(review_links.c.reviewer_id == user_id, review_links.c.status == "taken")
        with self.db.begin() as conn:
            return conn.execute(query.order_by(review_links.c.id.desc())).mappings().first()

    def _row(self, link_id: int) -> Any:
        with self.db.begin() as conn:
            return conn.execute(select(review_links).where(review_links.c.id == link_id)).mappings().first()

    def _continue(self, link_id: int, intro: bool = False) -> list[Reply]:
        row = self._row(link_id)
        result = self._result(row)
        if row is None or result is None:
            return [Reply(t("sharing.link_unknown"))]
        replies = [Reply(t("sharing.review_start", name=result.user_name or t("bot.default_name"), title=result.title,
                           code=result.standard, total=len(result.tasks)))] if intro else []
        index = _next_task(result, row["marks"])
        if index is None:
            return [*replies, *self._finish(row, result)]
        return [*replies, self._task_reply(row["id"], result, index)]

    def _result(self, row: Any) -> Any:
        if row is None:
            return None
        found = self.results.results(row["owner_id"], row["result_id"])
        return found[0] if found else None

    def _task_reply(self, link_id: int, result: Any, index: int) -> Reply:
        task = result.tasks[index]
        self_text = _rating(task.mean) if task.mean is not None else t("sharing.self_none")
        lines = [t("sharing.review_task", n=index + 1, total=len(result.tasks), code=task.code, title=task.title,
                   self=self_text, flag=flag_label(task.flag) if task.flag else t("sharing.self_none"))]
        examples = [note.text for note in task.notes if note.text]
        lines.append(t("sharing.review_examples"))
        lines.extend(t("sharing.review_example_line", text=text) for text in examples) if examples \
            else lines.append(t("sharing.review_no_examples"))
        data = f"{REVIEW_PREFIX}m:{link_id}:{index}:"
        rows: list[list[Button]] = []
        if task.mean is not None:
            rows.append([Button(t("sharing.button_confirm", score=round(task.mean)), data + "c")])
        rows.append([Button(t("sharing.button_rate", score=score), data + str(score)) for score in range(4)])
        rows.append([Button(t("sharing.button_skip_task"), data + "s"),
                     Button(t("sharing.button_pause"), f"{REVIEW_PREFIX}p:{link_id}")])
        return Reply("\n".join(lines), rows)

    def _mark(self, incoming: Incoming, link_id: int, index: int, choice: str) -> list[Reply]:
        row = self._row(link_id)
        result = self._result(row)
        if row is None or result is None or row["reviewer_id"] != incoming.user_id or row["status"] != "taken" \
                or not 0 <= index < len(result.tasks):
            return [Reply(t("sharing.review_stale"))]
        task = result.tasks[index]
        rating = None if choice == "s" else round(task.mean or 0) if choice == "c" else int(choice)
        marks = {**row["marks"], task.code: {"rating": rating, "comment": ""}}
        last = _next_task(result, marks) is None
        with self.db.begin() as conn:
            conn.execute(update(review_links).where(review_links.c.id == link_id).values(
                marks=marks, awaiting=None if rating is None else task.code))
        if rating is None:
            said = Reply(t("sharing.marked_skip", code=task.code))
            return [said, *self._continue(link_id)]
        said = Reply(t("sharing.marked", code=task.code, rating=rating))
        if last:  # the comment of the last task, or finish
            said.buttons = [[Button(t("sharing.button_no_comment"), f"{REVIEW_PREFIX}n:{link_id}")]]
            return [said]
        return [said, *self._continue(link_id)]

    def on_text(self, incoming: Incoming) -> list[Reply] | None:
        """A typed comment on the task just rated; None when this person's review awaits none."""
        row = self._taken_by(incoming.user_id)
        if row is None or not row["awaiting"]:
            return None
        code = row["awaiting"]
        marks = dict(row["marks"])
        marks[code] = {**marks.get(code, {}), "comment": incoming.text.strip()[:MAX_COMMENT_CHARS]}
        with self.db.begin() as conn:
            conn.execute(update(review_links).where(review_links.c.id == row["id"]).values(marks=marks, awaiting=None))
        return [Reply(t("sharing.comment_saved")), *self._continue(row["id"])]

    def _finish(self, row: Any, result: Any) -> list[Reply]:
        with self.db.begin() as conn:
            conn.execute(update(review_links).where(review_links.c.id == row["id"]).values(
                status="done", awaiting=None, done_at=self.clock()))
        reviewer = row["reviewer_name"] or t("bot.default_name")
        notice = t("sharing.notice_done", title=result.title, code=result.standard, reviewer=reviewer, id=result.id)
        owner = result.user_name or t("bot.default_name")
        return [Reply(t("sharing.review_done", name=owner)), Reply(notice, chat_id=row["owner_chat_id"])]

    # ------------------------------------------------------------ self and confirmed, side by side
    def compare(self, user_id: int, result_id: int | None) -> list[Reply]:
        """For /report: the review of the result shown (the latest one with marks), as text and CSV."""
        found = self.results.results(user_id, result_id)
        if not found:
            return []
        result = found[0]
        query = select(review_links).where(review_links.c.result_id == result.id,
                                           review_links.c.status.in_(("taken", "done")))
        with self.db.begin() as conn:
            row = conn.execute(query.order_by(review_links.c.id.desc())).mappings().first()
        if row is None or not row["marks"]:
            return []
        reviewer = row["reviewer_name"] or t("bot.default_name")
        if row["status"] != "done":
            return [Reply(t("sharing.compare_pending", reviewer=reviewer, done=len(row["marks"]),
                            total=len(result.tasks)))]
        done = _aware(row["done_at"])
        lines = [t("sharing.compare_head", reviewer=reviewer, date=done.strftime("%Y-%m-%d") if done else "")]
        csv_rows = []
        for task in result.tasks:
            mark = row["marks"].get(task.code, {})
            confirmed = mark.get("rating")
            comment = mark.get("comment") or ""
            lines.append(t("sharing.compare_line", code=task.code, title=task.title, self=_rating(task.mean),
                           confirmed=_rating(confirmed),
                           comment=t("sharing.compare_comment", text=comment) if comment else ""))
            csv_rows.append([task.code, task.title, "" if task.mean is None else round(task.mean, 1),
                             flag_label(task.flag) if task.flag else "", "" if confirmed is None else confirmed,
                             comment, reviewer])
        name = t("sharing.compare_csv_name", code=result.standard, id=result.id)
        return [Reply("\n".join(lines)), Reply(document=(name, csv_bytes(raw("sharing.compare_csv_header"), csv_rows)))]

    def confirmed(self, result_id: int) -> tuple[dict[str, dict[str, Any]], str]:
        """The marks of the result's latest finished review and who made them ({} when none)."""
        query = select(review_links).where(review_links.c.result_id == result_id, review_links.c.status == "done")
        with self.db.begin() as conn:
            row = conn.execute(query.order_by(review_links.c.id.desc())).mappings().first()
        return (dict(row["marks"]), row["reviewer_name"] or "") if row else ({}, "")

    # ============================================================ teams
    def team(self, incoming: Incoming) -> list[Reply]:
        """`/team`, `/team new 名稱`, `/team leave`."""
        words = incoming.args.strip().split(maxsplit=1)
        verb = words[0].lower() if words else ""
        if verb in ("new", "建立"):
            return self._create(incoming, words[1].strip() if len(words) > 1 else "")
        if verb in ("leave", "退出"):
            return self._leave(incoming.user_id, None)
        if verb:
            return [Reply(t("sharing.team_usage"))]
        return self._list(incoming)

    def _create(self, incoming: Incoming, name: str) -> list[Reply]:
        if not name:
            return [Reply(t("sharing.team_name_missing"))]
        if len(name) > MAX_TEAM_NAME:
            return [Reply(t("sharing.team_name_too_long", limit=MAX_TEAM_NAME))]
        token = secrets.token_urlsafe(16)
        with self.db.begin() as conn:
            team_id = conn.execute(insert(teams).values(name=name, join_hash=token_hash(token),
                                                        created_by=incoming.user_id)).inserted_primary_key[0]
            conn.execute(insert(team_members).values(team_id=team_id, user_id=incoming.user_id,
                                                     user_name=incoming.user_name, role="admin"))
        link = _link(incoming, DEEP_TEAM + token)
        return [Reply(t("sharing.team_created", name=name, id=team_id, link=link))]

    def _join(self, incoming: Incoming, token: str) -> list[Reply]:
        with self.db.begin() as conn:
            team = conn.execute(select(teams).where(teams.c.join_hash == token_hash(token))).mappings().first()
            if team is None:
                return [Reply(t("sharing.team_link_unknown"))]
            member = conn.execute(select(team_members).where(team_members.c.team_id == team["id"],
                                                             team_members.c.user_id == incoming.user_id)).first()
            if member is not None:
                return [Reply(t("sharing.team_already", name=team["name"]))]
            conn.execute(insert(team_members).values(team_id=team["id"], user_id=incoming.user_id,
                                                     user_name=incoming.user_name, role="member"))
        return [Reply(t("sharing.team_joined", name=team["name"]))]

    def _memberships(self, user_id: int) -> list[dict[str, Any]]:
        query = select(teams.c.id, teams.c.name, team_members.c.role).join(
            team_members, team_members.c.team_id == teams.c.id).where(team_members.c.user_id == user_id)
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(query.order_by(teams.c.id)).mappings()]

    def _members(self, team_id: int) -> list[dict[str, Any]]:
        query = select(team_members).where(team_members.c.team_id == team_id)
        with self.db.begin() as conn:
            return [dict(r) for r in conn.execute(query.order_by(team_members.c.joined_at, team_members.c.user_id)).mappings()]

    def _list(self, incoming: Incoming) -> list[Reply]:
        mine = self._memberships(incoming.user_id)
        if not mine:
            return [Reply(t("sharing.team_none") + "\n\n" + t("sharing.team_usage"))]
        lines: list[str] = []
        rows: list[list[Button]] = []
        admin_of = [m for m in mine if m["role"] == "admin"]
        if admin_of:
            lines.append(t("sharing.team_admin_of"))
        for team in admin_of:
            members = [m for m in self._members(team["id"]) if m["user_id"] != incoming.user_id]
            lines.append(t("sharing.team_line", name=team["name"], id=team["id"], count=len(members)))
            rows.append([Button(t("sharing.button_new_link", name=team["name"][:20]), f"{TEAM_PREFIX}ln:{team['id']}")])
            for n, member in enumerate(members, 1):
                label = member["user_name"] or str(member["user_id"])
                lines.append(t("sharing.team_member_line", n=n, member=label))
                rows.append([Button(t("sharing.button_remove", member=label[:20]),
                                    f"{TEAM_PREFIX}rm:{team['id']}:{member['user_id']}")])
        member_of = [m for m in mine if m["role"] == "member"]
        if member_of:
            lines.append(t("sharing.team_member_of"))
        for team in member_of:
            lines.append(t("sharing.team_member_team", name=team["name"], id=team["id"]))
            rows.append([Button(t("sharing.button_leave", name=team["name"][:20]), f"{TEAM_PREFIX}lv:{team['id']}")])
        return [Reply("\n".join(lines), rows)]

    def _remove(self, incoming: Incoming, team_id: int, user_id: int) -> list[Reply]:
        admin = any(m["id"] == team_id and m["role"] == "admin" for m in self._memberships(incoming.user_id))
        if not admin:
            return [Reply(t("sharing.remove_denied"))]
        with self.db.begin() as conn:
            team = conn.execute(select(teams.c.name).where(teams.c.id == team_id)).scalar_one()
            member = conn.execute(select(team_members.c.user_name).where(
                team_members.c.team_id == team_id, team_members.c.user_id == user_id,
                team_members.c.role == "member")).scalar()
            conn.execute(team_members.delete().where(team_members.c.team_id == team_id,
                                                     team_members.c.user_id == user_id,
                                                     team_members.c.role == "member"))
        return [Reply(t("sharing.removed", member=member or user_id, name=team))]

    def _new_link(self, incoming: Incoming, team_id: int) -> list[Reply]:
        """A new join link (only its hash is kept, so the old one cannot be shown again; it stops working)."""
        admin = any(m["id"] == team_id and m["role"] == "admin" for m in self._memberships(incoming.user_id))
        if not admin:
            return [Reply(t("sharing.remove_denied"))]
        token = secrets.token_urlsafe(16)
        with self.db.begin() as conn:
            conn.execute(update(teams).where(teams.c.id == team_id).values(join_hash=token_hash(token)))
            name = conn.execute(select(teams.c.name).where(teams.c.id == team_id)).scalar_one()
        return [Reply(t("sharing.team_new_link", name=name, link=_link(incoming, DEEP_TEAM + token)))]

    def _leave(self, user_id: int, team_id: int | None) -> list[Reply]:
        mine = [m for m in self._memberships(user_id) if m["role"] == "member" and team_id in (None, m["id"])]
        if not mine:
            return [Reply(t("sharing.left_none"))]
        with self.db.begin() as conn:
            for team in mine:
                conn.execute(team_members.delete().where(team_members.c.team_id == team["id"],
                                                         team_members.c.user_id == user_id))
        if team_id is not None:
            return [Reply(t("sharing.left_one", name=mine[0]["name"]))]
        return [Reply(t("sharing.left", count=len(mine)))]

    # ------------------------------------------------------------ the team view
    def team_report(self, incoming: Incoming) -> list[Reply]:
        """`/team_report`: for each team this person administers, a heatmap and the weakest tasks per standard,
        and one Excel workbook."""
        admin_of = [m for m in self._memberships(incoming.user_id) if m["role"] == "admin"]
        if not admin_of:
            return [Reply(t("sharing.report_not_admin"))]
        replies: list[Reply] = []
        for team in admin_of:
            replies.extend(self._team_view(team["id"], team["name"]))
        return replies

    def _team_view(self, team_id: int, name: str) -> list[Reply]:
        sheets = ordered(self.sheets(team_id))
        if not sheets:
            return [Reply(t("sharing.report_empty", name=name))]
        replies: list[Reply] = []
        for sheet in sheets:
            replies.append(Reply(team_summary(name, sheet, self.results.catalog.get(sheet.code))))
            replies.append(Reply(t("sharing.chart_caption", name=name, code=sheet.code), photo=heatmap_png(name, sheet)))
        file_name = t("sharing.report_workbook_name", id=team_id, date=self.clock().strftime("%Y%m%d"))
        replies.append(Reply(t("sharing.report_workbook", name=name), document=(file_name, workbook_bytes(sheets))))
        return replies

    def sheets(self, team_id: int) -> list[Sheet]:
        """Per standard, each member's latest result: confirmed ratings where a review finished, else self."""
        by_standard: dict[str, Sheet] = {}
        for member in (m for m in self._members(team_id) if m["role"] == "member"):
            latest: dict[str, Any] = {}
            for result in self.results.results(member["user_id"]):  # newest first
                latest.setdefault(result.standard, result)
            for code, result in latest.items():
                sheet = by_standard.setdefault(code, Sheet(code, result.title, []))
                self._add_member(sheet, member, result)
        return [by_standard[code] for code in sorted(by_standard)]

    def _add_member(self, sheet: Sheet, member: dict[str, Any], result: Any) -> None:
        marks, reviewer = self.confirmed(result.id)
        label = member["user_name"] or result.user_name or str(member["user_id"])
        cells: dict[str, Cell] = {}
        known = {code for code, _ in sheet.tasks}
        for task in result.tasks:
            if task.code not in known:
                sheet.tasks.append((task.code, task.title))
                known.add(task.code)
            mark = marks.get(task.code, {})
            rating = mark.get("rating")
            cells[task.code] = Cell(float(rating), True) if rating is not None else Cell(task.mean, False)
            if mark.get("comment"):
                sheet.comments.append(Comment(label, task.code, task.title, task.mean, rating, mark["comment"], reviewer))
        sheet.tasks.sort(key=lambda item: _task_order(item[0]))
        sheet.rows.append(MemberRow(label, result.date, cells))

    def _summary(self, name: str, sheet: Sheet) -> str:
        lines = [t("sharing.report_head", name=name, title=sheet.title, code=sheet.code, members=len(sheet.rows))]
        weak = weakest(sheet, WEAKEST_TASKS)
        if weak:
            lines.append(t("sharing.report_weakest"))
        doc = self.results.catalog.get(sheet.code)
        for code, title, mean, rated in weak:
            lines.append(t("sharing.report_weak_line", code=code, title=title, mean=f"{mean:.1f}", rated=rated))
            items = _to_train(doc, code)
            if items:
                lines.append(t("sharing.report_train_line", items="、".join(items)))
        return "\n".join(lines)

    # ============================================================ buttons
    def on_button(self, incoming: Incoming) -> list[Reply]:
        parts = (incoming.button or "").split(":")
        try:
            return self._button(incoming, parts)
        except (ValueError, IndexError):
            return [Reply(t("sharing.review_stale"))]

    def _button(self, incoming: Incoming, parts: list[str]) -> list[Reply]:
        prefix, action = parts[0] + ":", parts[1]
        if prefix == REVIEW_PREFIX and action == "share":
            return self._share(incoming, int(parts[2]))
        if prefix == REVIEW_PREFIX and action == "m":
            return self._mark(incoming, int(parts[2]), int(parts[3]), _choice(parts[4]))
        if prefix == REVIEW_PREFIX and action in ("n", "p"):
            return self._close_or_pause(incoming, int(parts[2]), action)
        if prefix == TEAM_PREFIX and action == "rm":
            return self._remove(incoming, int(parts[2]), int(parts[3]))
        if prefix == TEAM_PREFIX and action == "ln":
            return self._new_link(incoming, int(parts[2]))
        if prefix == TEAM_PREFIX and action == "lv":
            return self._leave(incoming.user_id, int(parts[2]))
        return [Reply(t("sharing.team_stale"))]

    def _close_or_pause(self, incoming: Incoming, link_id: int, action: str) -> list[Reply]:
        row = self._row(link_id)
        result = self._result(row)
        if row is None or result is None or row["reviewer_id"] != incoming.user_id or row["status"] != "taken":
            return [Reply(t("sharing.review_stale"))]
        with self.db.begin() as conn:
            conn.execute(update(review_links).where(review_links.c.id == link_id).values(awaiting=None))
        if action == "n":
            return self._continue(link_id)
        index = _next_task(result, row["marks"])
        return [Reply(t("sharing.paused", n=(index or 0) + 1, total=len(result.tasks)))]


def _choice(text: str) -> str:
    if text in ("c", "s") or (text.isdigit() and 0 <= int(text) <= 3):
        return text
    raise ValueError(text)


def _next_task(result: Any, marks: dict[str, Any]) -> int | None:
    return next((i for i, task in enumerate(result.tasks) if task.code not in marks), None)


def _task_order(code: str) -> tuple[int, ...]:
    digits = [int(part) for part in code.lstrip("T").split(".") if part.isdigit()]
    return tuple(digits) or (10_000,)


def _to_train(doc: Any, task_code: str) -> list[str]:
    """The K and S a task lists, as 'K09 名稱' (codes from the standard only)."""
    if not isinstance(doc, Standard):
        return []
    task = doc.task(task_code)
    if task is None:
        return []
    out = []
    for key in [*task.knowledge[:TRAIN_ITEMS // 2], *task.skills[:TRAIN_ITEMS // 2]]:
        item = find_item(doc, key.split(" ")[0]) or doc.knowledge.get(key) or doc.skills.get(key)
        if item is not None:
            out.append(f"{item.code} {item.text}")
    return out
