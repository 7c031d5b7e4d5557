"""The real python-telegram-bot Application, polling a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import html
import logging
import re
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from telegram.ext import Application

from bot.engine import Engine
from bot.replies import Reply
from bot.services import Services, build_services
from bot.settings import SHIPPED_CORPUS, Settings
from bot.telegram.app import build_application, serve
from bot.telegram.format import MESSAGE_LIMIT
from bot.testing.fakebotapi import BOT_ID, BOT_USERNAME, Call, FakeBotApi, running
from bot.wiring import uploads_dir
from prompts import t
from retrieval.types import Answer
from tests.doubles import OneQuestionAssistant

TOKEN = "424242:AAH-fake_TokenForTests-0123456789"
ADMIN_ID = 900_001
CLOUD = "ISD3512-001v3"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def base_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    data = tmp_path_factory.mktemp("telegram-data")
    settings = Settings(
        BOT_DATA_DIR=data,
        BOT_EMBEDDER="fake",
        TELEGRAM_BOT_TOKEN=TOKEN,
        BOT_ADMIN_IDS=f"{ADMIN_ID}, 12",
        TELEGRAM_POLL_TIMEOUT=1,
        BOT_CORPUS_DIR=SHIPPED_CORPUS,
        DATABASE_URL=None,
        WEBHOOK_URL=None,
    )
    return build_services(settings)


@contextmanager
def swapped(services: Services, **parts: Any) -> Iterator[Services]:
    """The services with some parts (engine, assistant…) replaced for the duration of a test."""
    saved = {name: getattr(services, name) for name in parts}
    for name, value in parts.items():
        setattr(services, name, value)
    try:
        yield services
    finally:
        for name, value in saved.items():
            setattr(services, name, value)


@pytest.fixture
async def bot(services: Services) -> AsyncIterator[Application]:
    async with running(services) as app:
        yield app


async def say(api: FakeBotApi, text: str, chat_id: int, **kwargs: Any) -> Call:
    """Send a message as a person and return the bot's first message after it."""
    mark = api.mark()
    api.push_message(text, chat_id, **kwargs)
    return (await api.wait_for("sendMessage", since=mark))[0]


