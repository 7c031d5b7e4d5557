"""SQL storage (SQLAlchemy Core): chat sessions, assessments, answers, evidence notes and results.

SQLite in BOT_DATA_DIR by default; any SQLAlchemy URL (PostgreSQL included) through DATABASE_URL.
Everything a conversation needs lives here, not in the process, so a restart or a
second process picks up where the first left off.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from index.masking import MASK, mask_url, mask_urls_in
from prompts import t

DEFAULT_TIMEOUT = 15.0  # seconds to wait for a locked database (or a connection) before giving up
RateVerdict = Literal["ok", "warn", "drop"]
SCHEMA_LOCK_ID = 7_301_118  # PostgreSQL advisory lock taken while the tables are created
PAGES_KEPT = timedelta(days=7)  # how long a 下一頁 button of an old reply keeps working
SCHEMA_ATTEMPTS = 6
SCHEMA_RETRY_SECONDS = 0.05

ACTIVE, DONE, DRAFT = "active", "done", "draft"  # assessments.status (and "cancelled")
MAX_ROW_ID = 2**31 - 1  # the largest Integer id every database holds (PostgreSQL's integer)
MAX_BIG_ID = 2**63 - 1  # the largest BigInteger (Telegram user and chat ids)
OPEN, TAKEN, REVOKED = "open", "taken", "revoked"  # review_links.status (and DONE)
ADMIN, MEMBER = "admin", "member"  # team_members.role

metadata = MetaData()


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone: they were stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def row_id(text: str) -> int | None:
    """The id a person or a button wrote (ASCII digits), or None when it is none or no row can have it."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None


def fits(value: int | None, largest: int = MAX_ROW_ID) -> bool:
    """True when the value can be compared with a stored id (a larger one overflows the driver: no row has it)."""
    return value is not None and -largest - 1 <= value <= largest


chat_sessions = Table(
    "chat_sessions",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, nullable=True),
    Column("standard", String(64), nullable=True),
    Column("pending", Text, nullable=True),  # JSON: a question waiting for a standard choice
    Column("context", Text, nullable=True),  # JSON: the conversation (bot/session.py), added after the first release
    Column("updated_at", DateTime(timezone=True), default=utcnow, onupdate=utcnow),
)

processed_updates = Table(
    "processed_updates",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("handled_at", DateTime(timezone=True), default=utcnow),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", BigInteger, index=True, nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("user_name", String(200), nullable=True),
    Column("standard", String(64), nullable=False),
    Column("scope", String(64), nullable=False),  # "quick", "duty:T2", "section:工作任務一"
    Column("questions", JSON, nullable=False),  # list of question dicts, fixed at start
    Column("position", Integer, nullable=False, default=0),
    Column("awaiting_evidence", Integer, nullable=True),  # question index awaiting a sentence
    Column("status", String(16), nullable=False, default="active"),  # active / done / cancelled
    Column("started_at", DateTime(timezone=True), default=utcnow),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("result", JSON, nullable=True),
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("question_index", Integer, nullable=False),
    Column("item_code", String(64), nullable=False),
    Column("task_code", String(64), nullable=False),
    Column("score", Integer, nullable=True),  # None = skipped
    Column("evidence", Text, nullable=True),  # written before evidence_notes existed; read, never written
    Column("answered_at", DateTime(timezone=True), default=utcnow, onupdate=utcnow),
)

