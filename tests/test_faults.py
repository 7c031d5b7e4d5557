"""Faults: the Bot API misbehaving, the database or the index missing, SIGTERM mid-assessment.

The real python-telegram-bot Application talks to the fake Bot API server of bot/testing/fakebotapi.py
on 127.0.0.1 (in this process, or from a `competency-bot serve` subprocess). Every fault must end
with the person's message answered exactly once and the chat's session kept.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.store import Database, answers, assessments
from bot.testing.fakebotapi import CLIENT_GONE, RESET, Call, FakeBotApi, running
from prompts import t
from tests.test_telegram import free_port, plain, say

TOKEN = "313131:AAF-fake_TokenForFaultTests-24680"
CLOUD = "ISD3512-001v3"
FOLLOW_UP = "T2.2 的工作產出"  # answered for the chat's standard without a choice
HTTP_TIMEOUT = 1.0  # the bot's Bot API read timeout in these tests (TELEGRAM_TIMEOUT)
SERVE = Path(sys.executable).with_name("competency-bot")
SERVE_START_TIMEOUT = 45.0
SERVE_STOP_TIMEOUT = 20.0
SCRUBBED_ENV = ("TELEGRAM_", "BOT_", "DATABASE_", "WEBHOOK_", "CHROMA_")


# ---------------------------------------------------------------- fixtures and helpers
@pytest.fixture(scope="module")
def base_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    settings = Settings(
        BOT_DATA_DIR=tmp_path_factory.mktemp("faults-data"),
        BOT_EMBEDDER="fake",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_POLL_TIMEOUT=1,
        TELEGRAM_TIMEOUT=HTTP_TIMEOUT,
        BOT_CORPUS_DIR=SHIPPED_CORPUS,
        DATABASE_URL=None,
        WEBHOOK_URL=None,
    )
    return build_services(settings)


def in_chat(chat: int, text: str) -> Callable[[Call], bool]:
    return lambda c: int(c.params.get("chat_id", 0)) == chat and text in c.text


def sent_to(api: FakeBotApi, chat: int, text: str, since: int, ok_only: bool = True) -> list[Call]:
    return [c for c in api.calls_of("sendMessage", since, ok_only) if in_chat(chat, text)(c)]


def serve_env(api: FakeBotApi, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `competency-bot serve` subprocess aimed at the fake server (nothing inherited
    that could point it elsewhere)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_ENV)}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_BASE_URL=api.base_url,
        TELEGRAM_BASE_FILE_URL=api.base_file_url,
        TELEGRAM_POLL_TIMEOUT="1",
        BOT_DATA_DIR=str(data_dir),
        BOT_EMBEDDER="fake",
        BOT_PLUGINS="benchmarks.fakes",  # the tests' embedders (benchmarks/fakes.py)
        ANONYMIZED_TELEMETRY="False",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Serve:
    """`competency-bot serve` in a subprocess, its stderr in a file (shown when an assertion fails)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        assert SERVE.exists(), f"{SERVE} is missing: run scripts/setup.sh"
        self.log = log
        self._stderr = log.open("wb")
        self.process = subprocess.Popen([str(SERVE), "serve"], env=env, stdout=self._stderr, stderr=self._stderr)

    @property
    def output(self) -> str:
        if not self._stderr.closed:
            self._stderr.flush()
        return self.log.read_text("utf-8", errors="replace")

    async def wait(self, timeout: float) -> int:
        try:
            return await asyncio.to_thread(self.process.wait, timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"serve still running after {timeout} s:\n{self.output[-3000:]}") from None

    async def terminate(self, timeout: float = SERVE_STOP_TIMEOUT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.wait(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self._stderr.close()


@contextmanager
def fresh_postgres(prefix: str, password: str | None = None) -> Iterator[str | None]:
    """A new, empty database on the PostgreSQL of TEST_DATABASE_URL (dropped afterwards); None without one.
    `password` is put in the URL when it has none (the test server trusts local connections)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield None
        return
    url = make_url(base)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        fresh = url.set(database=name, password=url.password or password)
        yield fresh.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


async def polling(api: FakeBotApi, serve: Serve, since: int) -> None:
    """Wait until the subprocess long-polls the fake server (it is ready for updates)."""
    deadline = time.monotonic() + SERVE_START_TIMEOUT
    while not api.calls_of("getUpdates", since, ok_only=False):
        if serve.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"serve did not start polling (exit {serve.process.poll()}):\n{serve.output[-3000:]}")
        await asyncio.sleep(0.05)


# ---------------------------------------------------------------- the Bot API misbehaves
OUTGOING_FAULTS = {
    "429 retry_after": lambda api: api.fail_next("sendMessage", 429, retry_after=1),
    "500 twice": lambda api: api.fail_next("sendMessage", 500, times=2),
    "hang past the timeout": lambda api: api.delay_next("sendMessage", HTTP_TIMEOUT * 4),
    "connection reset": lambda api: api.reset_next("sendMessage"),
    "repeated update id": lambda api: None,
}
FAILED_STATUS = {"429 retry_after": [429], "500 twice": [500, 500], "hang past the timeout": [CLIENT_GONE],
                 "connection reset": [RESET], "repeated update id": []}


@pytest.mark.parametrize("fault", list(OUTGOING_FAULTS))
async def test_a_failed_send_is_retried_and_delivered_once(fault: str, services: Services, api: FakeBotApi) -> None:
    chat = 4100 + list(OUTGOING_FAULTS).index(fault)
    async with running(services):
        await say(api, f"/use {CLOUD}", chat)
        mark = api.mark()
        started = time.monotonic()
        OUTGOING_FAULTS[fault](api)
        update = api.push_message(FOLLOW_UP, chat)
        if fault == "repeated update id":
            api.push_update({"message": update["message"]}, update_id=update["update_id"])
        answer = (await api.wait_for("sendMessage", since=mark, where=in_chat(chat, "O2.2.1")))[0]
        elapsed = time.monotonic() - started
        await say(api, "/help", chat)  # a later update: everything before it has been sent
    assert elapsed < 10, f"answered after {elapsed:.1f} s"
    assert "品質規格書" in plain(answer) and not any(b["callback_data"].startswith("std:") for b in answer.buttons)
    assert len(sent_to(api, chat, "O2.2.1", mark)) == 1, "delivered exactly once"
    failed = [c.status for c in sent_to(api, chat, "O2.2.1", mark, ok_only=False) if not c.ok]
    assert failed == FAILED_STATUS[fault]
    assert services.db.get_session(chat)["standard"] == CLOUD


@pytest.mark.parametrize("fault", ["500", "connection reset", "hang past the timeout"])
async def test_a_failed_poll_loses_no_update(fault: str, services: Services, api: FakeBotApi) -> None:
    chat = 4200 + ["500", "connection reset", "hang past the timeout"].index(fault)
    async with running(services):
        await say(api, f"/use {CLOUD}", chat)
        if fault == "500":
            api.fail_next("getUpdates", 500)
        elif fault == "connection reset":
            api.reset_next("getUpdates")
        else:
            api.delay_next("getUpdates", HTTP_TIMEOUT + 1 + 3)  # past the poll's timeout (read + long poll)
        await asyncio.sleep(0.3)  # the running poll ends; the next one meets the fault
        mark = api.mark()
        api.push_message(FOLLOW_UP, chat)
        answer = (await api.wait_for("sendMessage", since=mark, where=in_chat(chat, "O2.2.1"), timeout=15))[0]
        await say(api, "/help", chat)
    assert "品質規格書" in plain(answer)
    assert len(sent_to(api, chat, "O2.2.1", mark)) == 1
    assert services.db.get_session(chat)["standard"] == CLOUD


async def test_the_session_survives_every_fault(services: Services, api: FakeBotApi) -> None:
    """A chosen standard is kept through a 500, a reset, a hang and a repeated update in a row."""
    chat = 4300
    async with running(services):
        choice = await say(api, "什麼是T2.2的行為指標", chat)  # choices, then a button press chooses
        mark = api.mark()
        api.fail_next("editMessageText", 500)
        update = api.push_callback(api.sent_message(choice), f"std:{CLOUD}")
        api.push_update({"callback_query": update["callback_query"]}, update_id=update["update_id"])
        await api.wait_for("editMessageText", since=mark)
        for inject in (lambda: api.reset_next("sendMessage"), lambda: api.delay_next("sendMessage", 4 * HTTP_TIMEOUT)):
            inject()
            mark = api.mark()
            api.push_message(FOLLOW_UP, chat)
            await api.wait_for("sendMessage", since=mark, where=in_chat(chat, "O2.2.1"))
        await say(api, "/help", chat)
    assert len([c for c in api.calls_of("editMessageText") if CLOUD in c.text]) == 1
    assert services.db.get_session(chat)["standard"] == CLOUD


async def test_a_database_locked_while_running_gets_an_apology_then_service(
    tmp_path: Path, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(BOT_DATA_DIR=tmp_path / "data", BOT_EMBEDDER="fake", TELEGRAM_BOT_TOKEN=TOKEN,
                        TELEGRAM_POLL_TIMEOUT=1, DATABASE_TIMEOUT=0.3, DATABASE_URL=None, WEBHOOK_URL=None)
    services = build_services(settings.model_copy(update={"telegram_base_url": api.base_url}))
    chat = 4500
    async with running(services):
        await say(api, f"/use {CLOUD}", chat)
        holder = sqlite3.connect(settings.bot_data_dir / "bot.sqlite3", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # a backup or a migration holds the write lock
        try:
            locked = await say(api, FOLLOW_UP, chat)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        answer = await say(api, FOLLOW_UP, chat)
    assert plain(locked) == t("bot.error"), "not silence: the update was not taken for a repeated one"
    assert "O2.2.1" in answer.text and services.db.get_session(chat)["standard"] == CLOUD
    assert TOKEN not in caplog.text


# ---------------------------------------------------------------- start-up: database and index
async def test_serve_refuses_an_unreachable_database_in_one_line(tmp_path: Path, api: FakeBotApi) -> None:
    password = "s3cret-Pw-4-faults"
    url = f"postgresql+psycopg://bot:{password}@127.0.0.1:{free_port()}/competency"
    serve = Serve(serve_env(api, tmp_path / "data", DATABASE_URL=url, DATABASE_TIMEOUT="2"), tmp_path / "serve.log")
    try:
        status = await serve.wait(SERVE_START_TIMEOUT)
    finally:
        serve.kill()
    output = serve.output
    assert status != 0
    assert "Traceback" not in output and password not in output, output
    last = output.strip().splitlines()[-1]
    assert last.startswith("無法開啟資料庫") and "127.0.0.1" in last and "***" in last, last
    assert not api.calls, "nothing reached the Bot API"


async def test_serve_refuses_a_locked_database_in_one_line(tmp_path: Path, api: FakeBotApi) -> None:
    data = tmp_path / "data"
    Database(f"sqlite:///{data / 'bot.sqlite3'}").create()
    holder = sqlite3.connect(data / "bot.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    serve = Serve(serve_env(api, data, DATABASE_TIMEOUT="0.5"), tmp_path / "serve.log")
    started = time.monotonic()
    try:
        status = await serve.wait(SERVE_START_TIMEOUT)
    finally:
        serve.kill()
        holder.execute("ROLLBACK")
        holder.close()
    output = serve.output
    assert status != 0 and "Traceback" not in output, output
    last = output.strip().splitlines()[-1]
    assert last.startswith("無法開啟資料庫") and "database is locked" in last, last
    assert time.monotonic() - started < SERVE_START_TIMEOUT


def test_a_locked_database_is_reported_quickly_with_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    Database(f"sqlite:///{path}").create()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    try:
        with pytest.raises(Exception) as err:
            Database(f"sqlite:///{path}", timeout=0.3).create()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert type(err.value).__name__ == "DatabaseError" and "database is locked" in str(err.value)
    assert time.monotonic() - started < 5
    Database(f"sqlite:///{path}", timeout=0.3).create()  # released: it opens


def _forget_chroma_clients() -> None:
    """What a new process would see: chromadb keeps one client per path in memory."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def test_a_missing_index_directory_is_rebuilt(settings: Settings) -> None:
    import shutil

    first = build_services(settings)
    chunks = first.assistant.search.dense.count()
    shutil.rmtree(settings.index_dir)
    _forget_chroma_clients()
    again = build_services(settings)
    assert settings.index_dir.is_dir() and again.assistant.search.dense.count() == chunks > 0
    answer = again.assistant.ask("需要撰寫測試報告的工作任務")
    assert answer.citations and any(c.standard == CLOUD for c in answer.citations)


def test_a_missing_chroma_folder_with_its_manifest_kept_is_rebuilt(settings: Settings) -> None:
    import shutil

    chunks = build_services(settings).assistant.search.dense.count()
    shutil.rmtree(settings.index_dir / "chroma")
    _forget_chroma_clients()
    assert build_services(settings).assistant.search.dense.count() == chunks


# ---------------------------------------------------------------- SIGTERM mid-assessment
def buttons_of(call: Call) -> list[str]:
    return [b["callback_data"] for b in call.buttons]


def is_question(call: Call) -> bool:
    return any(d.startswith("as:a:") for d in buttons_of(call))


async def press(api: FakeBotApi, message: Call, data: str) -> int:
    assert data in buttons_of(message), (data, buttons_of(message))
    mark = api.mark()
    api.push_callback(api.sent_message(message), data)
    return mark


def answer_data(question: Call, value: int) -> str:
    return next(d for d in buttons_of(question) if d.startswith("as:a:")).rsplit(":", 1)[0] + f":{value}"


async def next_question(api: FakeBotApi, since: int, number: int) -> Call:
    where = lambda c: is_question(c) and f"第 {number}/7 題" in plain(c)  # noqa: E731
    return (await api.wait_for("sendMessage", since=since, where=where, timeout=20))[0]


async def test_sigterm_mid_assessment_keeps_the_answers_and_resume_continues(tmp_path: Path, api: FakeBotApi) -> None:
    chat, data = 4400, tmp_path / "data"
    first = Serve(serve_env(api, data), tmp_path / "serve-1.log")
    try:
        await polling(api, first, 0)
        mark = api.mark()
        api.push_message(f"/assess {CLOUD}", chat)
        scope = (await api.wait_for("sendMessage", since=mark, where=lambda c: f"as:q:{CLOUD}" in buttons_of(c)))[0]
        question = await next_question(api, await press(api, scope, f"as:q:{CLOUD}"), 1)
        for number, value in zip((2, 3, 4), (1, 0, 1), strict=True):
            question = await next_question(api, await press(api, question, answer_data(question, value)), number)
        in_flight = await press(api, question, answer_data(question, 0))  # the 4th answer, then SIGTERM at once
        await asyncio.sleep(0.05)
        status = await first.terminate()
    finally:
        first.kill()
    assert status == 0 and "Traceback" not in first.output, first.output[-3000:]

    db = Database(f"sqlite:///{data / 'bot.sqlite3'}")
    with db.begin() as conn:
        active = conn.execute(select(assessments).where(assessments.c.user_id == chat)).mappings().one()
        given = conn.execute(
            select(answers.c.question_index, answers.c.score).where(answers.c.assessment_id == active["id"])
        ).all()
    assert active["status"] == "active" and active["standard"] == CLOUD
    assert sorted(given)[:3] == [(0, 1), (1, 0), (2, 1)] and active["position"] == len(given) in (3, 4)

    second = Serve(serve_env(api, data), tmp_path / "serve-2.log")
    try:
        await polling(api, second, api.mark())
        mark = api.mark()
        api.push_message("/resume", chat)
        resumed = (await api.wait_for("sendMessage", since=mark, where=is_question, timeout=20))[0]
        assert "第 5/7 題" in plain(resumed), plain(resumed)
        question = await next_question(api, await press(api, resumed, answer_data(resumed, 1)), 6)
        status = await second.terminate()
    finally:
        second.kill()
    assert status == 0 and "Traceback" not in second.output, second.output[-3000:]
    fifth = [c for c in api.calls_of("sendMessage", since=in_flight) if is_question(c) and "第 5/7 題" in plain(c)]
    assert len(fifth) == 2, "the in-flight answer was handled once (its prompt, then /resume's)"
