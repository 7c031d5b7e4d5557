"""Many simulated people chatting and taking assessments at once, through the real Telegram front.

The real python-telegram-bot Application (`bot.telegram.app.build_application`, on the real
services of `bot.services.build_services`) long-polls the fake Bot API server of
`bot/testing/fakebotapi.py`, started here on 127.0.0.1 (TELEGRAM_BASE_URL=http://127.0.0.1:PORT/bot).
Each simulated person has a private chat and, for `seconds`, in turn thinks, then either asks a
question (code lookups, free text, reverse lookups, comparisons, a bare code whose standard
choice button it then presses) or takes a self-assessment by pressing the buttons the bot sends
(scope, scores, evidence skipped or typed, sometimes abandoned). A person waits for the bot's
answer before doing the next thing, so every reply belongs to one update.

Measured:
- updates handled per second (updates that passed the bot's repeated-update guard and ran
  their handlers, counted by one extra TypeHandler in the last handler group);
- reply latency: from putting the update on the server to the bot's first message, edit,
  photo or document in that chat;
- updates answered zero times (no reply within REPLY_TIMEOUT, or never handled) and twice
  (handled more than once, or a button press acknowledged more than once). Both must be 0.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.testing.fakebotapi import FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "4242424242:AAbench-fake-token_0123456789abcdefgh"
FIRST_USER_ID = 7_100_000
REPLY_TIMEOUT = 30.0  # seconds a person waits for an answer before counting it unanswered
SETTLE = 0.3  # quiet time that ends one answer (a long answer comes as several messages)
DRAIN_TIMEOUT = 30.0
ASSESS_SHARE = 0.4  # share of turns spent on a self-assessment
CONTENT_METHODS = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
EVIDENCE = ("我在上一份工作負責過這項任務，並完成相關文件。", "曾在專案中實際執行，有成果報告可證明。")


class E2EUnavailable(RuntimeError):
    """A part the end-to-end run needs is missing or does not start; the message says which."""


@dataclass
class E2EResult:
    users: int
    seconds: float
    updates_sent: int
    updates_handled: int
    updates_per_second: float
    latencies_ms: list[float] = field(default_factory=list)
    latencies_by_kind: dict[str, list[float]] = field(default_factory=dict)
    unanswered: int = 0
    answered_twice: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Event:
    method: str
    at: float
    message: dict[str, Any]


# ------------------------------------------------------------------ the parts it needs
class Recorder:
    """Watches the fake server (its public listener hook): each chat's replies pushed to that chat's queue,
    answers per callback query, deliveries per update."""

    def __init__(self) -> None:
        self.chats: dict[int, asyncio.Queue[Event]] = {}
        self.callback_answers: Counter[str] = Counter()
        self.deliveries: Counter[int] = Counter()

    def on_call(self, call: Any, result: Any) -> None:
        if call.method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument"):
            self._event(call.method, call, result)
        elif call.method == "answerCallbackQuery":
            self.callback_answers[str(call.params.get("callback_query_id"))] += 1
        elif call.method == "getUpdates":
            for update in result or []:
                self.deliveries[int(update["update_id"])] += 1

    def _event(self, method: str, call: Any, message: Any) -> None:
        try:
            chat_id = int(call.params["chat_id"])
        except (KeyError, TypeError, ValueError):
            return
        queue = self.chats.get(chat_id)
        if queue is not None:
            queue.put_nowait(Event(method, time.perf_counter(), message if isinstance(message, dict) else {}))


def _application_parts() -> tuple[Callable[..., Any], Callable[..., Any]]:
    try:
        from bot.services import build_services
        from bot.telegram.app import build_application
    except ImportError as e:
        raise E2EUnavailable(f"the Telegram front does not import: {e}") from e
    return build_services, build_application


# ------------------------------------------------------------------ one simulated person
@dataclass
class Tally:
    sent: dict[int, str] = field(default_factory=dict)  # update id -> kind
    callbacks: dict[int, str] = field(default_factory=dict)  # update id -> callback query id
    latencies: dict[str, list[float]] = field(default_factory=dict)
    unanswered: list[int] = field(default_factory=list)
    late_events: int = 0
    assessments_started: int = 0
    assessments_finished: int = 0


class Person:
    def __init__(self, n: int, api: Any, recorder: Recorder, tally: Tally, questions: list[tuple[str, str | None]],
                 codes: list[str], think: float, seed: int) -> None:
        self.chat = FIRST_USER_ID + n
        self.api, self.tally, self.questions, self.codes = api, tally, questions, codes
        self.think = think
        self.rng = random.Random(seed * 1000 + n)
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        recorder.chats[self.chat] = self.queue

    async def live(self, deadline: float) -> None:
        await self.exchange("command", lambda: self.api.push_message("/start", self.chat, first_name=f"測試{self.chat}"))
        while time.perf_counter() < deadline:
            await asyncio.sleep(self.rng.uniform(0.4 * self.think, 1.6 * self.think))
            if time.perf_counter() >= deadline:
                break
            if self.rng.random() < ASSESS_SHARE:
                await self.assess(deadline)
            else:
                await self.ask()

    async def exchange(self, kind: str, push: Callable[[], dict[str, Any]]) -> list[Event]:
        """Send one update; wait for the bot's first reply (the latency), then for the rest of the answer."""
        while not self.queue.empty():  # replies that came after the previous answer had settled
            self.queue.get_nowait()
            self.tally.late_events += 1
        started = time.perf_counter()
        update = push()
        uid = int(update["update_id"])
        self.tally.sent[uid] = kind
        if "callback_query" in update:
            self.tally.callbacks[uid] = str(update["callback_query"]["id"])
        try:
            first = await asyncio.wait_for(self.queue.get(), REPLY_TIMEOUT)
        except TimeoutError:
            self.tally.unanswered.append(uid)
            return []
        self.tally.latencies.setdefault(kind, []).append((first.at - started) * 1000)
        events = [first]
        while True:
            try:
                events.append(await asyncio.wait_for(self.queue.get(), SETTLE))
            except TimeoutError:
                return events

    async def ask(self) -> None:
        question, standard = self.rng.choice(self.questions)
        text = f"{standard} {question}" if standard else question
        events = await self.exchange("question", lambda: self.api.push_message(text, self.chat))
        message, choices = _buttons(events, "std:")
        if message is not None and choices:
            await asyncio.sleep(self.rng.uniform(0.2, 0.6) * self.think)
            data = self.rng.choice(choices)
            await self.exchange("button", lambda: self.api.push_callback(message, data))

    async def assess(self, deadline: float) -> None:
        code = self.rng.choice(self.codes)
        events = await self.exchange("command", lambda: self.api.push_message(f"/assess {code}", self.chat))
        self.tally.assessments_started += 1
        steps = self.rng.randint(4, 14)
        ticked = False
        for _ in range(steps):
            if time.perf_counter() >= deadline:
                return
            message, buttons = _buttons(events, "as:")
            if message is None or not buttons:
                return
            if any(b.startswith("as:rep:") for b in buttons):
                self.tally.assessments_finished += 1
                return
            choice = self._choose(buttons, ticked)
            if choice is None:
                return
            ticked = ticked or choice.startswith("as:qm:")
            await asyncio.sleep(self.rng.uniform(0.2, 1.0) * self.think)
            if choice == "evidence-text":
                events = await self.exchange("evidence", lambda: self.api.push_message(self.rng.choice(EVIDENCE),
                                                                                        self.chat))
            else:
                events = await self.exchange("button", lambda data=choice, msg=message: self.api.push_callback(msg, data))
        message, buttons = _buttons(events, "as:x:")
        if message is not None and buttons and self.rng.random() < 0.5:  # some leave it for /resume, some cancel
            await self.exchange("button", lambda: self.api.push_callback(message, buttons[0]))

    def _choose(self, buttons: list[str], ticked: bool) -> str | None:
        def first(prefix: str) -> str | None:
            return next((b for b in buttons if b.startswith(prefix)), None)

        answers = [b for b in buttons if b.startswith("as:a:") and not b.endswith(":s")]
        if answers:
            return self.rng.choice(answers)
        evidence = first("as:e:")
        if evidence:
            return evidence if self.rng.random() < 0.6 else "evidence-text"
        for prefix in ("as:rn", "as:q:", "as:u:", "as:std:", "as:begin:"):
            if first(prefix):
                return first(prefix)
        if ticked and first("as:qg:"):
            return first("as:qg:")
        return first("as:qm:") or first("as:dd:") or first("as:d:")


