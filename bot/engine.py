"""The conversation engine: sessions, commands and buttons, with no knowledge of any chat front.

`Engine.handle(Incoming) -> list[Reply]` is the whole interface. The Telegram adapter and the
terminal chat both turn what a person did into an `Incoming` and show the replies.

Per chat the engine keeps one Session (bot/session.py) in the SQL database, loaded once per message and
saved once: the standard in focus and how it got there, a question waiting for a standard choice, what
the recent answers were about (follow-ups such as 「它」「那 T2.3 呢」 lean on it, retrieval/dialogue.py) and
the buttons last offered (typing a button's label presses it). A restart or a second process continues
the conversation.
A RateLimiter (also counting in the database) holds back a person who sends too fast: one
slow-down notice per window, then nothing until the window ends (admins are exempt).

Button data: bot/callbacks.py (one typed kind per button, read there before anything acts on it). Every reply
passes through the Pager (bot/paging.py), which cuts long ones into pages.

A message sent on behalf of a chat (an anonymous group admin, a channel) is keyed by that chat; the personal
features (assessments, reviews, teams, /forget) are refused to it in one line: that chat is no one person.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol

from bot import callbacks as cb
from bot.forget import Forgetting
from bot.paging import Pager
from bot.replies import Button, Incoming, Reply
from bot.session import Session
from bot.store import Database, row_id
from index.catalog import Catalog
from index.model import Document
from index.text import MAX_QUESTION_CHARS, clean_message, has_words
from prompts import raw, speaking, t
from retrieval.dialogue import language
from retrieval.names import find_standards
from retrieval.types import Answer, Citation
from retrieval.understand import assessment_asked, feature_asked

log = logging.getLogger(__name__)

MAX_EVIDENCE_CHARS = 2000
MAX_COMMAND_CHARS = 32

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
PERSONAL_COMMANDS = frozenset({"assess", "resume", "report", "history", "forget", "share", "review", "team",
                               "team_report"})
PERSONAL_BUTTONS = ("as", "rv", "tm", "fg")  # the families of bot/callbacks.py only one person may press
PERSONAL_LINKS = (DEEP_LINK_ASSESS, "review-", "team-")
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

    def on_button(self, incoming: Incoming, data: cb.Data | None = None) -> list[Reply]: ...

    def on_text(self, incoming: Incoming) -> list[Reply] | None: ...

    def interrupted(self, incoming: Incoming) -> None: ...

    def compare(self, user_id: int, result_id: int | None) -> list[Reply]: ...


class AssistantLike(Protocol):
    """What the engine needs from retrieval.assistant.Assistant."""

    catalog: Catalog

    def ask(self, question: str, standard: str | None = None) -> Answer: ...

    def converse(self, message: str, standard: str | None, history: list[Any]) -> Answer: ...

    def standards_named(self, text: str) -> list[str]: ...

    def lookup(self, query: str, limit: int = 10) -> list[Citation]: ...


class AssessmentsLike(Protocol):
    """What the engine needs from bot.assessment.AssessmentService."""

    def begin(
        self, user_id: int, chat_id: int, standard: str | None, user_name: str = "", quick: bool = False
    ) -> list[Reply]: ...

    def on_button(self, user_id: int, chat_id: int, data: str | cb.Data) -> list[Reply]: ...

    def on_text(self, user_id: int, chat_id: int, text: str) -> list[Reply] | None: ...

    def restate(self, user_id: int) -> list[Reply]: ...

    def has_active(self, user_id: int) -> bool: ...

    def assessed_standard(self, user_id: int) -> str | None: ...

    def resume(self, user_id: int, chat_id: int) -> list[Reply]: ...

    def cancel(self, user_id: int) -> list[Reply]: ...

    def report(self, user_id: int, result_id: int | None = None) -> list[Reply]: ...

    def history(self, user_id: int) -> list[Reply]: ...

    def forget(self, user_id: int) -> list[Reply]: ...

    def team_export(self) -> list[Reply]: ...


# ---------------------------------------------------------------- commands' arguments


def split_quick(args: str) -> tuple[str, bool]:
    """「ISD3512-001v3 快速」 -> ("ISD3512-001v3", True): a last word asking for a quick assessment."""
    head, _, last = args.rpartition(" ")
    if last.lower() in (word.lower() for word in raw("assessment.typed.quick")):
        return head.strip(), True
    return args, False


def make_button(label: str, data: cb.Data) -> Button | None:
    """A button, or None when its data would not fit Telegram's 64-byte limit."""
    try:
        return Button(label, data.encode())
    except cb.TooLong:
        return None


