"""SQL storage (SQLAlchemy Core): chat sessions, assessments, answers, evidence notes and results.

SQLite in BOT_DATA_DIR by default; any SQLAlchemy URL (PostgreSQL included) through DATABASE_URL.
Everything a conversation needs lives here, not in the process, so a restart or a
second process picks up where the first left off.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.masking import MASK, mask_url, mask_urls_in
from prompts import t

DEFAULT_TIMEOUT = 15.0  # seconds to wait for a locked database (or a connection) before giving up
RateVerdict = Literal["ok", "warn", "drop"]
SCHEMA_LOCK_ID = 7_301_118  # PostgreSQL advisory lock taken while the tables are created
PAGES_KEPT = timedelta(days=7)  # how long a 下一頁 button of an old reply keeps working
SCHEMA_ATTEMPTS = 6
SCHEMA_RETRY_SECONDS = 0.05

ACTIVE, DONE, DRAFT = "active", "done", "draft"  # assessments.status (and "cancelled")

metadata = MetaData()


def utcnow() -> datetime:
    return datetime.now(UTC)


chat_sessions = Table(
    "chat_sessions",
    metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", BigInteger, nullable=True),
    Column("standard", String(64), nullable=True),
    Column("pending", Text, nullable=True),  # JSON: a question waiting for a standard choice
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
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_name", String(200), nullable=True),
    Column("role", String(8), nullable=False),  # admin / member
    Column("joined_at", DateTime(timezone=True), default=utcnow),
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

    # ------------------------------------------------------------ chat sessions
    def get_session(self, chat_id: int) -> dict[str, Any]:
        with self.begin() as conn:
            row = conn.execute(select(chat_sessions).where(chat_sessions.c.chat_id == chat_id)).mappings().first()
        if not row:
            return {"chat_id": chat_id, "standard": None, "pending": None}
        data = dict(row)
        data["pending"] = json.loads(data["pending"]) if data["pending"] else None
        return data

    def save_session(self, chat_id: int, user_id: int | None = None, **changes: Any) -> None:
        if "pending" in changes and changes["pending"] is not None:
            changes["pending"] = json.dumps(changes["pending"], ensure_ascii=False)
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
            conn.execute(delete(rate_events).where(rate_events.c.user_id == user_id))
            conn.execute(delete(reply_pages).where((reply_pages.c.user_id == user_id) | (reply_pages.c.chat_id == user_id)))
            own = [r[0] for r in conn.execute(select(teams.c.id).where(teams.c.created_by == user_id))]
            if own:
                conn.execute(delete(team_members).where(team_members.c.team_id.in_(own)))
                conn.execute(delete(teams).where(teams.c.id.in_(own)))
            conn.execute(delete(team_members).where(team_members.c.user_id == user_id))
        return n


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return mask_urls_in(lines[0])[:300] if lines else ""


def _lost_a_race(error: SQLAlchemyError) -> bool:
    """Another process created the same table first, or held the fresh file for a moment."""
    text = str(getattr(error, "orig", None) or error).lower()
    return any(sign in text for sign in ("already exists", "database is locked", "duplicate key"))

def _drop_drafts(conn: Connection, user_id: int) -> None:
    conn.execute(delete(assessments).where(and_(assessments.c.user_id == user_id, assessments.c.status == DRAFT)))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, busy_ms: int) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={busy_ms}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: no corruption on a crash, far fewer fsyncs
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
