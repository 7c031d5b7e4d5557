"""The conversation engine: sessions, commands and buttons, with no knowledge of any chat front.

`Engine.handle(Incoming) -> list[Reply]` is the whole interface. The Telegram adapter and the
terminal chat both turn what a person did into an `Incoming` and show the replies.

Per chat the engine remembers the current standard (and a question waiting for a standard
choice) in the SQL database, so a restart or a second process continues the conversation.
A RateLimiter (also counting in the database) holds back a person who sends too fast: one
slow-down notice per window, then nothing until the window ends (admins are exempt).

Button data (all below 64 bytes, stable across restarts):
- `std:<CODE>`  choose a standard (and re-ask the pending question for it)
- `as:...`      anything for the self-assessment service (`as:begin:<CODE>` starts one)
- `cmd:<name>`  run a command without arguments (menus)
- `ex:<n>`      ask the n-th example question of prompts/bot.toml
- `pg:<id>:<n>` the n-th page of a long reply (bot/paging.py: every reply passes through its Pager)
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable
from typing import Any, Protocol

from bot.paging import PAGE_PREFIX, Pager
from bot.replies import Button, Incoming, Reply
from bot.store import Database
from index.catalog import Catalog
from index.model import Document
from prompts import raw, t
from retrieval.types import Answer, Citation

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
MAX_EVIDENCE_CHARS = 2000
MAX_COMMAND_CHARS = 32
CALLBACK_LIMIT_BYTES = 64

STANDARD_PREFIX = "std:"
ASSESSMENT_PREFIX = "as:"
COMMAND_PREFIX = "cmd:"
EXAMPLE_PREFIX = "ex:"
SHARING_PREFIXES = ("rv:", "tm:")

ADMIN_COMMANDS = ("team_export", "reload")
USER_COMMANDS = (
    "start",
    "help",
    "standards",
    "use",
    "reset",
    "cancel",
    "assess",
    "resume",
    "report",
    "history",
    "forget",
    "share",
    "review",
    "team",
    "team_report",
)
DEEP_LINK_ASSESS = "assess-"
RATE_WINDOW_SECONDS = 60.0

Reloader = Callable[[], str]
Clock = Callable[[], float]


class SharingLike(Protocol):
    """What the engine needs from bot.sharing.Sharing (reviews and teams)."""

    def share(self, incoming: Incoming) -> list[Reply]: ...

    def review(self, incoming: Incoming) -> list[Reply]: ...

    def team(self, incoming: Incoming) -> list[Reply]: ...

    def team_report(self, incoming: Incoming) -> list[Reply]: ...

    def on_start(self, incoming: Incoming, payload: str) -> list[Reply] | None: ...

    def on_button(self, incoming: Incoming) -> list[Reply]: ...

    def on_text(self, incoming: Incoming) -> list[Reply] | None: ...

    def compare(self, user_id: int, result_id: int | None) -> list[Reply]: ...


class AssistantLike(Protocol):
    """What the engine needs from retrieval.assistant.Assistant."""

    catalog: Catalog

    def ask(self, question: str, standard: str | None = None) -> Answer: ...

    def lookup(self, query: str, limit: int = 10) -> list[Citation]: ...


class AssessmentsLike(Protocol):
    """What the engine needs from bot.assessment.AssessmentService."""

    def begin(
        self, user_id: int, chat_id: int, standard: str | None, user_name: str = "", quick: bool = False
    ) -> list[Reply]: ...

    def on_button(self, user_id: int, chat_id: int, data: str) -> list[Reply]: ...

    def on_text(self, user_id: int, chat_id: int, text: str) -> list[Reply] | None: ...

    def restate(self, user_id: int) -> list[Reply]: ...

    def has_active(self, user_id: int) -> bool: ...

    def resume(self, user_id: int, chat_id: int) -> list[Reply]: ...

    def cancel(self, user_id: int) -> list[Reply]: ...

    def report(self, user_id: int, result_id: int | None = None) -> list[Reply]: ...

    def history(self, user_id: int) -> list[Reply]: ...

    def forget(self, user_id: int) -> list[Reply]: ...

    def team_export(self) -> list[Reply]: ...


# ---------------------------------------------------------------- text hygiene


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal colours and cursor moves pasted along


def clean_text(text: str) -> str:
    """Drop terminal escapes, control and format characters, collapse spaces, keep line breaks."""
    text = _ANSI_ESCAPE.sub("", text)
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    lines = (re.sub(r"[ \t\u3000]+", " ", line).strip() for line in kept.splitlines())
    return "\n".join(line for line in lines if line)


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emoji or punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def split_quick(args: str) -> tuple[str, bool]:
    """「ISD3512-001v3 快速」 -> ("ISD3512-001v3", True): a last word asking for a quick assessment."""
    head, _, last = args.rpartition(" ")
    if last.lower() in (word.lower() for word in raw("assessment.typed.quick")):
        return head.strip(), True
    return args, False


def make_button(label: str, data: str) -> Button | None:
    """A button, or None when its data would not fit Telegram's 64-byte limit."""
    if len(data.encode()) >= CALLBACK_LIMIT_BYTES:
        return None
    return Button(label, data)