def button_rows(pairs: list[tuple[str, cb.Data]], per_row: int = 1) -> list[list[Button]]:
    buttons = [b for b in (make_button(label, data) for label, data in pairs) if b]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def standard_label(doc: Document) -> str:
    return t("bot.standard_label", code=doc.code, title=doc.title)


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
        if self.pager.versions is None:  # a page of a document since removed or changed is not shown
            self.pager.versions = self._document_versions
        self.forgetting = Forgetting(db, assessments.forget)
        self._commands: dict[str, Callable[[Incoming, Session], list[Reply]]] = {
            "start": self._start,
            "help": self._help,
            "standards": self._standards,
            "use": self._use,
            "reset": self._reset,
            "cancel": self._cancel,
            "assess": self._assess,
            "resume": lambda i, _s: self.assessments.resume(i.user_id, i.chat_id),
            "report": self._report,
            "history": lambda i, _s: self.assessments.history(i.user_id),
            "forget": lambda i, _s: self.forgetting.ask(i),
            "team_export": lambda _i, _s: self.assessments.team_export(),
            "reload": self._reload,
            "share": lambda i, _s: self._shared(i, "share"),
            "review": lambda i, _s: self._shared(i, "review"),
            "team": lambda i, _s: self._shared(i, "team"),
            "team_report": lambda i, _s: self._shared(i, "team_report"),
        }

    @property
    def catalog(self) -> Catalog:
        return self.assistant.catalog

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Everything a person did, answered (an empty list: dropped, they send too fast); never raises. One unit of
        work: the session is read once and saved once, the assessment's rows read once (Database.unit_of_work)."""
        try:
            with self.db.unit_of_work():
                return self._handle(incoming)
        except Exception:
            log.exception("engine failed on %s in chat %s", _what(incoming), incoming.chat_id)
            return [Reply(t("bot.error"))]

    def _handle(self, incoming: Incoming) -> list[Reply]:
        held = self.limiter.check(incoming) if self.limiter else None
        if held is not None:
            return held
        session = self.session(incoming.chat_id)
        before = session.row()
        replies = self.pager.fit(self._dispatch(incoming, session) or [Reply(t("bot.nothing_to_say"))], incoming)
        session.buttons = _offered(replies) if any(r.chat_id is None for r in replies) else session.buttons
        if session.row() != before:
            self.db.save_session(incoming.chat_id, incoming.user_id, **session.row())
        return replies

    def _dispatch(self, incoming: Incoming, session: Session) -> list[Reply]:
        if incoming.anonymous and _personal(incoming):
            return [Reply(t("bot.anonymous_refused"))]
        if self.sharing is not None:
            self.sharing.interrupted(incoming)
        if incoming.button is not None:
            return self._on_button(incoming, session)
        if incoming.command is not None:
            return self._on_command(incoming, session)
        return self._on_text(incoming, session)

    # ------------------------------------------------------------ sessions
    def _document_versions(self) -> Mapping[str, str]:
        return self.catalog.hashes

    def session(self, chat_id: int) -> Session:
        return Session.from_row(self.db.get_session(chat_id))

    # ------------------------------------------------------------ commands
    def _on_command(self, incoming: Incoming, session: Session) -> list[Reply]:
        name = incoming.command.lower().lstrip("/") if incoming.command else ""
        handler = self._commands.get(name)
        if handler is None:
            return [Reply(t("bot.unknown_command", command=name[:MAX_COMMAND_CHARS]))]
        if name in ADMIN_COMMANDS and not incoming.is_admin:
            return [Reply(t("bot.admin_only"))]
        return handler(incoming, session)

    def _shared(self, incoming: Incoming, name: str) -> list[Reply]:
        """/share, /review, /team, /team_report: reviews and teams (bot/sharing.py)."""
        if self.sharing is None:
            return [Reply(t("bot.sharing_unavailable"))]
        return getattr(self.sharing, name)(incoming)

    def _start(self, incoming: Incoming, session: Session) -> list[Reply]:
        payload = incoming.args.strip()
        shared = self.sharing.on_start(incoming, payload) if self.sharing and payload else None
        if shared is not None:
            return shared
        if payload.startswith(DEEP_LINK_ASSESS):
            return self._begin_assessment(incoming, session, payload.removeprefix(DEEP_LINK_ASSESS))
        current = self._current_document(session)
        text = t("bot.start", name=incoming.user_name or t("bot.default_name"))
        if current:
            text += "\n\n" + t("bot.start_with_standard", standard=standard_label(current))
        menu = [(t("bot.button_standards"), cb.Command("standards")), (t("bot.button_help"), cb.Command("help"))]
        return [Reply(text, button_rows(menu, per_row=2))]

    def _help(self, _incoming: Incoming, _session: Session) -> list[Reply]:
        examples: list[str] = raw("bot.examples")
        lines = [t("bot.help"), *(t("bot.example_line", question=q) for q in examples), "", t("bot.help_commands")]
        pairs = [(q, cb.Example(n)) for n, q in enumerate(examples)]
        return [Reply("\n".join(lines), button_rows(pairs))]

    def _standards(self, _incoming: Incoming, session: Session) -> list[Reply]:
        current = self._current_document(session)
        lines = [t("bot.standards_header")]
        if current:
            lines.append(t("bot.standards_selected", standard=standard_label(current)))
        historical = [d for d in self.catalog.documents.values() if d.status == "historical"]
        if historical:
            lines.append(t("bot.standards_historical_header"))
            lines += [self._historical_line(d) for d in historical]
        pairs = [(self._kind_label(d), cb.Choose(d.code)) for d in self.catalog.current()]
        return [Reply("\n".join(lines), button_rows(pairs))]

    def _historical_line(self, doc: Document) -> str:
        latest = self.catalog.latest_of(doc)
        return t("bot.standards_historical_line", code=doc.code, title=doc.title, latest=latest.code)

    @staticmethod
    def _kind_label(doc: Document) -> str:
        label = standard_label(doc)
        return label if doc.kind == "職能基準" else t("bot.unit_label", label=label)

    def _use(self, incoming: Incoming, session: Session) -> list[Reply]:
        query = clean_message(incoming.args)[:MAX_QUESTION_CHARS]
        if not query:
            return self._standards(incoming, session)
        found = find_standards(self.catalog, query)
        if len(found) == 1:
            return self._choose(incoming, session, found[0].code, edit=False)
        text = t("bot.use_ambiguous", query=query) if found else t("bot.use_unknown", query=query)
        options = found or self.catalog.current()
        pairs = [(self._kind_label(d), cb.Choose(d.code)) for d in options]
        return [Reply(text, button_rows(pairs))]

    def _reset(self, _incoming: Incoming, session: Session) -> list[Reply]:
        session.focus(None, "")
        session.pending = None
        session.history = []
        return [Reply(t("bot.reset_done"))]

    def _cancel(self, incoming: Incoming, session: Session) -> list[Reply]:
        if self.assessments.has_active(incoming.user_id):
            return self.assessments.cancel(incoming.user_id)
        if session.pending:
            session.pending = None
            return [Reply(t("bot.cancel_pending"))]
        return [Reply(t("bot.nothing_to_cancel"))]

    def _assess(self, incoming: Incoming, session: Session) -> list[Reply]:
        """`/assess [standard] [快速]`: the scope menu, or with 快速 a quick assessment at once (typed alone)."""
        query, quick = split_quick(clean_message(incoming.args)[:MAX_QUESTION_CHARS])
        if not query:
            return self._begin_assessment(incoming, session, session.standard, quick)
        found = find_standards(self.catalog, query)
        if len(found) == 1:
            return self._begin_assessment(incoming, session, found[0].code, quick)
        text = t("bot.use_ambiguous", query=query) if found else t("bot.use_unknown", query=query)
        pairs = [(self._kind_label(d), cb.AssessBegin(d.code)) for d in found or self.catalog.current()]
        return [Reply(text, button_rows(pairs))]

    def _begin_assessment(self, incoming: Incoming, session: Session, code: str | None,
                          quick: bool = False) -> list[Reply]:
        doc = self.catalog.get(code) if code else None
        if code and doc is None:
            return [Reply(t("bot.use_unknown", query=code))]
        if doc is not None and doc.code != session.standard:
            session.focus(doc.code, "assessed")
        scope = {"quick": True} if quick else {}
        return self.assessments.begin(
            incoming.user_id, incoming.chat_id, doc.code if doc else None, incoming.user_name, **scope
        )

    def _report(self, incoming: Incoming, _session: Session) -> list[Reply]:
        arg = incoming.args.strip()
        if arg and not (arg.isascii() and arg.isdigit()):
            return [Reply(t("bot.report_usage"))]
        result_id = row_id(arg) if arg else None
        if arg and result_id is None:  # more digits than any id has
            return [Reply(t("assessment.report.not_found"))]
        review = self.sharing.compare(incoming.user_id, result_id) if self.sharing else []
        return [*self.assessments.report(incoming.user_id, result_id), *review]

    def _reload(self, _incoming: Incoming, _session: Session) -> list[Reply]:
        if self.reloader is None:
            return [Reply(t("bot.reload_unavailable"))]
        return [Reply(self.reloader())]

    # ------------------------------------------------------------ buttons
    def _on_button(self, incoming: Incoming, session: Session) -> list[Reply]:
        """A press, read by bot/callbacks.py: data that is no button of ours (stale, tampered with) gets the
        polite reply of the family it claims, never an action."""
        data = cb.decode(incoming.button or "")
        match data:
            case cb.Choose(code=code):
                return self._choose(incoming, session, code, edit=True)
            case cb.AssessBegin(code=code) if self.catalog.get(code) is not None and code != session.standard:
                session.focus(code, "assessed")
        if data.family == "as":
            return self.assessments.on_button(incoming.user_id, incoming.chat_id, data)
        if data.family in ("rv", "tm") and self.sharing is not None:
            return self.sharing.on_button(incoming, data)
        if data.family == "fg":
            return self.forgetting.on_button(incoming, data)
        match data:
            case cb.Command(name=name) if name in USER_COMMANDS:
                return self._on_command(_as_command(incoming, name), session)
            case cb.Example(number=number):
                return self._ask_example(incoming, session, number)
            case cb.Page():
                return self.pager.page(incoming, data)
            case cb.Referent(number=number):
                return self._referent(incoming, session, number)
            case cb.Ask(question=question):
                return self._ask(incoming, session, question)
        return [Reply(t("bot.button_unknown"))]

    def _ask_example(self, incoming: Incoming, session: Session, number: int) -> list[Reply]:
        examples: list[str] = raw("bot.examples")
        if number >= len(examples):
            return [Reply(t("bot.button_unknown"))]
        return self._ask(incoming, session, examples[number])

    def _choose(self, incoming: Incoming, session: Session, code: str, edit: bool) -> list[Reply]:
        """Make a standard the chat's current one; answer the question that waited for it."""
        doc = self.catalog.get(code)
        if doc is None:
            return [Reply(t("bot.use_unknown", query=code), edit=edit)]
        pending = session.pending
        session.focus(doc.code, "picked")
        session.pending = None
        if pending and pending.get("question"):
            answer = self.assistant.converse(pending["question"], doc.code, session.history)
            if answer.choices:
                session.pending = pending
            else:
                session.remember(answer.turn)
            return self._answer_replies(answer, edit=edit, notes=[])
        text = t("bot.standard_chosen", standard=standard_label(doc))
        if doc.status == "historical":
            text += "\n" + t("bot.standard_historical", latest=self.catalog.latest_of(doc).code)
        return [Reply(text, self._after_answer_buttons(doc.code), edit=edit)]

    # ------------------------------------------------------------ free text
    def _on_text(self, incoming: Incoming, session: Session) -> list[Reply]:
        """A typed button label presses that button; a wish to assess oneself starts an assessment; an answer
        while an assessment question is open (the assessment keeps its place); otherwise, or for a lookup in
        the middle of one, a question answered (then the open question shown again)."""
        typed = clean_message(incoming.text)[:MAX_EVIDENCE_CHARS]
        pressed = _typed_button(typed, session.buttons)
        if pressed is not None:
            return self._on_button(_as_button(incoming, pressed), session)
        comment = self.sharing.on_text(_with_text(incoming, typed)) if self.sharing and typed else None
        if comment is not None:
            return comment
        held = self.assessments.on_text(incoming.user_id, incoming.chat_id, typed)
        if held is not None:
            return held
        if courtesy(typed):
            with speaking(session.history[0].lang if session.history else None):
                return [Reply(t("bot.thanks"))]
        feature = feature_asked(typed)
        if feature in USER_COMMANDS:  # 「我想看我自己的自評紀錄」: the command that does it, not a new assessment
            with speaking(language(typed)):
                button = [(t(f"bot.commands.{feature}"), cb.Command(feature))]
                return [Reply(t(f"answers.features.{feature}"), button_rows(button, per_row=1))]
        if wants_assessment(typed):  # with one unfinished, begin() asks whether to go on with it or start again
            return self._begin_by_text(incoming, session, typed)
        return [*self._ask(incoming, session, incoming.text), *self.assessments.restate(incoming.user_id)]

    def _begin_by_text(self, incoming: Incoming, session: Session, text: str) -> list[Reply]:
        """「我想做自我評估」「幫我評估適不適合做雲端開發」: an assessment of the standard named, else the one in focus."""
        named = [c for c in self.assistant.standards_named(text) if self.catalog.get(c)]
        current = [c for c in named if self.catalog.get(c).status == "current"] or named  # type: ignore[union-attr]
        return self._begin_assessment(incoming, session, current[0] if current else session.standard)

    def _ask(self, incoming: Incoming, session: Session, text: str) -> list[Reply]:
        question = clean_message(text)
        if not question:
            return [Reply(t("bot.empty_text"))]
        if not has_words(question):
            return [Reply(t("bot.no_words"))]
        notes: list[str] = []
        if len(question) > MAX_QUESTION_CHARS:
            question = question[:MAX_QUESTION_CHARS]
            notes.append(t("bot.truncated", limit=MAX_QUESTION_CHARS))
        answer = self.assistant.converse(question, self._standard_for(incoming, session), session.history)
        if answer.resolved is not None and answer.resolved.how == "ambiguous":
            return self._which_one(session, answer)
        if incoming.is_admin:
            notes += self._building_note()
        if answer.choices:
            asked = answer.resolved.text if answer.resolved else question
            session.pending = {"question": asked}
            return self._answer_replies(answer, edit=False, notes=notes)
        session.remember(answer.turn)
        moved = self._refocus(session, answer)
        with speaking(answer.turn.lang if answer.turn else None):
            if moved is not None:
                notes.append(t("bot.standard_now", standard=standard_label(moved)))
            return self._answer_replies(answer, edit=False, notes=notes)

    def _which_one(self, session: Session, answer: Answer) -> list[Reply]:
        """Ask which of the things just talked about a pointer means; each button asks the question about one."""
        resolved = answer.resolved
        assert resolved is not None
        session.pending = {"options": list(resolved.options), "standard": resolved.standard}
        pairs = [(code, cb.Referent(n)) for n, code in enumerate(resolved.choices)]
        return [Reply(answer.answer, button_rows(pairs, per_row=len(pairs)), answer=answer)]

    def _referent(self, incoming: Incoming, session: Session, number: int) -> list[Reply]:
        """The button of `_which_one`: the question about the thing chosen."""
        options = (session.pending or {}).get("options") or []
        if number >= len(options):
            return [Reply(t("bot.button_unknown"))]
        standard = session.pending.get("standard") if session.pending else None
        session.pending = None
        answer = self.assistant.converse(str(options[number]), standard or session.standard, session.history)
        session.remember(answer.turn)
        return self._answer_replies(answer, edit=True, notes=[])

    def _standard_for(self, incoming: Incoming, session: Session) -> str | None:
        """The standard a question that names none is about: the assessed one during an assessment, else the
        one in focus."""
        assessed = self.assessments.assessed_standard(incoming.user_id)
        if assessed and self.catalog.get(assessed):
            return assessed
        return session.standard

    def _refocus(self, session: Session, answer: Answer) -> Document | None:
        """The focus moves only to a standard the person named (or referred back to, or corrected to) and the
        answer is about; an answer drawing on several standards leaves it. Returns the new one, if it moved."""
        turn, resolved = answer.turn, answer.resolved
        if turn is None or turn.standard is None or turn.standard == session.standard:
            return None
        named = turn.standard in turn.named
        referred = resolved is not None and resolved.leaned and resolved.standard == turn.standard
        if not (named or referred) or len(turn.standards) > 1:
            return None
        doc = self.catalog.get(turn.standard)
        if doc is None:
            return None
        session.focus(doc.code, "named" if named else "referred")
        return doc

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
            pairs = [(t("bot.standard_label", code=c.standard, title=c.title), cb.Choose(c.standard))
                     for c in answer.choices]
            return [Reply(text, button_rows(pairs), edit=edit, answer=answer)]
        buttons = self._after_answer_buttons(answer.standard) if answer.standard else []
        asks: list[tuple[str, cb.Data]] = [(label, cb.Ask(question)) for label, question in answer.follow_ups]
        return [Reply(text, button_rows(asks) + buttons, edit=edit, answer=answer, sources=_sources(answer))]

    def _after_answer_buttons(self, code: str | None) -> list[list[Button]]:
        doc = self.catalog.get(code) if code else None
        if doc is None:
            return []
        pairs = [(t("bot.button_assess"), cb.AssessBegin(doc.code)), (t("bot.button_other_standard"),
                                                                       cb.Command("standards"))]
        return button_rows(pairs, per_row=2)

    def _current_document(self, session: Session) -> Document | None:
        return self.catalog.get(session.standard) if session.standard else None


