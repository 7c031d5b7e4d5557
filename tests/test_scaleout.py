"""Scale-out: two `competency-bot serve` processes behind webhooks sharing one PostgreSQL, and the
vector index on a Chroma server (client/server mode). Everything listens on 127.0.0.1.

The webhook test needs PostgreSQL (./test.sh starts one and exports TEST_DATABASE_URL); it is
skipped without it. The Chroma test starts `chroma run` from the venv.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.settings import Settings
from bot.store import Database
from bot.testing.fakebotapi import Call, FakeBotApi
from index.catalog import Catalog
from index.chunk import chunk_catalog
from index.embed import get_embedder
from index.store import STATUSES, IndexError_, VectorIndex, collection_name
from tests.test_faults import SERVE_START_TIMEOUT, Serve, fresh_postgres, serve_env
from tests.test_telegram import free_port, plain

TOKEN = "717171:AAH-fake_TokenForScaleOutTests-97531"
SECRET = "scale-out-Secret_0123"
CLOUD = "ISD3512-001v3"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CHROMA = Path(sys.executable).with_name("chroma")
CHROMA_START_TIMEOUT = 30.0

needs_postgres = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="TEST_DATABASE_URL is not set: two processes need one shared PostgreSQL (./test.sh starts one)",
)


# ---------------------------------------------------------------- helpers
@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def shared_database() -> Iterator[str]:
    with fresh_postgres("scaleout") as url:
        assert url is not None
        yield url


async def listening(port: int, serve: Serve, timeout: float = SERVE_START_TIMEOUT) -> None:
    """Wait until a serve process accepts connections on its webhook port."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if serve.process.poll() is not None or time.monotonic() > deadline:
                status = serve.process.poll()
                raise AssertionError(f"webhook on {port} not up (exit {status}):\n{serve.output[-3000:]}") from None
            await asyncio.sleep(0.1)


