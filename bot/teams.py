"""Teams: a lead invites people; the results they choose to share appear side by side in /team_report.

`/team new 名稱` makes a team and its join link (`t.me/<bot>?start=team-<token>`, only the sha256 kept). Opening
the link joins nobody: it says who runs the team and exactly what a member shares, and the person chooses with a
button — join sharing only the results finished from now on, join sharing the earlier ones too, or not join.
A removed member cannot rejoin with the link they had (a new link from the lead lets them back). The lead is
told when someone joins or finishes an assessment the team can see (a button in /team turns that off).
A person runs at most MAX_TEAMS_PER_PERSON teams and is in at most MAX_MEMBERSHIPS; /team_report asks which
team when there are several. Team and member names are kept as one visible line. Rows: bot/store.py.

Button data (bot/callbacks.py): `tm:j:<team>:<n|a>:<check>` join (from now on / with the past; check: the start of the link's hash,
so the button cannot be forged without the link), `tm:x` not join, `tm:rm:<team>:<user>` remove, `tm:ln:<team>`
new link, `tm:lv:<team>` leave, `tm:nt:<team>:<1|0>` notices on/off, `tm:rp:<team>` that team's report.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot import callbacks as cb
from bot.replies import Button, Incoming, Reply
from bot.reviews import ResultsLike, deep_link, display_name, token_hash
from bot.store import ADMIN, MEMBER, Database, aware, utcnow
from bot.teamview import (
    Cell,
    Comment,
    MemberRow,
    Sheet,
    heatmap_png,
    ordered,
    sheet_parts,
    team_summary,
    workbook_bytes,
)
from index.text import one_line
from prompts import t

DEEP_LINK = "team-"
MAX_TEAM_NAME = 40
MAX_TEAMS_PER_PERSON = 20  # teams one person runs
MAX_MEMBERSHIPS = 50  # teams one person is a member of
CHECK_CHARS = 16  # of the join link's hash, in a join button
FROM_NOW, WITH_PAST = "n", "a"
BUTTON_NAME_CHARS = 20

Confirmed = Callable[[int], tuple[dict[str, dict[str, Any]], str]]


class Teams:
    def __init__(self, db: Database, results: ResultsLike, confirmed: Confirmed,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.results = results
        self.confirmed = confirmed  # a result's finished review: (marks, reviewer)
        self.clock = clock

    # ============================================================ /team
    def team(self, incoming: Incoming) -> list[Reply]:
        """`/team`, `/team new 名稱`, `/team leave`."""
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        words = incoming.args.strip().split(maxsplit=1)
        verb = words[0].lower() if words else ""
        if verb in ("new", "建立"):
            return self._create(incoming, words[1] if len(words) > 1 else "")
        if verb in ("leave", "退出"):
            return self._leave(incoming.user_id, None)
        if verb:
            return [Reply(t("sharing.team_usage"))]
        return self._list(incoming)

    def _create(self, incoming: Incoming, typed: str) -> list[Reply]:
        name = one_line(typed)
        if not name:
            return [Reply(t("sharing.team_name_missing"))]
        if len(name) > MAX_TEAM_NAME:
            return [Reply(t("sharing.team_name_too_long", limit=MAX_TEAM_NAME))]
        if len(self._admin_of(incoming.user_id)) >= MAX_TEAMS_PER_PERSON:
            return [Reply(t("sharing.teams_limit", limit=MAX_TEAMS_PER_PERSON))]
        token = secrets.token_urlsafe(16)
        team_id = self.db.add_team(name, token_hash(token), incoming.user_id, display_name(incoming.user_name))
        return [Reply(t("sharing.team_created", name=name, id=team_id, link=deep_link(incoming, DEEP_LINK + token)))]

    def _admin_of(self, user_id: int) -> list[dict[str, Any]]:
        return [m for m in self.db.memberships(user_id) if m["role"] == ADMIN]

    def _is_admin(self, user_id: int, team_id: int | None) -> bool:
        return team_id is not None and any(m["id"] == team_id for m in self._admin_of(user_id))

    # ============================================================ joining
    def offer(self, incoming: Incoming, token: str) -> list[Reply]:
        """`/start team-<token>`: what joining shares, and the choice (nothing is joined yet)."""
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        team = self.db.team_by_join_hash(token_hash(token))
        refusal = self._join_refusal(team, incoming.user_id)
        if refusal:
            return [Reply(refusal)]
        assert team is not None
        lead = next((m for m in self.db.team_members(team["id"]) if m["role"] == ADMIN), None)
        past = len(self.results.results(incoming.user_id))
        check = team["join_hash"][:CHECK_CHARS]
        rows = [[Button(t("sharing.button_join_from_now"), cb.Join(team["id"], FROM_NOW, check).encode())]]
        if past:
            rows.append([Button(t("sharing.button_join_with_past", count=past),
                                cb.Join(team["id"], WITH_PAST, check).encode())])
        rows.append([Button(t("sharing.button_join_no"), cb.NotJoin().encode())])
        text = t("sharing.team_join_offer", name=team["name"], lead=display_name(lead["user_name"] if lead else ""),
                 past=t("sharing.team_join_past", count=past) if past else t("sharing.team_join_no_past"))
        return [Reply(text, rows)]

    def _join_refusal(self, team: dict[str, Any] | None, user_id: int) -> str | None:
        if team is None:
            return t("sharing.team_link_unknown")
        if self.db.removed_with(team["id"], user_id, team["join_hash"]):
            return t("sharing.team_link_revoked_for_you")
        if any(m["id"] == team["id"] for m in self.db.memberships(user_id)):
            return t("sharing.team_already", name=team["name"])
        if sum(1 for m in self.db.memberships(user_id) if m["role"] == MEMBER) >= MAX_MEMBERSHIPS:
            return t("sharing.memberships_limit", limit=MAX_MEMBERSHIPS)
        return None

    def _join(self, incoming: Incoming, data: cb.Join) -> list[Reply]:
        team, mode = self.db.team(data.team), data.mode
        if team is None or not hmac.compare_digest(team["join_hash"][:CHECK_CHARS], data.check):
            return [Reply(t("sharing.team_link_unknown"))]
        refusal = self._join_refusal(team, incoming.user_id)
        if refusal:
            return [Reply(refusal)]
        member = display_name(incoming.user_name)
        if not self.db.add_member(team["id"], incoming.user_id, member, None if mode == WITH_PAST else self.clock()):
            return [Reply(t("sharing.team_already", name=team["name"]))]
        if mode == WITH_PAST:
            said = t("sharing.team_joined_all", name=team["name"], count=len(self.results.results(incoming.user_id)))
        else:
            said = t("sharing.team_joined_now", name=team["name"])
        scope = t("sharing.scope_with_past") if mode == WITH_PAST else t("sharing.scope_from_now")
        notice = t("sharing.notice_member_joined", member=member, name=team["name"], scope=scope)
        return [Reply(said), *self._tell_leads(team, notice)]

    def _tell_leads(self, team: dict[str, Any], text: str) -> list[Reply]:
        """The notice for each lead of the team, unless they turned notices off."""
        if team.get("notify") == 0:
            return []
        leads = [m["user_id"] for m in self.db.team_members(team["id"]) if m["role"] == ADMIN]
        return [Reply(text, chat_id=lead) for lead in leads]

    def member_finished(self, result: Any) -> list[Reply]:
        """After a member finishes an assessment: a notice to the leads of each team that can see the result
        (who finished which standard; no ratings)."""
        notices: list[Reply] = []
        for team in (m for m in self.db.memberships(result.user_id) if m["role"] == MEMBER):
            row = next((m for m in self.db.team_members(team["id"]) if m["user_id"] == result.user_id), None)
            if row is None or not _shared(row, result):
                continue
            text = t("sharing.notice_member_finished", member=display_name(row["user_name"]), name=team["name"],
                     title=result.title, code=result.standard)
            notices.extend(self._tell_leads(team, text))
        return notices

    # ============================================================ the list, removing, leaving
    def _list(self, incoming: Incoming) -> list[Reply]:
        mine = self.db.memberships(incoming.user_id)
        if not mine:
            return [Reply(t("sharing.team_none") + "\n\n" + t("sharing.team_usage"))]
        lines: list[str] = []
        rows: list[list[Button]] = []
        admin_of = [m for m in mine if m["role"] == ADMIN]
        if admin_of:
            lines.append(t("sharing.team_admin_of"))
        for team in admin_of:
            lines_rows = self._admin_lines(team, incoming.user_id)
            lines += lines_rows[0]
            rows += lines_rows[1]
        member_of = [m for m in mine if m["role"] == MEMBER]
        if member_of:
            lines.append(t("sharing.team_member_of"))
        for team in member_of:
            lines.append(t("sharing.team_member_team", name=team["name"], id=team["id"]))
            rows.append([Button(t("sharing.button_leave", name=team["name"][:BUTTON_NAME_CHARS]),
                                cb.Leave(team["id"]).encode())])
        return [Reply("\n".join(lines), rows)]

    def _admin_lines(self, team: dict[str, Any], user_id: int) -> tuple[list[str], list[list[Button]]]:
        members = [m for m in self.db.team_members(team["id"]) if m["user_id"] != user_id]
        notify = team.get("notify") != 0
        short = team["name"][:BUTTON_NAME_CHARS]
        lines = [t("sharing.team_line", name=team["name"], id=team["id"], count=len(members),
                   notices=t("sharing.notices_on") if notify else t("sharing.notices_off"))]
        rows = [[Button(t("sharing.button_new_link", name=short), cb.NewLink(team["id"]).encode())],
                [Button(t("sharing.button_notify_off" if notify else "sharing.button_notify_on", name=short),
                        cb.Notices(team["id"], not notify).encode())]]
        for n, member in enumerate(members, 1):
            label = display_name(member["user_name"] or str(member["user_id"]))
            shares = t("sharing.shares_all") if member["shared_from"] is None else \
                t("sharing.shares_since", date=aware(member["shared_from"]).strftime("%Y-%m-%d"))  # type: ignore[union-attr]
            lines.append(t("sharing.team_member_line", n=n, member=label, shares=shares))
            rows.append([Button(t("sharing.button_remove", member=label[:BUTTON_NAME_CHARS]),
                                cb.RemoveMember(team["id"], member["user_id"]).encode())])
        return lines, rows

    def _remove(self, incoming: Incoming, team_id: int, user_id: int) -> list[Reply]:
        if not self._is_admin(incoming.user_id, team_id):
            return [Reply(t("sharing.remove_denied"))]
        removed = self.db.remove_member(team_id, user_id)
        if removed is None:
            return [Reply(t("sharing.team_stale"))]
        team = self.db.team(team_id)
        return [Reply(t("sharing.removed", member=display_name(removed), name=team["name"] if team else ""))]

    def _new_link(self, incoming: Incoming, team_id: int) -> list[Reply]:
        """A new join link (only its hash is kept, so the old one cannot be shown again; it stops working)."""
        if not self._is_admin(incoming.user_id, team_id):
            return [Reply(t("sharing.remove_denied"))]
        token = secrets.token_urlsafe(16)
        self.db.update_team(team_id, join_hash=token_hash(token))
        team = self.db.team(team_id)
        return [Reply(t("sharing.team_new_link", name=team["name"] if team else "",
                        link=deep_link(incoming, DEEP_LINK + token)))]

    def _notify(self, incoming: Incoming, team_id: int, on: bool) -> list[Reply]:
        if not self._is_admin(incoming.user_id, team_id):
            return [Reply(t("sharing.remove_denied"))]
        self.db.update_team(team_id, notify=int(on))
        team = self.db.team(team_id)
        key = "sharing.notify_on" if on else "sharing.notify_off"
        return [Reply(t(key, name=team["name"] if team else ""))]

    def _leave(self, user_id: int, team_id: int | None) -> list[Reply]:
        mine = [m for m in self.db.memberships(user_id) if m["role"] == MEMBER and team_id in (None, m["id"])]
        if not mine:
            return [Reply(t("sharing.left_none"))]
        self.db.leave_teams(user_id, [team["id"] for team in mine])
        if team_id is not None:
            return [Reply(t("sharing.left_one", name=mine[0]["name"]))]
        return [Reply(t("sharing.left", count=len(mine)))]

    # ============================================================ the team view
    def team_report(self, incoming: Incoming) -> list[Reply]:
        """`/team_report`: the one team's view, or a picker when the person runs several."""
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        admin_of = self._admin_of(incoming.user_id)
        if not admin_of:
            return [Reply(t("sharing.report_not_admin"))]
        if len(admin_of) == 1:
            return self._team_view(admin_of[0]["id"], admin_of[0]["name"])
        rows = [[Button(t("sharing.button_team_report", name=team["name"][:BUTTON_NAME_CHARS * 2]),
                        cb.TeamReport(team["id"]).encode())] for team in admin_of]
        return [Reply(t("sharing.report_pick", count=len(admin_of)), rows)]

    def _report_of(self, incoming: Incoming, team_id: int) -> list[Reply]:
        if not self._is_admin(incoming.user_id, team_id):
            return [Reply(t("sharing.remove_denied"))]
        team = self.db.team(team_id)
        return self._team_view(team_id, team["name"] if team else "")

    def _team_view(self, team_id: int, name: str) -> list[Reply]:
        sheets = ordered(self.sheets(team_id))
        if not sheets:
            return [Reply(t("sharing.report_empty", name=name))]
        replies: list[Reply] = []
        for sheet in sheets:
            replies.append(Reply(team_summary(name, sheet, self.results.catalog.get(sheet.code))))
            parts = sheet_parts(sheet)
            for n, part in enumerate(parts, 1):
                caption = t("sharing.chart_caption", name=name, code=sheet.code)
                if len(parts) > 1:
                    caption += t("sharing.chart_part", n=n, total=len(parts))
                replies.append(Reply(caption, photo=heatmap_png(name, part)))
        file_name = t("sharing.report_workbook_name", id=team_id, date=self.clock().strftime("%Y%m%d"))
        replies.append(Reply(t("sharing.report_workbook", name=name), document=(file_name, workbook_bytes(sheets))))
        return replies

    def sheets(self, team_id: int) -> list[Sheet]:
        """Per standard, each member's latest shared result: confirmed ratings where a review finished, else self."""
        by_standard: dict[str, Sheet] = {}
        for member in (m for m in self.db.team_members(team_id) if m["role"] == MEMBER):
            latest: dict[str, Any] = {}
            for result in self.results.results(member["user_id"]):  # newest first
                if _shared(member, result):
                    latest.setdefault(result.standard, result)
            for code, result in latest.items():
                sheet = by_standard.setdefault(code, Sheet(code, result.title, []))
                self._add_member(sheet, member, result)
        return [by_standard[code] for code in sorted(by_standard)]

    def _add_member(self, sheet: Sheet, member: dict[str, Any], result: Any) -> None:
        marks, reviewer = self.confirmed(result.id)
        label = display_name(member["user_name"] or result.user_name or str(member["user_id"]))
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

    # ============================================================ buttons
    def on_button(self, incoming: Incoming, data: cb.Data) -> list[Reply]:
        """A team button (bot/callbacks.py)."""
        if incoming.in_group:
            return [Reply(t("sharing.private_only"))]
        match data:
            case cb.Join():
                return self._join(incoming, data)
            case cb.NotJoin():
                return [Reply(t("sharing.team_declined"))]
            case cb.RemoveMember(team=team, user=user):
                return self._remove(incoming, team, user)
            case cb.NewLink(team=team):
                return self._new_link(incoming, team)
            case cb.Leave(team=team):
                return self._leave(incoming.user_id, team)
            case cb.Notices(team=team, on=on):
                return self._notify(incoming, team, on)
            case cb.TeamReport(team=team):
                return self._report_of(incoming, team)
        return [Reply(t("sharing.team_stale"))]


def _shared(member: dict[str, Any], result: Any) -> bool:
    """True when the member shares this result with the team: everything, or what they finished since joining."""
    since = aware(member.get("shared_from"))
    if since is None:
        return True
    try:
        finished = aware(datetime.fromisoformat(result.finished_at))
    except (TypeError, ValueError):
        return False
    return finished is not None and finished >= since


def _task_order(code: str) -> tuple[int, ...]:
    digits = [int(part) for part in code.lstrip("T").split(".") if part.isdigit()]
    return tuple(digits) or (10_000,)