def wants_assessment(text: str) -> bool:
    """A wish to assess oneself typed as a sentence (prompts/bot.toml [intent] assess), not the documents' own
    evaluating asked about (retrieval/understand.py assessment_asked)."""
    return assessment_asked(text)


def courtesy(text: str) -> bool:
    """Thanks or an acknowledgement and nothing else (prompts/bot.toml [intent] courtesy)."""
    key = _label_key(text).strip("!！~～.,，。")
    return bool(key) and key in {_label_key(w) for w in raw("bot.intent.courtesy")}


def _offered(replies: list[Reply]) -> list[tuple[str, str]]:
    return [(b.label, b.data) for r in replies if r.chat_id is None for row in r.buttons for b in row]


def _typed_button(text: str, offered: list[tuple[str, str]]) -> str | None:
    """The data of the button whose label the text is (「快速評估」, 「以此基準自我評估」, 「2 能獨立完成」 or 「能獨立完成」)."""
    key = _label_key(text)
    if not key:
        return None
    for label, data in offered:
        full = _label_key(label)
        if key == full or key == _label_key(re.sub(r"^\s*\d+\s*[.、:：)]?\s*", "", label)):
            return data
    return None


def _label_key(text: str) -> str:
    return re.sub(r"[\s。．.!！~～?？]+", "", unicodedata.normalize("NFKC", text)).lower()