evidence_notes = Table(
    "evidence_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("assessment_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("question_index", Integer, nullable=False),
    Column("task_code", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # "example" or "follow_up"
    Column("status", String(16), nullable=False),  # "asked" (a follow-up waiting), "given" or "skipped"
    Column("target", String(64), nullable=True),  # what a follow-up asks about: a code or "story:<part>"
    Column("prompt", Text, nullable=True),  # the follow-up question as it was asked
    Column("text", Text, nullable=True),  # what the person wrote
    Column("codes", JSON, nullable=False),  # indicator / output codes the text shows, best first
    Column("created_at", DateTime(timezone=True), default=utcnow),
)

rate_events = Table(
    "rate_events",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("window_start", Float, nullable=False),
    Column("count", Integer, nullable=False),
    Column("warned", Integer, nullable=False, default=0),
)


reply_pages = Table(
    "reply_pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, index=True, nullable=False),
    Column("user_id", BigInteger, nullable=True),
    Column("pages", JSON, nullable=False),  # [{"text": ..., "buttons": [[[label, data], ...], ...]}, ...]
    Column("created_at", DateTime(timezone=True), default=utcnow, index=True),
)


# ---------------------------------------------------------------- sharing: reviews and teams (bot/sharing.py)
review_links = Table(
    "review_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), unique=True, nullable=False),  # sha256 of the link's token, never the token
    Column("result_id", Integer, ForeignKey("assessments.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("owner_id", BigInteger, index=True, nullable=False),
    Column("owner_chat_id", BigInteger, nullable=False),
    Column("reviewer_id", BigInteger, index=True, nullable=True),  # set by the first person who opens it
    Column("reviewer_name", String(200), nullable=True),
    Column("status", String(16), nullable=False, default="open"),  # open / taken / done / revoked
    Column("marks", JSON, nullable=False),  # {task code: {"rating": 0-3 or null, "comment": text}}
    Column("awaiting", String(64), nullable=True),  # the task whose comment the reviewer may type now
    Column("awaiting_since", DateTime(timezone=True), nullable=True),  # when that comment was asked for
    Column("created_at", DateTime(timezone=True), default=utcnow),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=True),
)

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("join_hash", String(64), unique=True, nullable=False),  # sha256 of the join link's token
    Column("created_by", BigInteger, index=True, nullable=False),
    Column("created_at", DateTime(timezone=True), default=utcnow),
    Column("notify", Integer, nullable=True),  # 0: the lead is not told of joins and finished results (null: told)
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_name", String(200), nullable=True),
    Column("role", String(8), nullable=False),  # admin / member
    Column("joined_at", DateTime(timezone=True), default=utcnow),
    Column("shared_from", DateTime(timezone=True), nullable=True),  # results finished since then are shared (null: all)
)

team_removals = Table(  # a removed member cannot rejoin with the link they had (a new link lets them back)
    "team_removals",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("join_hash", String(64), nullable=False),  # the team's link when they were removed
    Column("removed_at", DateTime(timezone=True), default=utcnow),
)


interview_states = Table(
    # what the assessment conversation needs between two messages besides the assessment row: the last
    # keyboard shown (its labels typed as text press it), a 中止 waiting for its answer, a pause, unclear replies
    "interview_states",
    metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("state", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), default=utcnow, onupdate=utcnow),
)


class DatabaseError(RuntimeError):
    """The database cannot be opened or used; the message says which and why (no secrets)."""