def button_rows(pairs: list[tuple[str, str]], per_row: int = 1) -> list[list[Button]]:
    buttons = [b for b in (make_button(label, data) for label, data in pairs) if b]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def standard_label(doc: Document) -> str:
    return t("bot.standard_label", code=doc.code, title=doc.title)


def find_standards(catalog: Catalog, query: str) -> list[Document]:
    """Documents named by a code or a title (current ones first); empty when nothing matches."""
    query = re.sub(r"\s+", "", query)
    if not query:
        return []
    doc = catalog.get(query)
    if doc:
        return [doc]
    docs = list(catalog.documents.values())
    exact = [d for d in docs if d.title == query]
    partial = exact or [d for d in docs if query in d.title or d.title in query]
    current = [d for d in partial if d.status == "current"]
    return current or partial


# ---------------------------------------------------------------- rate limiting


class RateLimiter:
    """At most `per_window` messages per person per window, counted in the SQL database (every process
    shares it). The first message over the limit gets one slow-down notice; the rest of that window is
    dropped silently. Admins are exempt (they upload documents and reload; they are trusted operators).
    A limit of 0 or less turns limiting off.
    """

    def __init__(
        self, db: Database, per_window: int, window_seconds: float = RATE_WINDOW_SECONDS, clock: Clock = time.time
    ) -> None:
        self.db = db
        self.per_window = per_window
        self.window_seconds = window_seconds
        self.clock = clock

    def applies_to(self, incoming: Incoming) -> bool:
        return self.per_window > 0 and not incoming.is_admin

    def check(self, incoming: Incoming) -> list[Reply] | None:
        """None when the message may be answered; else what to send instead (the notice, or nothing)."""
        if not self.applies_to(incoming):
            return None
        verdict = self.db.count_message(incoming.user_id, self.clock(), self.window_seconds, self.per_window)
        if verdict == "ok":
            return None
        if verdict == "warn":
            log.info("user %s over %d messages per window; slowed down", incoming.user_id, self.per_window)
            return [Reply(t("bot.slow_down", seconds=round(self.window_seconds)))]
        return []

    def silenced(self, incoming: Incoming) -> bool:
        """True when this person's messages are being dropped (read only: nothing is counted)."""
        return self.applies_to(incoming) and self.db.rate_silenced(incoming.user_id, self.clock(), self.window_seconds)


# ---------------------------------------------------------------- engine