def _as_button(incoming: Incoming, data: str) -> Incoming:
    return Incoming(chat_id=incoming.chat_id, user_id=incoming.user_id, button=data, user_name=incoming.user_name,
                    is_admin=incoming.is_admin, bot_username=incoming.bot_username)


def _with_text(incoming: Incoming, text: str) -> Incoming:
    return replace(incoming, text=text)


def _as_command(incoming: Incoming, name: str) -> Incoming:
    return replace(incoming, command=name, args="", button=None, text="")


def _personal(incoming: Incoming) -> bool:
    """True for what only one person may do: their assessments, reviews, teams, /forget (and those deep links)."""
    if incoming.button is not None:
        return cb.family(incoming.button) in PERSONAL_BUTTONS
    name = (incoming.command or "").lower()
    if name == "start":
        return incoming.args.strip().startswith(PERSONAL_LINKS)
    return name in PERSONAL_COMMANDS


def _sources(answer: Answer) -> tuple[str, ...]:
    """The standards an answer is drawn from (what it cites, and the one it is about)."""
    codes = [citation.standard for citation in answer.citations]
    return tuple(dict.fromkeys([*codes, *([answer.standard] if answer.standard else [])]))


def _what(incoming: Incoming) -> str:
    """A log label for an incoming event that never includes what the person wrote."""
    if incoming.button is not None:
        return f"button {incoming.button[:40]!r}"
    if incoming.command is not None:
        return f"command {incoming.command[:40]!r}"
    return f"text ({len(incoming.text)} chars)"
