"""A fake Telegram Bot API server on 127.0.0.1, run inside the test's event loop (aiohttp).

It implements what the bot uses (getMe, getUpdates with long polling, sendMessage,
editMessageText, answerCallbackQuery, answerInlineQuery, setMyCommands, sendChatAction,
sendPhoto, sendDocument, getFile and file downloads, deleteWebhook, getWebhookInfo,
setWebhook, close, logOut), records every call, lets a test act as a person (messages, button
presses, inline queries, documents) and injects faults (429 with retry_after, 500s, delays, a
connection closed without an answer). Like Telegram, it refuses (400) an HTML text that does not
parse (an unknown tag, an unclosed tag, a bare "<" or "&") or that is longer than 4096 characters,
an inline keyboard of more than 100 buttons, more than 8 in a row, or callback data over 64 bytes, and a
photo whose width + height is over 10,000 or whose sides differ more than 20 times (PHOTO_INVALID_DIMENSIONS).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import struct
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 777000111
BOT_USERNAME = "competency_test_bot"
JSON_FIELDS = ("reply_markup", "commands", "results", "scope", "entities", "allowed_updates", "link_preview_options",
               "button")
CLIENT_GONE = 499  # status of a call whose client hung up before the answer (nothing was done)
RESET = 0  # status of a call answered by closing the connection (nothing was done)
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
KEYBOARD_BUTTONS = 100  # buttons in one inline keyboard
ROW_BUTTONS = 8  # buttons in one row
CALLBACK_BYTES = 64
PHOTO_SIDES_SUM = 10_000  # sendPhoto: width + height at most this
PHOTO_RATIO = 20  # sendPhoto: one side at most this many times the other
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji",
             "code", "pre", "blockquote"}
_HTML_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>|<|&(?:lt|gt|amp|quot|#\d+|#x[0-9A-Fa-f]+);|&")

# Telegram update ids grow for a bot's whole life: shared by every server in this process so
# that a database of handled updates is never confused between tests.
_update_ids = itertools.count(10_000)
_file_ids = itertools.count(1)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Fault:
    status: int = 200
    retry_after: int | None = None
    delay: float = 0.0
    reset: bool = False  # close the connection without answering


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, message id) -> message
        self.files: dict[str, bytes] = {}
        self.chat_types: dict[int, str] = {}
        self._pending: list[dict[str, Any]] = []  # updates not yet confirmed by an offset
        self._delivered: set[int] = set()  # ids of pending entries already handed out
        self._new_update = asyncio.Event()
        self._faults: dict[str, list[Fault]] = {}
        self._message_ids = itertools.count(500)
        self._runner: web.AppRunner | None = None
        self.port = 0
        # called with (call, result) after every method the bot calls: how a benchmark watches the replies
        self.listeners: list[Callable[[Call, Any], None]] = []
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "職能基準小幫手",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        # a long poll whose client went away must not swallow updates: cancel its handler
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------ acting as a person
    def push_update(self, update: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
        """Queue an update (a repeated delivery when update_id is one already used)."""
        update = {"update_id": update_id if update_id is not None else next(_update_ids), **update}
        self._pending.append(update)
        self._new_update.set()
        return update

    def push_message(
        self,
        text: str,
        chat_id: int,
        user_id: int | None = None,
        chat_type: str = "private",
        reply_to: dict[str, Any] | None = None,
        first_name: str = "小明",
        **extra: Any,
    ) -> dict[str, Any]:
        user_id = user_id if user_id is not None else chat_id
        self.chat_types[chat_id] = chat_type
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": {"id": user_id, "is_bot": False, "first_name": first_name},
            **extra,
        }
        if text:
            message["text"] = text
            entities = _entities(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.push_update({"message": message})

    def push_document(self, chat_id: int, file_name: str, content: bytes, user_id: int | None = None) -> dict[str, Any]:
        file_id = f"doc{next(_file_ids)}"
        self.files[file_id] = content
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "file_size": len(content),
        }
        return self.push_message("", chat_id, user_id, document=document)

    def push_callback(self, message: dict[str, Any], data: str, user_id: int | None = None,
                      first_name: str = "小明") -> dict[str, Any]:
        """Press a button of a message the bot sent (as returned by sent_message)."""
        chat_id = message["chat"]["id"]
        user_id = user_id if user_id is not None else chat_id
        query = {
            "id": f"cq{next(_update_ids)}",
            "from": {"id": user_id, "is_bot": False, "first_name": first_name},
            "chat_instance": f"ci{chat_id}",
            "message": message,
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def push_inline_query(self, query: str, user_id: int) -> dict[str, Any]:
        inline = {
            "id": f"iq{next(_update_ids)}",
            "from": {"id": user_id, "is_bot": False, "first_name": "小明"},
            "query": query,
            "offset": "",
        }
        return self.push_update({"inline_query": inline})

    # ------------------------------------------------------------ faults
    def fail_next(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        self._faults.setdefault(method, []).extend(Fault(status, retry_after) for _ in range(times))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        self._faults.setdefault(method, []).extend(Fault(delay=seconds) for _ in range(times))

    def reset_next(self, method: str, times: int = 1) -> None:
        """Close the connection of the next calls without answering (the call is not carried out)."""
        self._faults.setdefault(method, []).extend(Fault(reset=True) for _ in range(times))

    # ------------------------------------------------------------ reading what the bot did
    def mark(self) -> int:
        return len(self.calls)

    def calls_of(self, method: str, since: int = 0, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method and (c.ok or not ok_only)]

    async def wait_for(
        self,
        method: str,
        since: int = 0,
        count: int = 1,
        where: Callable[[Call], bool] | None = None,
        timeout: float = 15.0,
    ) -> list[Call]:
        """The first `count` successful calls of a method after `since` (that match `where`)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_of(method, since) if where is None or where(c)]
            if len(found) >= count:
                return found[:count]
            if time.monotonic() > deadline:
                seen = [(c.method, c.status, c.text[:60]) for c in self.calls[since:]]
                raise AssertionError(f"timed out waiting for {count} x {method}; calls since: {seen}")
            await asyncio.sleep(0.01)

    def sent_message(self, call: Call) -> dict[str, Any]:
        """The message object the bot created (or edited) with this call."""
        chat_id = int(call.params["chat_id"])
        message_id = call.params.get("message_id") or call.params["_message_id"]
        return self.messages[(chat_id, int(message_id))]

    # ------------------------------------------------------------ HTTP
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _read_params(request)
        call = Call(method, params, files)
        self.calls.append(call)
        try:
            return await self._answer(request, call)
        except asyncio.CancelledError:  # the client hung up (a timeout on its side): nothing was done
            if call.status == 200:
                call.status = CLIENT_GONE
            raise

    async def _answer(self, request: web.Request, call: Call) -> web.Response:
        method = call.method
        fault = self._next_fault(method)
        if fault and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault and fault.reset:
            call.status = RESET
            assert request.transport is not None
            request.transport.abort()
            await asyncio.sleep(60)  # the handler is cancelled as the connection goes
        if fault and fault.status != 200:
            call.status = fault.status
            return _fault_response(fault)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            call.status = 404
            return _error(404, "Not Found: method not found")
        problem = _html_problem(call) or keyboard_problem(call.params.get("reply_markup")) or photo_problem(call)
        if problem:
            call.status = 400
            return _error(400, f"Bad Request: {problem}")
        result = await handler(call)
        if request.transport is None or request.transport.is_closing():
            self._undeliver(result)
        for listener in self.listeners:
            listener(call, result)
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    def _next_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        return queue.pop(0) if queue else None

    def _chat(self, chat_id: int) -> dict[str, Any]:
        chat_type = self.chat_types.get(chat_id, "private")
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "小明"
        else:
            chat["title"] = "測試群組"
        return chat

    def _store(self, call: Call, **content: Any) -> dict[str, Any]:
        chat_id = int(call.params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot_user,
            **content,
        }
        if call.params.get("reply_markup"):
            message["reply_markup"] = call.params["reply_markup"]
        call.params["_message_id"] = message["message_id"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    # ------------------------------------------------------------ methods
    async def _m_getMe(self, call: Call) -> Any:
        return self.bot_user

    async def _m_getUpdates(self, call: Call) -> Any:
        offset = int(call.params.get("offset") or 0)
        timeout = float(call.params.get("timeout") or 0)
        self._confirm(offset)
        if not self._ready():
            self._new_update.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout=timeout)
        ready = self._ready()
        self._delivered.update(id(u) for u in ready)
        return ready

    def _confirm(self, offset: int) -> None:
        """Forget delivered updates the bot confirmed (ids below the offset)."""
        if offset:
            gone = [u for u in self._pending if id(u) in self._delivered and u["update_id"] < offset]
            self._pending = [u for u in self._pending if all(u is not g for g in gone)]
            # forget their object ids too: a later update may be allocated at the same address
            self._delivered.difference_update(id(u) for u in gone)

    def _undeliver(self, result: Any) -> None:
        """Updates handed to a client that has gone are handed out again."""
        if isinstance(result, list):
            self._delivered.difference_update(id(u) for u in result)

    def _ready(self) -> list[dict[str, Any]]:
        return [u for u in self._pending if id(u) not in self._delivered]

    async def _m_sendMessage(self, call: Call) -> Any:
        return self._store(call, text=call.params["text"])

    async def _m_editMessageText(self, call: Call) -> Any:
        key = (int(call.params["chat_id"]), int(call.params["message_id"]))
        message = self.messages[key]
        message["text"] = call.params["text"]
        message["edit_date"] = int(time.time())
        if call.params.get("reply_markup"):
            message["reply_markup"] = call.params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        return message

    async def _m_sendPhoto(self, call: Call) -> Any:
        photo = [{"file_id": f"ph{next(_file_ids)}", "file_unique_id": "p", "width": 800, "height": 600}]
        return self._store(call, photo=photo, caption=call.params.get("caption"))

    async def _m_sendDocument(self, call: Call) -> Any:
        name, _content = call.files.get("document", ("file", b""))
        document = {"file_id": f"d{next(_file_ids)}", "file_unique_id": "d", "file_name": name}
        return self._store(call, document=document, caption=call.params.get("caption"))

    async def _m_getFile(self, call: Call) -> Any:
        file_id = call.params["file_id"]
        size = len(self.files.get(file_id, b""))
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": size,
            "file_path": f"documents/{file_id}",
        }

    async def _m_answerCallbackQuery(self, call: Call) -> Any:
        return True

    async def _m_answerInlineQuery(self, call: Call) -> Any:
        return True

    async def _m_setMyCommands(self, call: Call) -> Any:
        return True

    async def _m_sendChatAction(self, call: Call) -> Any:
        return True

    async def _m_setWebhook(self, call: Call) -> Any:
        return True

    async def _m_deleteWebhook(self, call: Call) -> Any:
        return True

    async def _m_getWebhookInfo(self, call: Call) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._pending)}

    async def _m_close(self, call: Call) -> Any:
        return True

    async def _m_logOut(self, call: Call) -> Any:
        return True


