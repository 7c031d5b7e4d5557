"""Delivering engine replies to Telegram: text (split), edits, photos, documents, typing, retries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from typing import TypeVar

from telegram import Bot, InputFile, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.replies import Reply
from bot.telegram.format import CAPTION_LIMIT, html_chunks, keyboard
from prompts import t

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 0.5
TYPING_DELAY_SECONDS = 0.4
TYPING_REFRESH_SECONDS = 4.0
NOT_MODIFIED = "message is not modified"

T = TypeVar("T")


async def with_retries(call: Callable[[], Awaitable[T]], attempts: int = SEND_ATTEMPTS) -> T:
    """Run a Bot API call again after a network error or a timeout (RetryAfter is the rate limiter's)."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as e:  # TimedOut is a NetworkError too
            if attempt == attempts:
                raise
            log.warning("Bot API call failed (%s), retry %d of %d", type(e).__name__, attempt, attempts - 1)
            await asyncio.sleep(RETRY_DELAY_SECONDS * attempt)
    raise AssertionError("unreachable")


@asynccontextmanager
async def typing(bot: Bot, chat_id: int, delay: float = TYPING_DELAY_SECONDS) -> AsyncIterator[None]:
    """Show 'typing…' in the chat while the block runs longer than `delay`.

    Most answers take milliseconds: announcing them would spend half of Telegram's 30 calls a
    second on chat actions, so the action is sent only when the work is noticeably slow.
    """

    async def keep_typing() -> None:
        await asyncio.sleep(delay)
        while True:
            with suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_REFRESH_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def deliver(bot: Bot, chat_id: int, replies: list[Reply], pressed: Message | None = None) -> None:
    """Send every reply in order; a reply marked `edit` replaces the message whose button was pressed."""
    for reply in replies:
        if reply.photo is not None:
            await _send_photo(bot, chat_id, reply)
        elif reply.document is not None:
            await _send_document(bot, chat_id, reply)
        elif reply.edit and pressed is not None:
            await _edit_text(bot, pressed, reply)
            pressed = None  # only the first reply replaces the message
        else:
            await _send_text(bot, chat_id, html_chunks(reply.text), reply)


async def _send_text(bot: Bot, chat_id: int, chunks: list[str], reply: Reply) -> None:
    markup = keyboard(reply.buttons)
    for number, chunk in enumerate(chunks, 1):
        last = number == len(chunks)
        await with_retries(
            lambda chunk=chunk, last=last: bot.send_message(
                chat_id, chunk, parse_mode=ParseMode.HTML, reply_markup=markup if last else None
            )
        )


async def _edit_text(bot: Bot, pressed: Message, reply: Reply) -> None:
    chunks = html_chunks(reply.text)
    if not chunks:
        return
    markup = keyboard(reply.buttons) if len(chunks) == 1 else None
    try:
        await with_retries(
            lambda: bot.edit_message_text(
                chunks[0],
                chat_id=pressed.chat_id,
                message_id=pressed.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        )
    except BadRequest as e:
        if NOT_MODIFIED not in str(e).lower():
            log.info("could not edit message (%s); sending a new one", e)
            await _send_text(bot, pressed.chat_id, chunks, reply)
        return
    if len(chunks) > 1:
        await _send_text(bot, pressed.chat_id, chunks[1:], reply)


async def _send_photo(bot: Bot, chat_id: int, reply: Reply) -> None:
    """The picture as a photo; one Telegram refuses (its size, its format) goes as a file instead, so the
    replies after it (a report's workbook) are still sent."""
    caption, rest = _caption(reply.text)
    markup = keyboard(reply.buttons) if not rest else None
    try:
        await with_retries(
            lambda: bot.send_photo(
                chat_id, photo=reply.photo, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        )
    except BadRequest as e:
        log.warning("photo refused (%s); sent as a file", e)
        assert reply.photo is not None
        as_file = replace(reply, photo=None, document=(t("bot.photo_file_name"), reply.photo))
        try:
            await _send_document(bot, chat_id, as_file)
        except BadRequest as again:
            log.warning("picture refused as a file too (%s); its caption sent alone", again)
            await _send_text(bot, chat_id, html_chunks(reply.text or t("bot.photo_refused")), reply)
        return
    if rest:
        await _send_text(bot, chat_id, rest, reply)


async def _send_document(bot: Bot, chat_id: int, reply: Reply) -> None:
    assert reply.document is not None
    name, content = reply.document
    caption, rest = _caption(reply.text)
    markup = keyboard(reply.buttons) if not rest else None
    await with_retries(
        lambda: bot.send_document(
            chat_id,
            document=InputFile(content, filename=name),
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    )
    if rest:
        await _send_text(bot, chat_id, rest, reply)


def _caption(text: str) -> tuple[str | None, list[str]]:
    """The text as a caption when it fits, else no caption and the text as messages after the file."""
    chunks = html_chunks(text)
    if not chunks:
        return None, []
    if len(chunks) == 1 and len(chunks[0]) <= CAPTION_LIMIT:
        return chunks[0], []
    return None, chunks
