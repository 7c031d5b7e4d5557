"""Issue 14 through the real Application over HTTP (the fake Bot API server on 127.0.0.1):
forged webhook posts, one person's inline flood, long replies and big keyboards in pages,
and one apology (not three) when the database is damaged."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.callbacks import Page
from bot.checks import ConfigError
from bot.engine import Engine, RateLimiter
from bot.paging import MAX_BUTTONS, MAX_MESSAGES, Pager
from bot.replies import Button, Incoming
from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.store import processed_updates
from bot.telegram.app import build_application, serve
from bot.telegram.format import KEYBOARD_LIMIT, ROW_LIMIT, keyboard, message_count
from bot.telegram.webhook import SECRET_HEADER, secret_matches
from bot.testing.fakebotapi import Call, FakeBotApi, running
from prompts import t
from retrieval.types import Answer, Choice
from tests.test_hostile import Clock
from tests.test_telegram import ScriptedAssistant, free_port, plain, scripted, swapped

TOKEN = "545454:AAF-fake_TokenForHardeningTg-99881"
ADMIN_ID = 900_314
REPLY_TIMEOUT = 15.0
SECRET_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

PAGE_PREFIX = Page.tag + ":"  # a 下一頁 button's data


@pytest.fixture(scope="module")
def base_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    settings = Settings(
        BOT_DATA_DIR=tmp_path_factory.mktemp("hardening-telegram"),
        BOT_EMBEDDER="fake",
        TELEGRAM_BOT_TOKEN=TOKEN,
        BOT_ADMIN_IDS=str(ADMIN_ID),
        TELEGRAM_POLL_TIMEOUT=1,
        BOT_CORPUS_DIR=SHIPPED_CORPUS,
        DATABASE_URL=None,
        WEBHOOK_URL=None,
    )
    services = build_services(settings)
    yield services
    services.db.engine.dispose()


def to_chat(api: FakeBotApi, chat: int, since: int = 0, method: str = "sendMessage") -> list[Call]:
    return [c for c in api.calls_of(method, since) if int(c.params.get("chat_id", 0)) == chat]


async def idle(app: Application, timeout: float = REPLY_TIMEOUT) -> None:
    """Wait until the application has nothing queued or running (seen three times in a row)."""
    deadline, calm = time.monotonic() + timeout, 0
    while calm < 3:
        if time.monotonic() > deadline:
            raise AssertionError("the application did not settle")
        busy = app.update_processor.in_flight or not app.update_queue.empty()  # type: ignore[attr-defined]
        calm = 0 if busy else calm + 1
        await asyncio.sleep(0.02)


async def taken(services: Services, update_ids: list[int], timeout: float = REPLY_TIMEOUT) -> None:
    """Wait until the bot has taken these updates (each is recorded in the database as it is taken)."""
    deadline = time.monotonic() + timeout
    while recorded(services, update_ids) < len(update_ids):
        if time.monotonic() > deadline:
            raise AssertionError(f"only {recorded(services, update_ids)} of {len(update_ids)} updates taken")
        await asyncio.sleep(0.02)


def recorded(services: Services, update_ids: list[int]) -> int:
    query = select(func.count()).select_from(processed_updates).where(processed_updates.c.update_id.in_(update_ids))
    with services.db.begin() as conn:
        return int(conn.execute(query).scalar_one())


class Counting:
    """The real assistant, counting (and optionally holding back) its inline lookups."""

    def __init__(self, real: Any, gate: threading.Event | None = None) -> None:
        self.real, self.gate, self.lookups = real, gate, 0

    def lookup(self, query: str, limit: int = 10) -> list[Any]:
        self.lookups += 1
        if self.gate is not None:
            self.gate.wait(REPLY_TIMEOUT + 5)
        return self.real.lookup(query, limit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


# ---------------------------------------------------------------- 1. webhook without WEBHOOK_SECRET
async def test_a_webhook_without_a_configured_secret_makes_one_and_runs_no_forged_update(
    services: Services, api: FakeBotApi
) -> None:
    port, chat = free_port(), 6666
    url = f"http://127.0.0.1:{port}/hook/x"
    settings = services.settings.model_copy(update={"webhook_url": url, "webhook_port": port, "webhook_secret": None})
    reloads: list[int] = []
    stopped = asyncio.Event()
    with swapped(services.engine, reloader=lambda: reloads.append(1) or "reloaded"):
        running_bot = asyncio.create_task(serve(build_application(services), settings, stopped, signals=()))
        try:
            secret = (await api.wait_for("setWebhook"))[0].params["secret_token"]
            assert len(secret) >= 32 and set(secret) <= SECRET_CHARS, "a strong secret Telegram accepts"

            def update(text: str) -> dict[str, Any]:
                return api.push_message(text, chat, user_id=ADMIN_ID)

            near_miss = secret[:-1] + ("A" if secret[-1] != "A" else "B")
            async with httpx.AsyncClient() as client:
                statuses = [
                    (await client.post(url, json=update("/reload"), headers=headers)).status_code
                    for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: near_miss}, {SECRET_HEADER: ""})
                ]
                mark = api.mark()
                good = await client.post(url, json=update("/help"), headers={SECRET_HEADER: secret})
            assert statuses == [403, 403, 403, 403] and good.status_code == 200
            reply = (await api.wait_for("sendMessage", since=mark))[0]
        finally:
            stopped.set()
            await running_bot
    assert "/standards" in plain(reply)
    assert to_chat(api, chat) == [reply], "one update of this chat ran (they run in order): the one with the secret"
    assert reloads == []


async def test_a_webhook_port_already_taken_is_one_line(services: Services, api: FakeBotApi) -> None:
    with socket.socket() as taken_port:
        taken_port.bind(("127.0.0.1", 0))
        taken_port.listen()
        port = taken_port.getsockname()[1]
        settings = services.settings.model_copy(update={"webhook_url": f"http://127.0.0.1:{port}/h", "webhook_port": port})
        with pytest.raises(ConfigError) as error:
            await serve(build_application(services), settings, asyncio.Event(), signals=())
    assert "WEBHOOK_PORT" in str(error.value) and str(port) in str(error.value) and "\n" not in str(error.value)


def test_the_secret_is_compared_whole() -> None:
    assert secret_matches("abc-123_XYZ", "abc-123_XYZ")
    for given in (None, "", "abc-123_XY", "abc-123_XYZ ", "ABC-123_XYZ", "abc-123_XYZ\u00e9"):
        assert not secret_matches(given, "abc-123_XYZ")


# ---------------------------------------------------------------- 4. inline queries: limit, cache, flood
async def test_the_same_inline_query_is_looked_up_once(services: Services, api: FakeBotApi) -> None:
    counting = Counting(services.assistant)
    with swapped(services, assistant=counting):
        async with running(services):
            answers = []
            for _ in range(4):
                mark = api.mark()
                api.push_inline_query("需求規格書", user_id=6700)
                answers.append((await api.wait_for("answerInlineQuery", since=mark))[0])
    assert counting.lookups == 1
    assert answers[0].params["results"] and all(a.params["results"] == answers[0].params["results"] for a in answers)


async def test_inline_queries_count_in_the_per_person_limit(services: Services, api: FakeBotApi) -> None:
    user, other, clock = 6710, 6711, Clock()
    limiter = RateLimiter(services.db, 5, window_seconds=60.0, clock=clock)
    engine = Engine(services.assistant, services.assessments, services.db, limiter=limiter)
    with swapped(services, engine=engine):
        async with running(services) as app:
            flood = [api.push_inline_query(f"K0{n + 1}", user_id=user)["update_id"] for n in range(8)]
            await taken(services, flood)
            await idle(app)
            mark = api.mark()
            later = api.push_message("K01 是什麼", user)["update_id"]
            api.push_message("K01 是什麼", other)
            answer = (await api.wait_for("sendMessage", since=mark, where=lambda c: int(c.params["chat_id"]) == other))[0]
            await taken(services, [later])
            await idle(app)
    answered = api.calls_of("answerInlineQuery")[-6:]
    assert [bool(c.params.get("results")) for c in answered] == [True] * 5 + [False]
    assert answered[-1].params["button"]["text"] == t("bot.slow_down_inline")
    assert len(api.calls_of("answerInlineQuery")) == 6, "the 7th and 8th cost no Bot API call"
    assert to_chat(api, user, mark) == [], "the person's message shares the limit the inline queries used up"
    assert "K01" in answer.text, "another person is answered"


async def test_one_persons_inline_flood_does_not_hold_up_another_persons_question(
    services: Services, api: FakeBotApi
) -> None:
    flooder, other, gate = 6720, 6721, threading.Event()
    counting = Counting(services.assistant, gate)
    with swapped(services, assistant=counting):
        async with running(services) as app:
            flood = [api.push_inline_query(f"T{n} 需求規格書", user_id=flooder)["update_id"] for n in range(300)]
            mark = api.mark()
            api.push_message("K01 是什麼", other)
            try:
                reply = (await api.wait_for("sendMessage", since=mark, timeout=REPLY_TIMEOUT))[0]
                inline_before = len(api.calls_of("answerInlineQuery"))
            finally:
                gate.set()  # the flooder's first lookup was held back until the other person was answered
            await idle(app)
    assert int(reply.params["chat_id"]) == other and "K01" in reply.text
    assert inline_before == 0, "answered while the flooder's first lookup was still held back"
    assert recorded(services, flood) <= 64, "beyond the per-person cap, updates are dropped before any work"
    assert len(api.calls_of("answerInlineQuery")) <= services.settings.rate_limit_per_minute + 1


# ---------------------------------------------------------------- 11. long replies and big keyboards in pages
async def press(api: FakeBotApi, message: Call, data: str | None) -> int:
    assert data is not None
    mark = api.mark()
    api.push_callback(api.sent_message(message), data)
    return mark


async def one_page(app: Application, api: FakeBotApi, chat: int, since: int) -> list[Call]:
    """The messages of one page: what the bot sent to the chat after `since`, once it has settled."""
    await api.wait_for("sendMessage", since=since)
    await idle(app)
    return to_chat(api, chat, since)


def next_page_data(call: Call) -> str | None:
    found = [b["callback_data"] for b in call.buttons if b["callback_data"].startswith(PAGE_PREFIX)]
    return found[0] if found else None


async def test_a_long_answer_comes_in_pages_that_survive_a_restart(services: Services, api: FakeBotApi) -> None:
    chat = 6800
    lines = [f"第 {n:04d} 行：P1.1.{n % 50} 依需求規格書 <完成> & 檢查" for n in range(2500)]
    engine = scripted(services, ScriptedAssistant(services, "\n".join(lines)))
    pages: list[list[Call]] = []
    with swapped(services, engine=engine):
        async with running(services) as app:
            mark = api.mark()
            api.push_message("長答案", chat)
            pages.append(await one_page(app, api, chat, mark))
            pages.append(await one_page(app, api, chat, await press(api, pages[-1][-1], next_page_data(pages[-1][-1]))))
    restarted = build_services(services.settings)  # a new process: the pages are in the database
    async with running(restarted) as app:
        while (data := next_page_data(pages[-1][-1])) is not None:
            pages.append(await one_page(app, api, chat, await press(api, pages[-1][-1], data)))
    assert len(pages) >= 5
    assert all(1 <= len(page) <= MAX_MESSAGES for page in pages), [len(p) for p in pages]
    assert all(next_page_data(c) is None for page in pages for c in page[:-1]), "the button is on a page's last message"
    assert all(len(button["callback_data"].encode()) < 64 for page in pages for c in page for button in c.buttons)
    text = "\n".join(plain(c) for page in pages for c in page)
    assert text.split("\n") == lines, "every line, in order, nothing lost"
    restarted.db.engine.dispose()


def choices_answer(services: Services, count: int) -> Answer:
    choices = [Choice(standard=f"X{n:03d}", title=f"第 {n} 個") for n in range(count)]
    return Answer(question="q", intent="choose", answer="請選一個：", choices=choices)


async def test_a_keyboard_of_250_buttons_comes_in_pages_within_telegrams_limit(
    services: Services, api: FakeBotApi
) -> None:
    chat = 6810

    class ManyChoices(ScriptedAssistant):
        def ask(self, question: str, standard: str | None = None) -> Answer:
            return choices_answer(services, 250)

    with swapped(services, engine=scripted(services, ManyChoices(services, ""))):
        async with running(services):
            mark = api.mark()
            api.push_message("選一個", chat)
            seen: list[str] = []
            message = (await api.wait_for("sendMessage", since=mark))[0]
            while True:
                assert len(message.buttons) <= KEYBOARD_LIMIT
                assert all(len(row) <= ROW_LIMIT for row in message.params["reply_markup"]["inline_keyboard"])
                seen += [b["callback_data"] for b in message.buttons if not b["callback_data"].startswith(PAGE_PREFIX)]
                data = next_page_data(message)
                if data is None:
                    break
                since = await press(api, message, data)
                message = (await api.wait_for("sendMessage", since=since))[0]
    assert seen == [f"std:X{n:03d}" for n in range(250)]


def test_the_engine_pages_every_reply_within_the_limits(services: Services) -> None:
    class Long(ScriptedAssistant):
        def ask(self, question: str, standard: str | None = None) -> Answer:
            answer = choices_answer(services, 130)
            answer.answer = "\n".join(f"第 {n} 行 " + "字" * 80 for n in range(600))
            return answer

    engine = Engine(Long(services, ""), services.assessments, services.db, pager=Pager(services.db, message_count))
    incoming = Incoming(chat_id=6820, user_id=6820, text="長")
    replies = engine.handle(incoming)
    texts, buttons = [], []
    while True:
        assert len(replies) == 1 and message_count(replies[0].text) <= MAX_MESSAGES
        assert sum(map(len, replies[0].buttons)) <= MAX_BUTTONS
        texts.append(replies[0].text)
        page = [b for row in replies[0].buttons for b in row if b.data.startswith(PAGE_PREFIX)]
        buttons += [b.data for row in replies[0].buttons for b in row if not b.data.startswith(PAGE_PREFIX)]
        if not page:
            break
        replies = engine.handle(Incoming(chat_id=6820, user_id=6820, button=page[0].data))
    assert len(buttons) == 130 and len(texts) > 2
    elsewhere = engine.handle(Incoming(chat_id=6821, user_id=6821, button=page_data_of(engine, incoming)))
    assert elsewhere[0].text == t("bot.page_gone"), "a page is shown only in the chat it was made for"


def page_data_of(engine: Engine, incoming: Incoming) -> str:
    return next(b.data for row in engine.handle(incoming)[0].buttons for b in row if b.data.startswith(PAGE_PREFIX))


def test_the_telegram_keyboard_never_exceeds_its_limits(caplog: pytest.LogCaptureFixture) -> None:
    rows = [[Button(f"b{n}", f"d{n}") for n in range(20)]] + [[Button(f"c{n}", f"e{n}")] for n in range(120)]
    markup = keyboard(rows)
    assert markup is not None
    assert sum(len(row) for row in markup.inline_keyboard) == KEYBOARD_LIMIT
    assert all(len(row) <= ROW_LIMIT for row in markup.inline_keyboard)
    assert "cut" in caplog.text


# ---------------------------------------------------------------- 12. a damaged database: one apology
async def test_random_bytes_in_the_database_give_one_apology_per_message(tmp_path: Path, api: FakeBotApi) -> None:
    settings = Settings(BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="fake", TELEGRAM_BOT_TOKEN=TOKEN,
                        TELEGRAM_POLL_TIMEOUT=1, BOT_CORPUS_DIR=SHIPPED_CORPUS, DATABASE_URL=None, WEBHOOK_URL=None)
    services = build_services(settings.model_copy(update={"telegram_base_url": api.base_url}))
    chat = 6900
    async with running(services) as app:
        mark = api.mark()
        api.push_message("K01 是什麼", chat)
        await api.wait_for("sendMessage", since=mark)  # working, before the damage
        database = tmp_path / "data" / "bot.sqlite3"
        for path in (database, Path(f"{database}-wal")):
            if path.exists():
                path.write_bytes(os.urandom(path.stat().st_size))
        services.db.engine.dispose()  # the next connections read the file again (as new pool connections do)
        mark = api.mark()
        for text in ("K02 是什麼", "T2.2 的工作產出"):
            api.push_message(text, chat)
        await api.wait_for("sendMessage", since=mark, count=2)
        await idle(app)
    apologies = [plain(c) for c in to_chat(api, chat, mark)]
    assert apologies == [t("bot.error")] * 2, apologies
    services.db.engine.dispose()