def _entities(text: str) -> list[dict[str, Any]]:
    """bot_command and mention entities, as Telegram computes them (offsets in UTF-16 units)."""
    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16(command.group())})
    for mention in re.finditer(r"@[A-Za-z0-9_]{3,}", text):
        if command and mention.start() < command.end():
            continue
        entities.append(
            {"type": "mention", "offset": _utf16(text[: mention.start()]), "length": _utf16(mention.group())}
        )
    return entities


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, files
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, value.file.read())
            else:
                params[key] = value
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params, files


def _html_problem(call: Call) -> str | None:
    """Why Telegram would refuse this call's HTML text or caption (None when it would not)."""
    texts: list[tuple[str, int]] = []
    if call.params.get("parse_mode") == "HTML":
        if "text" in call.params:
            texts.append((str(call.params["text"]), TEXT_LIMIT))
        if call.params.get("caption"):
            texts.append((str(call.params["caption"]), CAPTION_LIMIT))
    for result in call.params.get("results") or []:
        content = result.get("input_message_content") or {}
        if content.get("parse_mode") == "HTML":
            texts.append((str(content.get("message_text", "")), TEXT_LIMIT))
    for text, limit in texts:
        problem = html_problem(text, limit)
        if problem:
            return problem
    return None


def html_problem(text: str, limit: int = TEXT_LIMIT) -> str | None:
    """What is wrong with a text in Telegram's HTML parse mode, or None."""
    open_tags: list[str] = []
    shown = 0
    position = 0
    for token in _HTML_TOKEN.finditer(text):
        shown += token.start() - position
        position = token.end()
        closing, tag = token.group(1), (token.group(2) or "").lower()
        if token.group() in ("<", "&"):
            return f"can't parse entities: bare {token.group()!r} at byte offset {token.start()}"
        if not tag:
            shown += 1  # an entity stands for one character
        elif tag not in HTML_TAGS:
            return f"can't parse entities: unsupported start tag \"{tag}\" at byte offset {token.start()}"
        elif not closing:
            open_tags.append(tag)
        elif not open_tags or open_tags.pop() != tag:
            return f"can't parse entities: unmatched end tag \"{tag}\" at byte offset {token.start()}"
    shown += len(text) - position
    if open_tags:
        return f"can't parse entities: can't find end tag corresponding to start tag \"{open_tags[-1]}\""
    if not text.strip():
        return "message text is empty"
    if shown > limit:
        return "message is too long"
    return None