def plain(call: Call) -> str:
    """What the person reads: the HTML text without tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", call.text))


class ScriptedAssistant(OneQuestionAssistant):
    """An assistant that always answers with the same text (for formatting tests)."""

    def __init__(self, services: Services, answer: str) -> None:
        self.catalog = services.catalog
        self.answer = answer

    def ask(self, question: str, standard: str | None = None) -> Answer:
        return Answer(question=question, intent="test", answer=self.answer)

    def lookup(self, query: str, limit: int = 10) -> list[Any]:
        return []


def scripted(services: Services, assistant: Any, assessments: Any = None) -> Engine:
    """An engine over another assistant (and assessments), sharing the database."""
    return Engine(assistant, assessments or services.assessments, services.db)


# ---------------------------------------------------------------- conversation


async def test_start_sends_welcome_and_publishes_command_menu(bot: Application, api: FakeBotApi) -> None:
    reply = await say(api, "/start", chat_id=1001, first_name="<小明>")
    assert reply.params["parse_mode"] == "HTML"
    assert "&lt;小明&gt;" in reply.text  # the name is escaped
    assert {b["callback_data"] for b in reply.buttons} == {"cmd:standards", "cmd:help"}
    menus = api.calls_of("setMyCommands")
    public = next(c for c in menus if "scope" not in c.params)
    names = [c["command"] for c in public.params["commands"]]
    assert {"start", "help", "standards", "use", "reset", "assess"} <= set(names)
    assert "reload" not in names and all(c["description"] for c in public.params["commands"])
    admin_menu = next(c for c in menus if c.params.get("scope", {}).get("chat_id") == ADMIN_ID)
    assert "reload" in [c["command"] for c in admin_menu.params["commands"]]
    assert not api.calls_of("sendChatAction"), "a fast answer is not announced with 'typing…'"


async def test_typing_is_shown_while_slow_work_runs(services: Services, api: FakeBotApi) -> None:
    engine = services.engine
    real = engine.handle

    def slow(incoming):  # type: ignore[no-untyped-def]
        time.sleep(1.0)
        return real(incoming)

    engine.handle = slow  # type: ignore[method-assign]
    try:
        async with running(services):
            await say(api, "K05 是什麼", chat_id=1009)
    finally:
        del engine.handle  # back to the class's method
    assert [int(c.params["chat_id"]) for c in api.calls_of("sendChatAction")][:1] == [1009]


async def test_choice_buttons_then_the_standard_is_remembered(bot: Application, api: FakeBotApi) -> None:
    chat = 1002
    choice = await say(api, "什麼是T2.2的行為指標", chat_id=chat)
    data = [b["callback_data"] for b in choice.buttons]
    assert f"std:{CLOUD}" in data and len(data) >= 2
    assert all(d.startswith("std:") and len(d.encode()) < 64 for d in data)
    assert "INM3513-005" not in [d.removeprefix("std:") for d in data]  # historical versions are not offered

    mark = api.mark()
    api.push_callback(api.sent_message(choice), f"std:{CLOUD}")
    edited = (await api.wait_for("editMessageText", since=mark))[0]
    assert api.calls_of("answerCallbackQuery", since=mark)
    assert int(edited.params["message_id"]) == choice.params["_message_id"]
    assert "P2.2.1" in edited.text and "P2.2.2" in edited.text
    assert "依軟體需求規格書" in plain(edited)
    assert any(b["callback_data"] == f"as:begin:{CLOUD}" for b in edited.buttons)

    outputs = await say(api, "T2.2 的工作產出", chat_id=chat)
    assert "O2.2.1" in outputs.text and "品質規格書" in plain(outputs)
    assert not any(b["callback_data"].startswith("std:") for b in outputs.buttons)


async def test_inline_query_lists_items_with_their_standard(bot: Application, api: FakeBotApi) -> None:
    mark = api.mark()
    api.push_inline_query("T2.2", user_id=1003)
    answer = (await api.wait_for("answerInlineQuery", since=mark))[0]
    results = answer.params["results"]
    assert results and all(r["type"] == "article" for r in results)
    assert results[0]["title"].startswith("T2.2")
    assert any(CLOUD in r["description"] and "雲端系統開發工程人員" in r["description"] for r in results)
    assert len({r["id"] for r in results}) == len(results)

    mark = api.mark()
    api.push_inline_query("需求規格書", user_id=1003)
    answer = (await api.wait_for("answerInlineQuery", since=mark))[0]
    titles = [r["title"] for r in answer.params["results"]]
    assert any("需求規格書" in title and re.match(r"[PO]\d", title) for title in titles)


async def test_long_answer_is_split_in_order_below_the_limit(services: Services, api: FakeBotApi) -> None:
    lines = [f"第 {n:03d} 行：P1.1.{n} 依需求規格書 <完成> & 檢查" for n in range(400)]
    engine = scripted(services, ScriptedAssistant(services, "\n".join(lines)))
    with swapped(services, engine=engine):
        async with running(services):
            api.delay_next("sendMessage", 0.3)  # a slow first part must not let a later part overtake it
            mark = api.mark()
            api.push_message("長答案", 1004)
            first = (await api.wait_for("sendMessage", since=mark))[0]
            while True:  # a page of at most 3 messages, the 下一頁 button on its last one
                page_end = await api.wait_for("sendMessage", since=mark, where=lambda c: bool(c.buttons) or "第 399 行" in c.text)
                if not page_end[0].buttons:
                    break
                mark_page = api.mark()
                api.push_callback(api.sent_message(page_end[0]), page_end[0].buttons[-1]["callback_data"])
                await api.wait_for("sendMessage", since=mark_page)
                mark = mark_page
    parts = [c for c in api.calls_of("sendMessage") if int(c.params["chat_id"]) == 1004]
    parts = parts[parts.index(first):]
    assert parts[0] is first and len(parts) >= 3
    assert all(len(p.text) <= MESSAGE_LIMIT for p in parts)
    assert "\n".join(plain(p) for p in parts).split("\n") == lines


async def test_group_chats_answer_commands_mentions_and_replies_only(bot: Application, api: FakeBotApi) -> None:
    group, user = -100_555, 1005
    mark = api.mark()
    api.push_message("什麼是T2.2的行為指標", group, user, chat_type="supergroup")
    api.push_message("/help@some_other_bot", group, user, chat_type="supergroup")
    help_reply = await say(api, "/help", group, user_id=user, chat_type="supergroup")
    assert len(api.calls_of("sendMessage", since=mark)) == 1, "only the command was answered"
    assert "K01" in help_reply.text

    mention = await say(api, f"@{BOT_USERNAME} 什麼是T2.2的行為指標", group, user_id=user, chat_type="supergroup")
    assert any(b["callback_data"] == f"std:{CLOUD}" for b in mention.buttons)

    bot_message = api.sent_message(help_reply)
    answer = await say(
        api, "ISD3512-001v3 的 T2.2 工作產出", group, user_id=user, chat_type="supergroup", reply_to=bot_message
    )
    assert "O2.2.1" in answer.text
    assert bot_message["from"]["id"] == BOT_ID


# ---------------------------------------------------------------- delivery


async def test_rate_limit_retry_after_is_honoured_and_delivered_once(bot: Application, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", 429, retry_after=1)
    mark = api.mark()
    started = time.monotonic()
    api.push_message("/help", 1006)
    delivered = (await api.wait_for("sendMessage", since=mark))[0]
    refused = [c for c in api.calls_of("sendMessage", since=mark, ok_only=False) if c.status == 429]
    assert len(refused) == 1 and delivered.at - refused[0].at >= 1.0
    assert time.monotonic() - started < 10
    await say(api, "/reset", 1006)  # a later update: everything before it has been sent
    helps = [c for c in api.calls_of("sendMessage", since=mark) if "K01" in c.text]
    assert len(helps) == 1


async def test_server_errors_are_retried_and_delivered_once(bot: Application, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", 500)
    mark = api.mark()
    reply = await say(api, "/help", 1007)
    assert "K01" in reply.text
    await say(api, "/reset", 1007)
    assert len([c for c in api.calls_of("sendMessage", since=mark) if "K01" in c.text]) == 1
    assert [c.status for c in api.calls_of("sendMessage", since=mark, ok_only=False)][0] == 500


async def test_a_repeated_update_is_answered_once(bot: Application, api: FakeBotApi) -> None:
    mark = api.mark()
    update = api.push_message("/help", 1008)
    await api.wait_for("sendMessage", since=mark)
    api.push_update({"message": update["message"]}, update_id=update["update_id"])
    await say(api, "/reset", 1008)
    assert len([c for c in api.calls_of("sendMessage", since=mark) if "K01" in c.text]) == 1


async def test_a_restart_keeps_the_chosen_standard(services: Services, api: FakeBotApi) -> None:
    chat = 1009
    async with running(services):
        chosen = await say(api, f"/use {CLOUD}", chat)
        assert CLOUD in chosen.text
    restarted = build_services(services.settings)
    assert restarted.db is not services.db
    async with running(restarted):
        outputs = await say(api, "T2.2 的工作產出", chat)
    assert "O2.2.1" in outputs.text and "品質規格書" in plain(outputs)
    assert not outputs.buttons or not any(b["callback_data"].startswith("std:") for b in outputs.buttons)


async def test_photos_and_documents_are_uploaded(services: Services, api: FakeBotApi) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 200

    class Reports:
        def __getattr__(self, name: str) -> Any:
            return getattr(services.assessments, name)

        def report(self, user_id: int, result_id: int | None = None) -> list[Reply]:
            return [Reply("圖表 <1>", photo=png), Reply("報告", document=("報告.csv", "代碼,分數\nT2.2,3\n".encode()))]

    engine = scripted(services, services.assistant, Reports())
    with swapped(services, engine=engine):
        async with running(services):
            mark = api.mark()
            api.push_message("/report", 1010)
            photo = (await api.wait_for("sendPhoto", since=mark))[0]
            document = (await api.wait_for("sendDocument", since=mark))[0]
    assert photo.files["photo"][1] == png and photo.params["caption"] == "圖表 &lt;1&gt;"
    assert document.files["document"] == ("報告.csv", "代碼,分數\nT2.2,3\n".encode())


# ---------------------------------------------------------------- safety


async def test_html_specials_are_escaped(services: Services, api: FakeBotApi) -> None:
    engine = scripted(services, ScriptedAssistant(services, "<b>A & B</b> <script>x</script>"))
    with swapped(services, engine=engine):
        async with running(services):
            reply = await say(api, "<i>問題</i> & 😀", 1011)
            unknown = await say(api, "/use <b>不存在</b>", 1011)
    assert reply.params["parse_mode"] == "HTML"
    assert reply.text.startswith("&lt;b&gt;A &amp; B&lt;/b&gt; &lt;script&gt;")
    assert "<script>" not in reply.text and "<b>A" not in reply.text
    assert "&lt;b&gt;不存在&lt;/b&gt;" in unknown.text


async def test_strange_text_gets_a_clear_reply(bot: Application, api: FakeBotApi) -> None:
    emoji = await say(api, "😀😀🎉", 1012)
    assert plain(emoji) == t("bot.no_words")
    control = await say(api, "\x00\x07\u200b", 1012)
    assert plain(control) == t("bot.empty_text")
    huge = await say(api, "什麼是T2.2的行為指標" + "啊" * 5000, 1012)
    assert t("bot.truncated", limit=500) in plain(huge)
    location = await say(api, "", 1012, location={"latitude": 25.03, "longitude": 121.56})
    assert plain(location) == t("bot.unsupported_message")


async def test_admin_commands_are_refused_to_others(bot: Application, api: FakeBotApi) -> None:
    catalog_before = bot.bot_data["services"].catalog
    refused = await say(api, "/reload", 1013)
    assert plain(refused) == t("bot.admin_only")
    assert bot.bot_data["services"].catalog is catalog_before
    export = await say(api, "/team_export", 1013)
    assert plain(export) == t("bot.admin_only")
    assert not api.calls_of("sendDocument")

    reloaded = await say(api, "/reload", ADMIN_ID)
    assert "5" in plain(reloaded) and bot.bot_data["services"].catalog is not catalog_before


async def test_documents_from_admins_are_validated_and_loaded(bot: Application, api: FakeBotApi) -> None:
    services: Services = bot.bot_data["services"]
    refused = api.mark()
    api.push_document(1014, "new.txt", b"anything")
    assert plain((await api.wait_for("sendMessage", since=refused))[0]) == t("bot.upload_refused")

    mark = api.mark()
    api.push_document(ADMIN_ID, "壞掉的.txt", "只是一段文字\n沒有代碼\n".encode())
    rejected = await api.wait_for("sendMessage", since=mark, where=lambda c: "壞掉的.txt" in c.text)
    assert "第 1 行" in rejected[0].text
    assert services.catalog.get(CLOUD).source != "壞掉的.txt"

    mark = api.mark()
    content = next(SHIPPED_CORPUS.glob(f"{CLOUD}*")).read_bytes()
    api.push_document(ADMIN_ID, "cloud-upload.txt", content)
    accepted = await api.wait_for("sendMessage", since=mark, where=lambda c: "已加入" in c.text)
    assert CLOUD in accepted[0].text
    assert services.catalog.get(CLOUD).source == "cloud-upload.txt"
    assert (uploads_dir(services.settings) / "cloud-upload.txt").read_bytes() == content
    (uploads_dir(services.settings) / "cloud-upload.txt").unlink()
    services.reload()


async def test_the_token_never_reaches_logs(
    services: Services, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    class Exploding:
        def handle(self, incoming: Any) -> list[Reply]:
            raise RuntimeError(f"request to {api.base_url}{TOKEN}/sendMessage failed")

    caplog.set_level(logging.DEBUG)
    with swapped(services, engine=Exploding()):
        async with running(services):
            caplog.set_level(logging.DEBUG, logger="httpx")
            reply = await say(api, "你好", 1015)
    assert plain(reply) == t("bot.error")
    assert TOKEN not in caplog.text
    for record in caplog.records:
        assert TOKEN not in record.getMessage() and TOKEN not in (record.exc_text or "")
    assert "[REDACTED]" in caplog.text, "the URL with the token was logged, redacted"
    assert "RuntimeError" in caplog.text


async def test_webhook_mode_accepts_only_updates_with_the_secret(services: Services, api: FakeBotApi) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook/abc"
    settings = services.settings.model_copy(
        update={"webhook_url": url, "webhook_port": port, "webhook_secret": SecretStr("s3cret-value")}
    )
    stopped = asyncio.Event()
    running_bot = asyncio.create_task(serve(build_application(services), settings, stopped, signals=()))
    try:
        registered = (await api.wait_for("setWebhook"))[0]
        assert registered.params["url"] == url and registered.params["secret_token"] == "s3cret-value"
        update = {"update_id": 99_001, "message": api.push_message("/help", 1016)["message"]}
        async with httpx.AsyncClient() as client:
            forged = await client.post(url, json={**update, "update_id": 99_002})
            mark = api.mark()
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}
            accepted = await client.post(url, json=update, headers=headers)
        assert forged.status_code == 403 and accepted.status_code == 200
        assert "K01" in (await api.wait_for("sendMessage", since=mark))[0].text
    finally:
        stopped.set()
        await running_bot


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- documents as PDF, replaced uploads, odd names


EDGE_TEXT = SHIPPED_CORPUS.parent.parent / "tests" / "documents" / "TST9001-001v1_測試自動化工程人員.txt"


def _edge_pdf(tmp_path: Any) -> bytes:
    from benchmarks.render import read_layout, render_pdf

    return render_pdf(read_layout(EDGE_TEXT), tmp_path / "edge.pdf").read_bytes()


def _forget_uploads(services: Services) -> None:
    import shutil

    shutil.rmtree(uploads_dir(services.settings), ignore_errors=True)
    services.reload()


async def test_an_uploaded_pdf_makes_its_codes_answerable(bot: Application, api: FakeBotApi, tmp_path: Any) -> None:
    services: Services = bot.bot_data["services"]
    assert services.catalog.get("TST9001-001v1") is None
    mark = api.mark()
    api.push_document(ADMIN_ID, "測試自動化工程人員.pdf", _edge_pdf(tmp_path))
    accepted = await api.wait_for("sendMessage", since=mark, where=lambda c: "TST9001-001v1" in c.text)
    assert "已加入" in plain(accepted[0])
    try:
        answer = plain(await say(api, "TST9001-001v1 的 T2.2 行為指標", 1017))
        assert "P2.2.1" in answer and "P2.2.2" in answer and "P2.1.1" not in answer
        assert services.catalog.get("TST9001-001v1").source == "測試自動化工程人員.pdf"
    finally:
        _forget_uploads(services)


async def test_a_bad_pdf_upload_names_the_file_and_keeps_the_old_index(bot: Application, api: FakeBotApi) -> None:
    services: Services = bot.bot_data["services"]
    before = services.catalog
    mark = api.mark()
    api.push_document(ADMIN_ID, "scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<")
    rejected = await api.wait_for("sendMessage", since=mark, where=lambda c: "scan.pdf" in c.text)
    assert "原本的資料維持不變" in plain(rejected[0])
    assert services.catalog is before and not list(uploads_dir(services.settings).glob("scan*"))


async def test_a_newer_upload_of_a_code_replaces_the_older(bot: Application, api: FakeBotApi, tmp_path: Any) -> None:
    """Issue 14 #6: both used to say 已加入 and, after /reload, the file sorting last (the older here) won."""
    services: Services = bot.bot_data["services"]
    text = EDGE_TEXT.read_bytes()
    try:
        mark = api.mark()
        api.push_document(ADMIN_ID, "z-first.txt", text)
        await api.wait_for("sendMessage", since=mark, where=lambda c: "已加入" in c.text)
        mark = api.mark()
        api.push_document(ADMIN_ID, "a-second.pdf", _edge_pdf(tmp_path))
        second = await api.wait_for("sendMessage", since=mark, where=lambda c: "已加入" in c.text)
        assert "已取代 TST9001-001v1 的前一份上傳" in plain(second[0]) and "z-first.txt" in plain(second[0])
        assert services.catalog.get("TST9001-001v1").source == "a-second.pdf"
        await say(api, "/reload", ADMIN_ID)
        assert services.catalog.get("TST9001-001v1").source == "a-second.pdf"
        assert not [e for e in services.catalog.errors if "TST9001" in e.message]
    finally:
        _forget_uploads(services)