class Database:
    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT, setting: str = "DATABASE_URL") -> None:
        self.url = url
        self.timeout = timeout
        self.setting = setting  # the setting the URL comes from, named in every error
        try:
            self.engine: Engine = create_engine(url, **self._engine_options(url))
        except Exception as e:  # noqa: BLE001 - a bad URL, port or driver: one line, never a traceback
            raise DatabaseError(self._unusable(f"{type(e).__name__}: {_first_line(e)}")) from e
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", partial(_sqlite_pragmas, busy_ms=int(timeout * 1000)))

    def _engine_options(self, url: str) -> dict[str, Any]:
        options: dict[str, Any] = {"future": True, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            options["connect_args"] = {"timeout": self.timeout, "check_same_thread": False}
        elif url.startswith("postgresql"):
            options["connect_args"] = {"connect_timeout": max(1, round(self.timeout))}
        return options

    def create(self) -> None:
        """Create the tables and make sure they can be written (not locked by another program)."""
        try:
            self._create_tables()
            self._probe_write()
        except SQLAlchemyError as e:
            raise DatabaseError(self._unusable(self._reason(e))) from e

    def _unusable(self, reason: str) -> str:
        return t("cli.database_unusable", url=self.safe_url, setting=self.setting, reason=reason)

    def _create_tables(self) -> None:
        """Create what is missing, even while other processes start on the same fresh database.

        On PostgreSQL they take turns (a lock held until the tables are committed). SQLite has no
        such lock for DDL: a process may find a table missing and then fail to create it because
        another one just did (or find the file locked while another turns WAL on); it looks again."""
        for attempt in range(1, SCHEMA_ATTEMPTS + 1):
            try:
                with self.begin() as conn:
                    if self.engine.dialect.name == "postgresql":
                        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_ID})")
                    metadata.create_all(conn)
                    _add_missing_columns(conn)
                return
            except SQLAlchemyError as e:
                if attempt == SCHEMA_ATTEMPTS or not _lost_a_race(e):
                    raise
                time.sleep(SCHEMA_RETRY_SECONDS * attempt)

    def _probe_write(self) -> None:
        """A write that changes nothing: it waits at most `timeout` for a lock another program holds."""
        with self.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(self.timeout * 1000)}")
            conn.execute(delete(processed_updates).where(processed_updates.c.update_id == -1))

    def _reason(self, error: SQLAlchemyError) -> str:
        """The driver's first line of explanation, without the password (it may echo the URL)."""
        cause = getattr(error, "orig", None) or error
        lines = str(cause).strip().splitlines()
        reason = f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__
        password = self.engine.url.password
        if password:
            reason = reason.replace(str(password), MASK)
        return mask_urls_in(reason)[:300]

    @property
    def safe_url(self) -> str:
        return mask_url(self.url)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # ------------------------------------------------------------ one unit of work per message
    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        """One message (bot/engine.py): what is `remembered` is read once within it, until a write it depends on
        (the callers say which: bot/assessment/records.py); what is `deferred` is written once, at its end. Per
        thread of work (a context variable); a unit inside a unit is the same unit."""
        if _UNIT_OF_WORK.get() is not None:
            yield
            return
        unit = Unit()
        token = _UNIT_OF_WORK.set(unit)
        try:
            yield
        finally:
            try:
                for write in list(unit.deferred.values()):
                    write()
            finally:
                _UNIT_OF_WORK.reset(token)

    @staticmethod
    def remembered(key: tuple[Hashable, ...], read: Callable[[], Any]) -> Any:
        """`read()` once per unit of work (every time outside one). A key's first part names its kind."""
        unit = _UNIT_OF_WORK.get()
        if unit is None:
            return read()
        if key not in unit.memo:
            unit.memo[key] = read()
        return unit.memo[key]

    @staticmethod
    def remember(key: tuple[Hashable, ...], value: Any) -> None:
        """A value now known without a query (just written, or to be written at the end)."""
        unit = _UNIT_OF_WORK.get()
        if unit is not None:
            unit.memo[key] = value

    @staticmethod
    def peek(key: tuple[Hashable, ...], default: Any = None) -> Any:
        unit = _UNIT_OF_WORK.get()
        return unit.memo.get(key, default) if unit is not None else default

    @staticmethod
    def forget_remembered(*kinds: str) -> None:
        """Read these kinds again (every kind when none is named): something they depend on was written."""
        unit = _UNIT_OF_WORK.get()
        if unit is not None:
            for key in [k for k in unit.memo if not kinds or k[0] in kinds]:
                del unit.memo[key]

    @staticmethod
    def defer(key: tuple[Hashable, ...], write: Callable[[], None]) -> bool:
        """Run `write` when the unit of work ends (the last one given for a key); False outside a unit of work,
        where the caller writes now."""
        unit = _UNIT_OF_WORK.get()
        if unit is None:
            return False
        unit.deferred[key] = write
        return True

    @staticmethod
    def drop_deferred(key: tuple[Hashable, ...]) -> None:
        unit = _UNIT_OF_WORK.get()
        if unit is not None:
            unit.deferred.pop(key, None)

    # ------------------------------------------------------------ chat sessions
    def get_session(self, chat_id: int) -> dict[str, Any]:
        with self.begin() as conn:
            row = conn.execute(select(chat_sessions).where(chat_sessions.c.chat_id == chat_id)).mappings().first()
        if not row:
            return {"chat_id": chat_id, "standard": None, "pending": None, "context": None}
        data = dict(row)
        for name in _JSON_SESSION_FIELDS:
            data[name] = _json_or_none(data.get(name))
        return data

    def save_session(self, chat_id: int, user_id: int | None = None, **changes: Any) -> None:
        for name in _JSON_SESSION_FIELDS:
            if changes.get(name) is not None:
                changes[name] = json.dumps(changes[name], ensure_ascii=False)
        with self.begin() as conn:
            exists = conn.execute(select(chat_sessions.c.chat_id).where(chat_sessions.c.chat_id == chat_id)).first()
            if exists:
                conn.execute(chat_sessions.update().where(chat_sessions.c.chat_id == chat_id).values(**changes))
            else:
                conn.execute(chat_sessions.insert().values(chat_id=chat_id, user_id=user_id, **changes))

    def mark_update(self, update_id: int) -> bool:
        """Record an update id; False when it was already handled (a repeated delivery). Any other
        database failure is raised: the update must not pass for handled when it was not."""
        try:
            with self.begin() as conn:
                conn.execute(processed_updates.insert().values(update_id=update_id))
            return True
        except IntegrityError:
            return False

    # ------------------------------------------------------------ rate limiting
    def count_message(self, user_id: int, now: float, window_seconds: float, limit: int) -> RateVerdict:
        """Count one message of a person: 'ok' within the limit, 'warn' for the first one over it, then 'drop'.

        A window starts with the first message after the previous one ended. The row is updated before
        it is read, so concurrent processes count each message exactly once.
        """
        for _attempt in range(3):
            try:
                return self._count(user_id, now, window_seconds, limit)
            except IntegrityError:  # another process created this person's row first: count again
                continue
        return "ok"

    def _count(self, user_id: int, now: float, window_seconds: float, limit: int) -> RateVerdict:
        expired = rate_events.c.window_start <= now - window_seconds
        mine = rate_events.c.user_id == user_id
        with self.begin() as conn:
            bumped = conn.execute(
                rate_events.update()
                .where(mine)
                .values(
                    window_start=case((expired, now), else_=rate_events.c.window_start),
                    count=case((expired, 1), else_=rate_events.c.count + 1),
                    warned=case((expired, 0), else_=rate_events.c.warned),
                )
            ).rowcount
            if not bumped:
                conn.execute(rate_events.insert().values(user_id=user_id, window_start=now, count=1, warned=0))
                return "ok" if limit >= 1 else "warn"
            count, warned = conn.execute(select(rate_events.c.count, rate_events.c.warned).where(mine)).one()
            if count <= limit:
                return "ok"
            if warned:
                return "drop"
            conn.execute(rate_events.update().where(mine).values(warned=1))
            return "warn"

    def rate_silenced(self, user_id: int, now: float, window_seconds: float) -> bool:
        """True while a person who has had the slow-down notice is still inside that window (read only)."""
        with self.begin() as conn:
            row = conn.execute(
                select(rate_events.c.window_start, rate_events.c.warned).where(rate_events.c.user_id == user_id)
            ).first()
        return bool(row and row.warned and row.window_start > now - window_seconds)

    # ------------------------------------------------------------ pages of long replies
    def save_pages(self, chat_id: int, user_id: int | None, pages: list[dict[str, Any]]) -> int:
        """Keep a long reply's pages; returns their id. Pages older than PAGES_KEPT are forgotten."""
        with self.begin() as conn:
            conn.execute(delete(reply_pages).where(reply_pages.c.created_at < utcnow() - PAGES_KEPT))
            return int(
                conn.execute(reply_pages.insert().values(chat_id=chat_id, user_id=user_id, pages=pages)).inserted_primary_key[0]
            )

    def get_pages(self, pages_id: int, chat_id: int) -> list[dict[str, Any]] | None:
        """The pages with this id, if they were made for this chat (and not forgotten)."""
        if not fits(pages_id) or not fits(chat_id, MAX_BIG_ID):
            return None
        with self.begin() as conn:
            row = conn.execute(
                select(reply_pages.c.pages).where(reply_pages.c.id == pages_id, reply_pages.c.chat_id == chat_id)
            ).first()
        return list(row.pages) if row else None

    # ------------------------------------------------------------ assessments (rows as mappings; bot/assessment/records.py types them)
    def active_assessment(self, user_id: int) -> dict[str, Any] | None:
        """The person's assessment in progress (the newest, should there be two)."""
        mine = and_(assessments.c.user_id == user_id, assessments.c.status == ACTIVE)
        with self.begin() as conn:
            row = conn.execute(select(assessments).where(mine).order_by(assessments.c.id.desc()).limit(1)).mappings()
            found = row.first()
        return dict(found) if found else None

    def assessment(self, assessment_id: int) -> dict[str, Any] | None:
        if not fits(assessment_id):
            return None
        with self.begin() as conn:
            row = conn.execute(select(assessments).where(assessments.c.id == assessment_id)).mappings().first()
        return dict(row) if row else None

    def draft(self, user_id: int) -> dict[str, Any] | None:
        """The row that keeps a person's name (and duties ticked) until an assessment starts."""
        mine = and_(assessments.c.user_id == user_id, assessments.c.status == DRAFT)
        with self.begin() as conn:
            row = conn.execute(select(assessments).where(mine).order_by(assessments.c.id.desc()).limit(1)).mappings()
            found = row.first()
        return dict(found) if found else None

    def keep_draft(self, user_id: int, chat_id: int, **values: Any) -> None:
        """Replace the person's draft row with one holding these values."""
        row = {"user_name": "", "standard": "", "scope": "", "questions": [], "position": 0, **values}
        with self.begin() as conn:
            _drop_drafts(conn, user_id)
            conn.execute(assessments.insert().values(user_id=user_id, chat_id=chat_id, status=DRAFT, **row))

    def start_assessment(self, user_id: int, chat_id: int, **values: Any) -> int:
        """Insert an active assessment named after the person's latest known name; drafts are dropped."""
        with self.begin() as conn:
            name = self._latest_name(conn, user_id)
            _drop_drafts(conn, user_id)
            inserted = conn.execute(
                assessments.insert().values(
                    user_id=user_id, chat_id=chat_id, user_name=name, position=0, status=ACTIVE, **values
                )
            )
            return int(inserted.inserted_primary_key[0])

    @staticmethod
    def _latest_name(conn: Connection, user_id: int) -> str:
        named = and_(
            assessments.c.user_id == user_id, assessments.c.user_name.is_not(None), assessments.c.user_name != ""
        )
        query = select(assessments.c.user_name).where(named).order_by(assessments.c.id.desc()).limit(1)
        return conn.execute(query).scalar() or ""

    def update_assessment(self, assessment_id: int, **values: Any) -> None:
        with self.begin() as conn:
            conn.execute(assessments.update().where(assessments.c.id == assessment_id).values(**values))

    def end_active_assessments(self, user_id: int, status: str) -> None:
        mine = and_(assessments.c.user_id == user_id, assessments.c.status == ACTIVE)
        with self.begin() as conn:
            conn.execute(
                assessments.update().where(mine).values(status=status, finished_at=utcnow(), awaiting_evidence=None)
            )

    def answer_rows(self, assessment_id: int) -> list[dict[str, Any]]:
        query = select(answers.c.question_index, answers.c.score, answers.c.evidence).where(
            answers.c.assessment_id == assessment_id
        )
        with self.begin() as conn:
            return [dict(row) for row in conn.execute(query.order_by(answers.c.question_index)).mappings()]

    def save_answer(
        self, assessment_id: int, index: int, item_code: str, task_code: str, score: int | None, awaiting: int | None
    ) -> None:
        """Write an answer (a changed answer drops that question's notes) and move on, in one transaction."""
        where = and_(answers.c.assessment_id == assessment_id, answers.c.question_index == index)
        with self.begin() as conn:
            if conn.execute(select(answers.c.id).where(where)).first():
                conn.execute(answers.update().where(where).values(score=score, evidence=None, answered_at=utcnow()))
            else:
                conn.execute(
                    answers.insert().values(
                        assessment_id=assessment_id,
                        question_index=index,
                        item_code=item_code,
                        task_code=task_code,
                        score=score,
                    )
                )
            conn.execute(
                delete(evidence_notes).where(
                    and_(evidence_notes.c.assessment_id == assessment_id, evidence_notes.c.question_index == index)
                )
            )
            conn.execute(
                assessments.update()
                .where(assessments.c.id == assessment_id)
                .values(position=index + 1, awaiting_evidence=awaiting)
            )

    def note_rows(self, assessment_id: int) -> list[dict[str, Any]]:
        query = select(evidence_notes).where(evidence_notes.c.assessment_id == assessment_id)
        with self.begin() as conn:
            return [dict(row) for row in conn.execute(query.order_by(evidence_notes.c.id)).mappings()]

    def save_notes(
        self,
        assessment_id: int,
        new: list[dict[str, Any]] | None = None,
        changed: dict[int, dict[str, Any]] | None = None,
        **assessment_values: Any,
    ) -> None:
        """Add notes, change notes and update the assessment row in one transaction."""
        with self.begin() as conn:
            for note_id, values in (changed or {}).items():
                conn.execute(evidence_notes.update().where(evidence_notes.c.id == note_id).values(**values))
            for values in new or []:
                conn.execute(evidence_notes.insert().values(assessment_id=assessment_id, **values))
            if assessment_values:
                conn.execute(assessments.update().where(assessments.c.id == assessment_id).values(**assessment_values))

    def finished_rows(self, user_id: int | None = None, result_id: int | None = None) -> list[dict[str, Any]]:
        """Finished assessments (id, user_id, result), newest first; everyone's when no user is given."""
        if (result_id is not None and not fits(result_id)) or (user_id is not None and not fits(user_id, MAX_BIG_ID)):
            return []
        query = select(assessments.c.id, assessments.c.user_id, assessments.c.result).where(
            assessments.c.status == DONE
        )
        if user_id is not None:
            query = query.where(assessments.c.user_id == user_id)
        if result_id is not None:
            query = query.where(assessments.c.id == result_id)
        with self.begin() as conn:
            return [dict(row) for row in conn.execute(query.order_by(assessments.c.id.desc())).mappings()]

    def count_assessments(self, user_id: int) -> int:
        """Assessments a person has (drafts aside)."""
        mine = and_(assessments.c.user_id == user_id, assessments.c.status != DRAFT)
        with self.begin() as conn:
            return int(conn.execute(select(func.count()).select_from(assessments).where(mine)).scalar_one())

    def forget_preview(self, user_id: int) -> dict[str, Any]:
        """What forget_user would delete, counted: results, assessments in progress, review links (own and
        done for others), the teams the person runs (names, members) and the teams they are in (names)."""
        mine = assessments.c.user_id == user_id
        with self.begin() as conn:
            def count(table: Table, where: Any) -> int:
                return int(conn.execute(select(func.count()).select_from(table).where(where)).scalar_one())

            runs = [dict(r) for r in conn.execute(select(teams.c.id, teams.c.name).where(
                teams.c.created_by == user_id).order_by(teams.c.id)).mappings()]
            in_teams = conn.execute(select(teams.c.name).join(team_members, team_members.c.team_id == teams.c.id).where(
                team_members.c.user_id == user_id, team_members.c.role == MEMBER).order_by(teams.c.id)).scalars().all()
            members = count(team_members, team_members.c.team_id.in_([r["id"] for r in runs]) &
                            (team_members.c.role == MEMBER)) if runs else 0
            return {
                "results": count(assessments, mine & (assessments.c.status == DONE)),
                "active": count(assessments, mine & (assessments.c.status == ACTIVE)),
                "shared": count(review_links, review_links.c.owner_id == user_id),
                "reviewed": count(review_links, review_links.c.reviewer_id == user_id),
                "runs": [r["name"] for r in runs],
                "members": members,
                "member_of": list(in_teams),
            }

    def interview_state(self, user_id: int) -> dict[str, Any]:
        with self.begin() as conn:
            state = conn.execute(
                select(interview_states.c.state).where(interview_states.c.user_id == user_id)
            ).scalar()
        return dict(state) if state else {}

    def keep_interview_state(self, user_id: int, state: dict[str, Any]) -> None:
        """Replace the person's interview state (an empty one deletes the row)."""
        with self.begin() as conn:
            conn.execute(delete(interview_states).where(interview_states.c.user_id == user_id))
            if state:
                conn.execute(interview_states.insert().values(user_id=user_id, state=state))

    def forget_user(self, user_id: int) -> int:
        """Delete everything of a person (their rate-limit row stays: deleting must not reset the limit)."""
        with self.begin() as conn:
            conn.execute(delete(interview_states).where(interview_states.c.user_id == user_id))
            ids = [r[0] for r in conn.execute(select(assessments.c.id).where(assessments.c.user_id == user_id))]
            conn.execute(delete(review_links).where((review_links.c.owner_id == user_id)
                                                    | (review_links.c.reviewer_id == user_id)))
            if ids:
                conn.execute(delete(evidence_notes).where(evidence_notes.c.assessment_id.in_(ids)))
                conn.execute(delete(answers).where(answers.c.assessment_id.in_(ids)))
            n = conn.execute(delete(assessments).where(assessments.c.user_id == user_id)).rowcount
            conn.execute(delete(chat_sessions).where(chat_sessions.c.user_id == user_id))
            conn.execute(delete(chat_sessions).where(chat_sessions.c.chat_id == user_id))
            conn.execute(delete(reply_pages).where((reply_pages.c.user_id == user_id) | (reply_pages.c.chat_id == user_id)))
            own = [r[0] for r in conn.execute(select(teams.c.id).where(teams.c.created_by == user_id))]
            if own:
                conn.execute(delete(team_members).where(team_members.c.team_id.in_(own)))
                conn.execute(delete(team_removals).where(team_removals.c.team_id.in_(own)))
                conn.execute(delete(teams).where(teams.c.id.in_(own)))
            conn.execute(delete(team_members).where(team_members.c.user_id == user_id))
            conn.execute(delete(team_removals).where(team_removals.c.user_id == user_id))
        return n

    # ------------------------------------------------------------ reviews (bot/reviews.py)
    def add_review_link(self, **values: Any) -> int:
        with self.begin() as conn:
            return int(conn.execute(insert(review_links).values(**values)).inserted_primary_key[0])

    def review_link(self, link_id: int) -> dict[str, Any] | None:
        return self._review_where(review_links.c.id == link_id) if fits(link_id) else None

    def review_link_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        return self._review_where(review_links.c.token_hash == token_hash)

    def review_taken_by(self, reviewer_id: int) -> dict[str, Any] | None:
        """The newest review this person has opened and not finished."""
        return self._review_where((review_links.c.reviewer_id == reviewer_id) & (review_links.c.status == TAKEN))

    def latest_review_by(self, reviewer_id: int) -> dict[str, Any] | None:
        """The newest review this person has opened, in any state."""
        return self._review_where(review_links.c.reviewer_id == reviewer_id)

    def latest_review(self, result_id: int, statuses: tuple[str, ...]) -> dict[str, Any] | None:
        """The newest review of a result in one of these states."""
        return self._review_where((review_links.c.result_id == result_id) & review_links.c.status.in_(statuses))

    def _review_where(self, where: Any) -> dict[str, Any] | None:
        with self.begin() as conn:
            row = conn.execute(select(review_links).where(where).order_by(review_links.c.id.desc()).limit(1))
            found = row.mappings().first()
        return dict(found) if found else None

    def update_review_link(self, link_id: int, **values: Any) -> None:
        with self.begin() as conn:
            conn.execute(update(review_links).where(review_links.c.id == link_id).values(**values))

    def revoke_review_links(self, owner_id: int) -> int:
        """Revoke the person's links nobody has finished; how many."""
        mine = (review_links.c.owner_id == owner_id) & review_links.c.status.in_((OPEN, TAKEN))
        with self.begin() as conn:
            return int(conn.execute(update(review_links).where(mine).values(
                status=REVOKED, awaiting=None, awaiting_since=None)).rowcount)

    def review_awaiting_comment(self, reviewer_id: int) -> dict[str, Any] | None:
        """The review whose reviewer was just asked for a comment (the newest, should there be two)."""
        awaited = (review_links.c.reviewer_id == reviewer_id) & review_links.c.awaiting.is_not(None)
        return self._review_where(awaited & (review_links.c.status == TAKEN))

    def drop_awaited_comment(self, reviewer_id: int) -> None:
        """The reviewer did something else: a comment is no longer awaited (read first: most people await none,
        and a write would take the database's write lock for nothing)."""
        awaited = (review_links.c.reviewer_id == reviewer_id) & review_links.c.awaiting.is_not(None)
        with self.begin() as conn:
            if conn.execute(select(review_links.c.id).where(awaited).limit(1)).first() is None:
                return
            conn.execute(update(review_links).where(awaited).values(awaiting=None, awaiting_since=None))

    # ------------------------------------------------------------ teams (bot/teams.py)
    def add_team(self, name: str, join_hash: str, admin_id: int, admin_name: str) -> int:
        with self.begin() as conn:
            team_id = int(conn.execute(insert(teams).values(name=name, join_hash=join_hash, created_by=admin_id)
                                       ).inserted_primary_key[0])
            conn.execute(insert(team_members).values(team_id=team_id, user_id=admin_id, user_name=admin_name, role=ADMIN))
        return team_id

    def team(self, team_id: int) -> dict[str, Any] | None:
        return self._team_where(teams.c.id == team_id) if fits(team_id) else None

    def team_by_join_hash(self, join_hash: str) -> dict[str, Any] | None:
        return self._team_where(teams.c.join_hash == join_hash)

    def _team_where(self, where: Any) -> dict[str, Any] | None:
        with self.begin() as conn:
            found = conn.execute(select(teams).where(where)).mappings().first()
        return dict(found) if found else None

    def update_team(self, team_id: int, **values: Any) -> None:
        with self.begin() as conn:
            conn.execute(update(teams).where(teams.c.id == team_id).values(**values))

    def memberships(self, user_id: int) -> list[dict[str, Any]]:
        """The teams a person is in (id, name, role, notify), oldest first."""
        query = select(teams.c.id, teams.c.name, teams.c.notify, team_members.c.role).join(
            team_members, team_members.c.team_id == teams.c.id).where(team_members.c.user_id == user_id)
        with self.begin() as conn:
            return [dict(r) for r in conn.execute(query.order_by(teams.c.id)).mappings()]

    def team_members(self, team_id: int) -> list[dict[str, Any]]:
        """A team's rows (admins and members), in the order they joined."""
        if not fits(team_id):
            return []
        query = select(team_members).where(team_members.c.team_id == team_id)
        with self.begin() as conn:
            order = (team_members.c.joined_at, team_members.c.user_id)
            return [dict(r) for r in conn.execute(query.order_by(*order)).mappings()]

    def add_member(self, team_id: int, user_id: int, user_name: str, shared_from: datetime | None) -> bool:
        """Add a member (False when they already are one)."""
        try:
            with self.begin() as conn:
                conn.execute(insert(team_members).values(team_id=team_id, user_id=user_id, user_name=user_name,
                                                         role=MEMBER, shared_from=shared_from))
            return True
        except IntegrityError:
            return False

    def remove_member(self, team_id: int, user_id: int) -> str | None:
        """Remove a member and remember the link they had (they cannot rejoin with it); their name, None when
        they were no member."""
        if not fits(team_id) or not fits(user_id, MAX_BIG_ID):
            return None
        where = (team_members.c.team_id == team_id) & (team_members.c.user_id == user_id) & (team_members.c.role == MEMBER)
        with self.begin() as conn:
            found = conn.execute(select(team_members.c.user_name).where(where)).first()
            if found is None:
                return None
            conn.execute(delete(team_members).where(where))
            join_hash = conn.execute(select(teams.c.join_hash).where(teams.c.id == team_id)).scalar_one()
            gone = (team_removals.c.team_id == team_id) & (team_removals.c.user_id == user_id)
            conn.execute(delete(team_removals).where(gone))
            conn.execute(insert(team_removals).values(team_id=team_id, user_id=user_id, join_hash=join_hash))
        return found[0] or str(user_id)

    def removed_with(self, team_id: int, user_id: int, join_hash: str) -> bool:
        """True when this person was removed from the team while this link was its link."""
        where = (team_removals.c.team_id == team_id) & (team_removals.c.user_id == user_id) & \
            (team_removals.c.join_hash == join_hash)
        with self.begin() as conn:
            return conn.execute(select(team_removals.c.user_id).where(where)).first() is not None

    def leave_teams(self, user_id: int, team_ids: list[int]) -> None:
        where = (team_members.c.user_id == user_id) & team_members.c.team_id.in_(team_ids) & (team_members.c.role == MEMBER)
        with self.begin() as conn:
            conn.execute(delete(team_members).where(where))

    # ------------------------------------------------------------ finished reviews, read for the owner's results
    # (bot/assessment/archive.py attaches them to results: overall figures, report, chart and history).
    # Read only: the review links are written by the review flow (bot/sharing.py).
    REVIEW_BATCH = 500  # result ids per query (SQLite's bound-parameter limit)
    REVIEW_DONE = "done"  # review_links.status of a finished review

    def finished_reviews(self, result_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """The latest finished review of each result that has one: {result id: {reviewer_name, marks, done_at}}."""
        found: dict[int, dict[str, Any]] = {}
        ids = sorted(set(result_ids))
        columns = (review_links.c.result_id, review_links.c.reviewer_name, review_links.c.marks, review_links.c.done_at)
        with self.begin() as conn:
            for start in range(0, len(ids), self.REVIEW_BATCH):
                batch = ids[start:start + self.REVIEW_BATCH]
                query = select(*columns).where(review_links.c.result_id.in_(batch), review_links.c.status == self.REVIEW_DONE)
                for row in conn.execute(query.order_by(review_links.c.id)).mappings():
                    found[row["result_id"]] = dict(row)  # the later review of a result replaces the earlier
        return found


def _add_missing_columns(conn: Connection) -> None:
    """Columns added to a table after a database was made (all nullable): ALTER TABLE … ADD COLUMN."""
    inspector = inspect(conn)
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")


_JSON_SESSION_FIELDS = ("pending", "context")


@dataclass
class Unit:
    """One unit of work: values read (or known) in it, and the writes left for its end."""

    memo: dict[tuple[Hashable, ...], Any] = field(default_factory=dict)
    deferred: dict[tuple[Hashable, ...], Callable[[], None]] = field(default_factory=dict)


_UNIT_OF_WORK: ContextVar[Unit | None] = ContextVar("unit_of_work", default=None)


def _json_or_none(text: str | None) -> Any:
    """A stored JSON value; None for nothing or for text that is not JSON (a damaged row starts afresh)."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return mask_urls_in(lines[0])[:300] if lines else ""


def _lost_a_race(error: SQLAlchemyError) -> bool:
    """Another process created the same table first, or held the fresh file for a moment."""
    text = str(getattr(error, "orig", None) or error).lower()
    return any(sign in text for sign in ("already exists", "database is locked", "duplicate key", "duplicate column"))


def _drop_drafts(conn: Connection, user_id: int) -> None:
    conn.execute(delete(assessments).where(and_(assessments.c.user_id == user_id, assessments.c.status == DRAFT)))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, busy_ms: int) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={busy_ms}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: no corruption on a crash, far fewer fsyncs
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