def keyboard_problem(markup: Any) -> str | None:
    """Why Telegram would refuse this inline keyboard (None when it would not)."""
    rows = (markup or {}).get("inline_keyboard") or [] if isinstance(markup, dict) else []
    if sum(len(row) for row in rows) > KEYBOARD_BUTTONS:
        return "reply markup is too long"
    if any(len(row) > ROW_BUTTONS for row in rows):
        return "too many buttons in a row"
    if any(len(str(b.get("callback_data", "")).encode()) > CALLBACK_BYTES for row in rows for b in row):
        return "BUTTON_DATA_INVALID"
    return None


def photo_problem(call: Call) -> str | None:
    """Why Telegram would refuse this sendPhoto's picture: width + height over 10,000 or a side more than 20
    times the other (a PNG's size is read from its header; other pictures pass)."""
    if call.method != "sendPhoto":
        return None
    content = call.files.get("photo", ("", b""))[1]
    if not content.startswith(PNG_SIGNATURE) or content[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", content[16:24])
    if width + height > PHOTO_SIDES_SUM or max(width, height) > PHOTO_RATIO * max(1, min(width, height)):
        return "PHOTO_INVALID_DIMENSIONS"
    return None


def _error(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": status, "description": description}, status=status)


def _fault_response(fault: Fault) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": "Injected fault"}
    if fault.retry_after is not None:
        body["description"] = f"Too Many Requests: retry after {fault.retry_after}"
        body["parameters"] = {"retry_after": fault.retry_after}
    return web.json_response(body, status=fault.status)


# ---------------------------------------------------------------- harness for the Application under test
@asynccontextmanager
async def running(services: Any) -> AsyncIterator[Any]:
    """Start the real Application as run_polling does (initialize, post_init, polling), then stop it."""
    from bot.telegram.app import build_application

    app = build_application(services)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1, drop_pending_updates=False)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def aimed(settings: Any, api: FakeBotApi) -> Any:
    """The settings with the bot's Bot API addresses pointing at this fake server."""
    return settings.model_copy(update={"telegram_base_url": api.base_url, "telegram_base_file_url": api.base_file_url})