def test_two_uploads_of_a_code_left_in_the_folder_load_the_newer_and_report_the_older(services: Services) -> None:
    import os

    from bot.wiring import load_catalog

    folder = uploads_dir(services.settings)
    folder.mkdir(parents=True, exist_ok=True)
    older, newer = folder / "z-older.txt", folder / "a-newer.txt"
    older.write_bytes(EDGE_TEXT.read_bytes())
    newer.write_bytes(EDGE_TEXT.read_bytes().replace("測試自動化工程人員職能基準".encode(), "測試自動化工程人員職能基準".encode()))
    os.utime(older, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    try:
        catalog = load_catalog(SHIPPED_CORPUS, folder)
        assert catalog.get("TST9001-001v1").source == "a-newer.txt"
        assert [e.source for e in catalog.errors] == ["z-older.txt"]
        assert "a-newer.txt" in catalog.errors[0].message
    finally:
        _forget_uploads(services)


async def test_an_upload_with_a_very_long_name_is_kept(bot: Application, api: FakeBotApi) -> None:
    """Issue 14 #12: a name over 255 bytes lost the document behind a generic apology."""
    services: Services = bot.bot_data["services"]
    name = "測試自動化工程人員職能基準" * 12 + ".txt"
    assert len(name.encode()) > 255
    try:
        mark = api.mark()
        api.push_document(ADMIN_ID, name, EDGE_TEXT.read_bytes())
        reply = await api.wait_for("sendMessage", since=mark, where=lambda c: "TST9001-001v1" in c.text or "抱歉" in c.text)
        assert "已加入" in plain(reply[0])
        kept = services.catalog.get("TST9001-001v1").source
        assert len(kept.encode()) <= 255 and kept.endswith(".txt") and (uploads_dir(services.settings) / kept).exists()
    finally:
        _forget_uploads(services)


async def test_file_names_with_control_characters_are_shown_escaped(
    bot: Application, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 14 #12: a name with a newline or a terminal escape was printed raw."""
    caplog.set_level(logging.INFO)
    mark = api.mark()
    api.push_document(ADMIN_ID, "bad\nname\x1b[31m.txt", "只是一段文字\n".encode())
    reply = await api.wait_for("sendMessage", since=mark, where=lambda c: "原本的資料維持不變" in c.text)
    shown = plain(reply[0])
    assert "\x1b" not in shown and "bad\\nname\\x1b[31m" in shown
    for record in caplog.records:
        assert "\x1b" not in record.getMessage() and "bad\nname" not in record.getMessage()


async def test_a_conversation_over_telegram(bot: Application, api: FakeBotApi) -> None:
    """Follow-ups lean on what was just said, the chosen standard stays put, typed button labels press buttons."""
    chat = 1020
    choice = await say(api, "T2.2 的行為指標有哪些", chat_id=chat)
    mark = api.mark()
    api.push_callback(api.sent_message(choice), f"std:{CLOUD}")
    await api.wait_for("editMessageText", since=mark)
    follow = await say(api, "那 T2.3 呢", chat_id=chat)
    assert "P2.3.1" in follow.text and "P2.3.2" in follow.text and "K12" not in follow.text
    assert not any(b["callback_data"].startswith("std:") for b in follow.buttons)
    second = await say(api, "第二個呢", chat_id=chat)
    assert "P2.3.2" in second.text and "P2.3.1" not in second.text
    across = await say(api, "哪些職能基準有「溝通協調能力」這項技能？", chat_id=chat)
    assert "IIS3513-006v4" in across.text and CLOUD in across.text
    pinned = await say(api, "T2.1 的行為指標", chat_id=chat)
    assert "P2.1.1" in pinned.text and "IIS3513-006v4" not in pinned.text  # the focus did not move
    menu = await say(api, t("bot.button_assess"), chat_id=chat)  # a button's label, typed
    assert any(b["callback_data"].startswith("as:") for b in menu.buttons)