class Engine:
    def __init__(
        self,
        assistant: AssistantLike,
        assessments: AssessmentsLike,
        db: Database,
        reloader: Reloader | None = None,
        limiter: RateLimiter | None = None,
        pager: Pager | None = None,
        sharing: SharingLike | None = None,
    ) -> None:
        self.assistant = assistant
        self.sharing = sharing
        self.assessments = assessments
        self.db = db
        self.reloader = reloader
        self.limiter = limiter
        self.pager = pager or Pager(db)
        self._commands: dict[str, Callable[[Incoming], list[Reply]]] = {
            "start": self._start,
            "help": self._help,
            "standards": self._standards,
            "use": self._use,
            "reset": self._reset,
            "cancel": self._cancel,
            "assess": self._assess,
            "resume": lambda i: self.assessments.resume(i.user_id, i.chat_id),
            "report": self._report,
            "history": lambda i: self.assessments.history(i.user_id),
            "forget": lambda i: self.assessments.forget(i.user_id),
            "team_export": lambda _i: self.assessments.team_export(),
            "reload": self._reload,
            "share": lambda i: self._shared(i, "share"),
            "review": lambda i: self._shared(i, "review"),
            "team": lambda i: self._shared(i, "team"),
            "team_report": lambda i: self._shared(i, "team_report"),
        }

    @property
    def catalog(self) -> Catalog:
        return self.assistant.catalog

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Everything a person did, answered (an empty list: dropped, they send too fast); never raises."""
        try:
            held = self.limiter.check(incoming) if self.limiter else None
            if held is not None:
                return held
            return self.pager.fit(self._dispatch(incoming) or [Reply(t("bot.nothing_to_say"))], incoming)
        except Exception:
            log.exception("engine failed on %s in chat %s", _what(incoming), incoming.chat_id)
            return [Reply(t("bot.error"))]

    def _dispatch(self, incoming: Incoming) -> list[Reply]:
        if incoming.button is not None:
            return self._on_button(incoming)
        if incoming.command is not None:
            return self._on_command(incoming)
        return self._on_text(incoming)

    # ------------------------------------------------------------ sessions
    def session(self, chat_id: int) -> dict[str, Any]:
        return self.db.get_session(chat_id)

    def _remember(self, incoming: Incoming, **changes: Any) -> None:
        self.db.save_session(incoming.chat_id, incoming.user_id, **changes)

    # ------------------------------------------------------------ commands
    def _on_command(self, incoming: Incoming) -> list[Reply]:
        name = incoming.command.lower().lstrip("/") if incoming.command else ""
        handler = self._commands.get(name)
        if handler is None:
            return [Reply(t("bot.unknown_command", command=name[:MAX_COMMAND_CHARS]))]
        if name in ADMIN_COMMANDS and not incoming.is_admin:
            return [Reply(t("bot.admin_only"))]
        return handler(incoming)

    def _shared(self, incoming: Incoming, name: str) -> list[Reply]:
        """/share, /review, /team, /team_report: reviews and teams (bot/sharing.py)."""
        if self.sharing is None:
            return [Reply(t("bot.sharing_unavailable"))]
        return getattr(self.sharing, name)(incoming)

    def _start(self, incoming: Incoming) -> list[Reply]:
        payload = incoming.args.strip()
        shared = self.sharing.on_start(incoming, payload) if self.sharing and payload else None
        if shared is not None:
            return shared
        if payload.startswith(DEEP_LINK_ASSESS):
            return self._begin_assessment(incoming, payload.removeprefix(DEEP_LINK_ASSESS))
        current = self._current_document(incoming.chat_id)
        text = t("bot.start", name=incoming.user_name or t("bot.default_name"))
        if current:
            text += "\n\n" + t("bot.start_with_standard", standard=standard_label(current))
        menu = [
            (t("bot.button_standards"), f"{COMMAND_PREFIX}standards"),
            (t("bot.button_help"), f"{COMMAND_PREFIX}help"),
        ]
        return [Reply(text, button_rows(menu, per_row=2))]

    def _help(self, _incoming: Incoming) -> list[Reply]:
        examples: list[str] = raw("bot.examples")
        lines = [t("bot.help"), *(t("bot.example_line", question=q) for q in examples), "", t("bot.help_commands")]
        pairs = [(q, f"{EXAMPLE_PREFIX}{n}") for n, q in enumerate(examples)]
        return [Reply("\n".join(lines), button_rows(pairs))]

    def _standards(self, incoming: Incoming) -> list[Reply]:
        current = self._current_document(incoming.chat_id)
        lines = [t("bot.standards_header")]
        if current:
            lines.append(t("bot.standards_selected", standard=standard_label(current)))
        historical = [d for d in self.catalog.documents.values() if d.status == "historical"]
        if historical:
            lines.append(t("bot.standards_historical_header"))
            lines += [self._historical_line(d) for d in historical]
        pairs = [(self._kind_label(d), f"{STANDARD_PREFIX}{d.code}") for d in self.catalog.current()]
        return [Reply("\n".join(lines), button_rows(pairs))]

    def _historical_line(self, doc: Document) -> str:
        latest = self.catalog.latest_of(doc)
        return t("bot.standards_historical_line", code=doc.code, title=doc.title, latest=latest.code)

    @staticmethod
    def _kind_label(doc: Document) -> str:
        label = standard_label(doc)
        return label if doc.kind == "職能基準" else t("bot.unit_label", label=label)

    def _use(self, incoming: Incoming) -> list[Reply]:
        query = clean_text(incoming.args)[:MAX_QUESTION_CHARS]
        if not query:
            return self._standards(incoming)
        found = find_standards(self.catalog, query)
        if len(found) == 1:
            return self._choose(incoming, found[0].code, edit=False)
        text = t("bot.use_ambiguous", query=query) if found else t("bot.use_unknown", query=query)
        options = found or self.catalog.current()
        pairs = [(self._kind_label(d), f"{STANDARD_PREFIX}{d.code}") for d in options]
        return [Reply(text, button_rows(pairs))]

    def _reset(self, incoming: Incoming) -> list[Reply]:
        self._remember(incoming, standard=None, pending=None)
        return [Reply(t("bot.reset_done"))]

    def _cancel(self, incoming: Incoming) -> list[Reply]:
        if self.assessments.has_active(incoming.user_id):
            return self.assessments.cancel(incoming.user_id)
        if self.session(incoming.chat_id).get("pending"):
            self._remember(incoming, pending=None)
            return [Reply(t("bot.cancel_pending"))]
        return [Reply(t("bot.nothing_to_cancel"))]

    def _assess(self, incoming: Incoming) -> list[Reply]:
        """`/assess [standard] [快速]`: the scope menu, or with 快速 a quick assessment at once (typed alone)."""
        query, quick = split_quick(clean_text(incoming.args)[:MAX_QUESTION_CHARS])
        if not query:
            return self._begin_assessment(incoming, self.session(incoming.chat_id).get("standard"), quick)
        found = find_standards(self.catalog, query)
        if len(found) == 1:
            return self._begin_assessment(incoming, found[0].code, quick)
        text = t("bot.use_ambiguous", query=query) if found else t("bot.use_unknown", query=query)
        pairs = [(self._kind_label(d), f"{ASSESSMENT_PREFIX}begin:{d.code}") for d in found or self.catalog.current()]
        return [Reply(text, button_rows(pairs))]

    def _begin_assessment(self, incoming: Incoming, code: str | None, quick: bool = False) -> list[Reply]:
        doc = self.catalog.get(code) if code else None
        if code and doc is None:
            return [Reply(t("bot.use_unknown", query=code))]
        scope = {"quick": True} if quick else {}
        return self.assessments.begin(
            incoming.user_id, incoming.chat_id, doc.code if doc else None, incoming.user_name, **scope
        )

    def _report(self, incoming: Incoming) -> list[Reply]:
        arg = incoming.args.strip()
        if arg and not arg.isdigit():
            return [Reply(t("bot.report_usage"))]
        result_id = int(arg) if arg else None
        review = self.sharing.compare(incoming.user_id, result_id) if self.sharing else []
        return [*self.assessments.report(incoming.user_id, result_id), *review]

    def _reload(self, _incoming: Incoming) -> list[Reply]:
        if self.reloader is None:
            return [Reply(t("bot.reload_unavailable"))]
        return [Reply(self.reloader())]

    # ------------------------------------------------------------ buttons
    def _on_button(self, incoming: Incoming) -> list[Reply]:
        data = incoming.button or ""
        if data.startswith(STANDARD_PREFIX):
            return self._choose(incoming, data.removeprefix(STANDARD_PREFIX), edit=True)
        if data.startswith(ASSESSMENT_PREFIX):
            return self.assessments.on_button(incoming.user_id, incoming.chat_id, data)
        if data.startswith(SHARING_PREFIXES) and self.sharing is not None:
            return self.sharing.on_button(incoming)
        if data.startswith(COMMAND_PREFIX):
            name = data.removeprefix(COMMAND_PREFIX)
            if name in USER_COMMANDS:
                return self._on_command(_as_command(incoming, name))
        if data.startswith(EXAMPLE_PREFIX):
            return self._ask_example(incoming, data.removeprefix(EXAMPLE_PREFIX))
        if data.startswith(PAGE_PREFIX):
            return self.pager.page(incoming, data)
        return [Reply(t("bot.button_unknown"))]

    def _ask_example(self, incoming: Incoming, number: str) -> list[Reply]:
        examples: list[str] = raw("bot.examples")
        if not number.isdigit() or int(number) >= len(examples):
            return [Reply(t("bot.button_unknown"))]
        return self._ask(incoming, examples[int(number)])

    def _choose(self, incoming: Incoming, code: str, edit: bool) -> list[Reply]:
        """Make a standard the chat's current one; answer the question that waited for it."""
        doc = self.catalog.get(code)
        if doc is None:
            return [Reply(t("bot.use_unknown", query=code), edit=edit)]
        pending = self.session(incoming.chat_id).get("pending")
        self._remember(incoming, standard=doc.code, pending=None)
        if pending and pending.get("question"):
            answer = self.assistant.ask(pending["question"], standard=doc.code)
            if answer.choices:
                self._remember(incoming, pending=pending)
            return self._answer_replies(answer, edit=edit, notes=[])
        text = t("bot.standard_chosen", standard=standard_label(doc))
        if doc.status == "historical":
            text += "\n" + t("bot.standard_historical", latest=self.catalog.latest_of(doc).code)
        return [Reply(text, self._after_answer_buttons(doc.code), edit=edit)]

    # ------------------------------------------------------------ free text
    def _on_text(self, incoming: Incoming) -> list[Reply]:
        """An answer while an assessment question is open (the assessment keeps its place); otherwise, or
        for a lookup in the middle of one, a question answered (then the open question shown again)."""
        typed = clean_text(incoming.text)[:MAX_EVIDENCE_CHARS]
        comment = self.sharing.on_text(_with_text(incoming, typed)) if self.sharing and typed else None
        if comment is not None:
            return comment
        held = self.assessments.on_text(incoming.user_id, incoming.chat_id, typed)
        if held is not None:
            return held
        return [*self._ask(incoming, incoming.text), *self.assessments.restate(incoming.user_id)]

    def _ask(self, incoming: Incoming, text: str) -> list[Reply]:
        question = clean_text(text)
        if not question:
            return [Reply(t("bot.empty_text"))]
        if not has_words(question):
            return [Reply(t("bot.no_words"))]
        notes: list[str] = []
        if len(question) > MAX_QUESTION_CHARS:
            question = question[:MAX_QUESTION_CHARS]
            notes.append(t("bot.truncated", limit=MAX_QUESTION_CHARS))
        session = self.session(incoming.chat_id)
        answer = self.assistant.ask(question, standard=session.get("standard"))
        if incoming.is_admin:
            notes += self._building_note()
        if answer.choices:
            self._remember(incoming, pending={"question": question})
        elif answer.standard and answer.standard != session.get("standard") and self.catalog.get(answer.standard):
            self._remember(incoming, standard=answer.standard, pending=None)
            notes.append(t("bot.standard_now", standard=standard_label(self.catalog.get(answer.standard))))
        return self._answer_replies(answer, edit=False, notes=notes)

    def _building_note(self) -> list[str]:
        """How far the vectors of a new catalogue are built (index/building.py), for admins."""
        search = getattr(self.assistant, "search", None)
        progress = search.preparing() if search is not None else None
        return [progress.note()] if progress is not None else []

    def _answer_replies(self, answer: Answer, edit: bool, notes: list[str]) -> list[Reply]:
        text = answer.answer.strip() or t("bot.no_answer")
        if notes:
            text = "\n\n".join([text, *notes])
        if answer.choices:
            pairs = [
                (t("bot.standard_label", code=c.standard, title=c.title), f"{STANDARD_PREFIX}{c.standard}")
                for c in answer.choices
            ]
            return [Reply(text, button_rows(pairs), edit=edit)]
        buttons = self._after_answer_buttons(answer.standard) if answer.standard else []
        return [Reply(text, buttons, edit=edit)]

    def _after_answer_buttons(self, code: str | None) -> list[list[Button]]:
        doc = self.catalog.get(code) if code else None
        if doc is None:
            return []
        pairs = [
            (t("bot.button_assess"), f"{ASSESSMENT_PREFIX}begin:{doc.code}"),
            (t("bot.button_other_standard"), f"{COMMAND_PREFIX}standards"),
        ]
        return button_rows(pairs, per_row=2)

    def _current_document(self, chat_id: int) -> Document | None:
        code = self.session(chat_id).get("standard")
        return self.catalog.get(code) if code else None


def _with_text(incoming: Incoming, text: str) -> Incoming:
    return Incoming(chat_id=incoming.chat_id, user_id=incoming.user_id, text=text, user_name=incoming.user_name,
                    is_admin=incoming.is_admin, bot_username=incoming.bot_username)


def _as_command(incoming: Incoming, name: str) -> Incoming:
    return Incoming(
        chat_id=incoming.chat_id,
        user_id=incoming.user_id,
        command=name,
        user_name=incoming.user_name,
        is_admin=incoming.is_admin,
    )


def _what(incoming: Incoming) -> str:
    """A log label for an incoming event that never includes what the person wrote."""
    if incoming.button is not None:
        return f"button {incoming.button[:40]!r}"
    if incoming.command is not None:
        return f"command {incoming.command[:40]!r}"
    return f"text ({len(incoming.text)} chars)"