def _buttons(events: list[Event], prefix: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The last message of an answer that has buttons, and its callback data starting with prefix."""
    for event in reversed(events):
        markup = event.message.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or []
        data = [b.get("callback_data", "") for row in rows for b in row if b.get("callback_data")]
        if data:
            return event.message, [d for d in data if d.startswith(prefix)]
    return None, []


# ------------------------------------------------------------------ the run
def run(corpus_dir: Path, data_dir: Path, embedder: str, users: int = 50, seconds: float = 60.0, seed: int = 7,
        think: float = 2.0, progress: Callable[[str], None] | None = None) -> E2EResult:
    """Start everything on 127.0.0.1, let `users` people chat for `seconds`, and count."""
    build_services, build_application = _application_parts()
    say = progress or (lambda _text: None)
    return asyncio.run(_run(build_services, build_application, corpus_dir, data_dir, embedder, users,
                            seconds, seed, think, say))


async def _run(build_services: Callable[..., Any], build_application: Callable[..., Any],
               corpus_dir: Path, data_dir: Path, embedder: str, users: int, seconds: float, seed: int, think: float,
               say: Callable[[str], None]) -> E2EResult:
    from telegram import Update
    from telegram.ext import TypeHandler

    from benchmarks.common import make_questions, make_settings

    api = FakeBotApi(TOKEN)
    recorder = Recorder()
    api.listeners.append(recorder.on_call)
    await api.start()
    try:
        settings = make_settings(data_dir, corpus_dir, embedder).model_copy(update={
            "telegram_bot_token": _secret(TOKEN),
            "telegram_base_url": api.base_url,
            "telegram_base_file_url": api.base_file_url,
            "poll_timeout": 1.0,
            "webhook_url": None,
            "rate_limit_per_minute": 0,  # simulated users think ~2 s: the flood guard must not count as a loss
        })
        if not settings.telegram_base_url.startswith("http://127.0.0.1:"):
            raise E2EUnavailable(f"base URL {settings.telegram_base_url} is not on 127.0.0.1")
        say(f"e2e: building services on {data_dir} (fake Bot API at {api.base_url})")
        services = await asyncio.to_thread(build_services, settings)
        app = build_application(services)
        handled: Counter[int] = Counter()

        async def count(update: Update, _context: Any) -> None:
            handled[update.update_id] += 1

        app.add_handler(TypeHandler(Update, count), group=10_000)
        catalog = services.catalog
        questions = [q for kind, batch in make_questions(catalog, 20, seed).items() for q in batch]
        codes = [d.code for d in catalog.current()][:20]
        tally = Tally()
        people = [Person(n, api, recorder, tally, questions, codes, think, seed) for n in range(users)]

        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1, drop_pending_updates=False)
        await app.start()
        try:
            say(f"e2e: {users} people for {seconds:g} s")
            started = time.perf_counter()
            await asyncio.gather(*(p.live(started + seconds) for p in people))
            stopped = time.perf_counter()
            waited = await _drain(handled, tally)
            elapsed = stopped - started
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
    finally:
        await api.stop()

    sent = set(tally.sent)
    never_handled = [u for u in sent if handled[u] == 0]
    unanswered = set(tally.unanswered) | set(never_handled)
    twice = {u for u in sent if handled[u] > 1}
    twice |= {u for u, qid in tally.callbacks.items() if recorder.callback_answers[qid] > 1}
    twice |= {u for u, qid in tally.callbacks.items() if recorder.callback_answers[qid] == 0 and u not in unanswered}
    latencies = [x for xs in tally.latencies.values() for x in xs]
    handled_in_run = sum(1 for u in sent if handled[u] > 0)
    kinds = Counter(tally.sent.values())
    result = E2EResult(users, elapsed, len(sent), handled_in_run, handled_in_run / elapsed if elapsed else 0.0,
                       latencies, tally.latencies, len(unanswered), len(twice))
    from benchmarks.common import percentile

    result.notes.append("updates sent by kind: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    for kind, xs in sorted(tally.latencies.items()):
        result.notes.append(f"reply latency, {kind:<8} n={len(xs):<5} p50 {percentile(xs, 50):8.0f} ms  "
                            f"p95 {percentile(xs, 95):8.0f} ms  max {max(xs):8.0f} ms")
    result.notes.append(f"assessments started {tally.assessments_started}, reached the summary "
                        f"{tally.assessments_finished}; mean think time {think:g} s (uniform 0.4x-1.6x)")
    methods = Counter(c.method for c in api.calls)
    result.notes.append("Bot API calls the bot made: " + ", ".join(f"{m} {v}" for m, v in methods.most_common())
                        + f" ({sum(v for m, v in methods.items() if m != 'getUpdates') / max(1, len(sent)):.2f}"
                        " per update, getUpdates aside)")
    redelivered = sum(1 for u in sent if recorder.deliveries[u] > 1)
    result.notes.append(f"server: {redelivered} updates delivered by getUpdates more than once; "
                        f"{tally.late_events} replies arrived after their answer had settled ({SETTLE:g} s); "
                        f"drained in {waited:.1f} s after the last update")
    if never_handled:
        result.notes.append("never handled (update id, kind, times delivered by getUpdates): "
                            + ", ".join(f"{u} {tally.sent[u]} {recorder.deliveries[u]}" for u in sorted(never_handled)[:10]))
    return result


async def _drain(handled: Counter[int], tally: Tally) -> float:
    """Wait until every sent update has been handled (or DRAIN_TIMEOUT), then a little more."""
    started = time.perf_counter()
    while time.perf_counter() - started < DRAIN_TIMEOUT:
        if all(handled[u] for u in tally.sent):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # a repeated delivery would show up here
    return time.perf_counter() - started


def _secret(value: str) -> Any:
    from pydantic import SecretStr

    return SecretStr(value)