class Instance:
    """One serve process in webhook mode and how to post updates to it."""

    def __init__(self, name: str, api: FakeBotApi, tmp: Path, database_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook/{name}"
        env = serve_env(
            api,
            tmp / f"data-{name}",
            DATABASE_URL=database_url,
            WEBHOOK_URL=self.url,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(self.port),
            WEBHOOK_SECRET=SECRET,
        )
        self.serve = Serve(env, tmp / f"serve-{name}.log")

    async def post(self, client: httpx.AsyncClient, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        response = await client.post(self.url, json=update, headers=headers, timeout=10)
        return response.status_code


def chat_calls(api: FakeBotApi, method: str, chat: int, since: int = 0) -> list[Call]:
    return [c for c in api.calls_of(method, since) if int(c.params.get("chat_id", 0)) == chat]


# ---------------------------------------------------------------- two processes, one database
@needs_postgres
async def test_two_webhook_processes_share_sessions_through_postgres(
    tmp_path: Path, api: FakeBotApi, shared_database: str
) -> None:
    chat = 7001
    a = Instance("a", api, tmp_path, shared_database)
    b = Instance("b", api, tmp_path, shared_database)
    try:
        await asyncio.gather(listening(a.port, a.serve), listening(b.port, b.serve))
        await api.wait_for("setWebhook", count=2)  # a process may listen before it registers (slow machine)
        registered = {c.params["url"]: c.params.get("secret_token") for c in api.calls_of("setWebhook")}
        assert registered == {a.url: SECRET, b.url: SECRET}

        async with httpx.AsyncClient() as client:
            forged = api.push_message("/help", chat)
            refused = [await a.post(client, forged, secret=None), await b.post(client, forged, secret="wrong")]
            assert refused == [403, 403]

            mark = api.mark()
            assert await b.post(client, api.push_message("什麼是T2.2的行為指標", chat)) == 200
            choice = (await api.wait_for("sendMessage", since=mark, where=lambda c: bool(c.buttons)))[0]
            assert f"std:{CLOUD}" in [x["callback_data"] for x in choice.buttons]

            mark = api.mark()
            assert await a.post(client, api.push_callback(api.sent_message(choice), f"std:{CLOUD}")) == 200
            edited = (await api.wait_for("editMessageText", since=mark))[0]
            assert "P2.2.1" in edited.text, "A answered the question B kept waiting in the database"

            mark = api.mark()
            follow_up = api.push_message("T2.2 的工作產出", chat)
            assert await b.post(client, follow_up) == 200
            answer = (await api.wait_for("sendMessage", since=mark, where=lambda c: "O2.2.1" in c.text))[0]
            assert "品質規格書" in plain(answer) and not any(x["callback_data"].startswith("std:") for x in answer.buttons)

            mark = api.mark()
            again = api.push_message("K01 是什麼", chat)
            assert [await a.post(client, again), await b.post(client, again)] == [200, 200]  # delivered to both
            await api.wait_for("sendMessage", since=mark, where=lambda c: "K01" in c.text)
            await asyncio.sleep(0.5)  # time for a second answer to the repeated update, if there were one
            assert await a.post(client, api.push_message("/help", chat)) == 200
            await api.wait_for("sendMessage", since=mark, where=lambda c: "/standards" in plain(c))
        replies = [plain(c)[:30] for c in chat_calls(api, "sendMessage", chat, mark)]
        assert len(replies) == 2, f"an update delivered to both processes is answered once: {replies}"
        assert len(chat_calls(api, "sendMessage", chat)) == 4, "choice, follow-up, K01, help (nothing for forged)"
        assert Database(shared_database).get_session(chat)["standard"] == CLOUD
        statuses = await asyncio.gather(a.serve.terminate(), b.serve.terminate())
        assert statuses == [0, 0]
    finally:
        a.serve.kill()
        b.serve.kill()
    for instance in (a, b):
        assert "Traceback" not in instance.serve.output and TOKEN not in instance.serve.output
        assert SECRET not in instance.serve.output


@needs_postgres
def test_processes_starting_together_create_the_tables_once(shared_database: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        db = Database(shared_database)
        try:
            db.create()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            db.engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert Database(shared_database).get_session(1)["standard"] is None


# ---------------------------------------------------------------- Chroma client/server
@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    assert CHROMA.exists(), f"{CHROMA} is missing (chromadb installs it): run scripts/setup.sh"
    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    log = (tmp_path / "chroma.log").open("wb")
    command = [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "chroma")]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + CHROMA_START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"chroma run did not start: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def server_count(url: str, names: list[str]) -> int:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = int(url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    return sum(client.get_collection(name).count() for name in names)


def test_the_index_lives_on_a_chroma_server(tmp_path: Path, chroma_server: str, catalog: Catalog) -> None:
    from bot.wiring import build_assistant

    settings = Settings(CHROMA_URL=chroma_server, BOT_EMBEDDER="fake", BOT_DATA_DIR=tmp_path / "data")
    chunks = [c for c in chunk_catalog(catalog) if c.embed_text]
    names = [collection_name(get_embedder("fake"), status) for status in STATUSES]
    assistant = build_assistant(settings, catalog)
    assert assistant.search.dense.chroma_url == chroma_server
    assert server_count(chroma_server, names) == len(chunks)

    question = "需要撰寫測試報告的工作任務"
    hits = assistant.search.dense.search(assistant.search.embed_query(question), k=5)
    assert hits, "the dense search is answered by the server"
    answer = assistant.ask(question)
    assert answer.citations and any(c.standard == CLOUD for c in answer.citations)

    again = VectorIndex(settings.index_dir, get_embedder("fake"), chroma_server).sync(chunk_catalog(catalog))
    assert not again.changed and again.chunks_written == 0, "a second build changes nothing"
    elsewhere = Settings(CHROMA_URL=chroma_server, BOT_EMBEDDER="fake", BOT_DATA_DIR=tmp_path / "other-host")
    build_assistant(elsewhere, catalog)  # another machine, no manifest: same ids, nothing doubled
    assert server_count(chroma_server, names) == len(chunks)
    assert build_assistant(settings, catalog).ask(question).citations


def test_an_unreachable_chroma_server_is_a_clear_error(tmp_path: Path, catalog: Catalog) -> None:
    from bot.wiring import build_assistant

    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(CHROMA_URL=url, BOT_EMBEDDER="fake", BOT_DATA_DIR=tmp_path / "data")
    with pytest.raises(IndexError_) as err:
        build_assistant(settings, catalog)
    assert "Chroma" in str(err.value) and url in str(err.value)
