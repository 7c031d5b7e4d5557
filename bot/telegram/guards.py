"""Before and after the handlers: answer each update once, and report failures without secrets."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.telegram.common import Context, incoming_from, services_of
from bot.telegram.format import escape
from prompts import t

log = logging.getLogger(__name__)


async def skip_repeated_update(update: Update, context: Context) -> None:
    """Stop an update that was already handled (a repeated delivery, or another process got it)."""
    if update.update_id is None:
        return
    first_time = await asyncio.to_thread(services_of(context).db.mark_update, update.update_id)
    if not first_time:
        log.info("update %s already handled; skipped", update.update_id)
        raise ApplicationHandlerStop


async def drop_flood(update: Update, context: Context) -> None:
    """Drop, before any Bot API call (typing, answering a button), what a person sends after their
    slow-down notice in the current window. The engine counts the messages; this only reads."""
    limiter = getattr(services_of(context).engine, "limiter", None)  # an engine without one never limits
    if limiter is None or update.effective_user is None:
        return
    if await asyncio.to_thread(limiter.silenced, incoming_from(update, context)):
        log.debug("update %s dropped: user over the rate limit", update.update_id)
        raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log the failure (the token is redacted by the logging filter) and tell the person briefly."""
    error = context.error
    log.error("update failed: %s", type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        with suppress(TelegramError):
            await update.callback_query.answer()
    with suppress(TelegramError):
        await context.bot.send_message(update.effective_chat.id, escape(t("bot.error")))
