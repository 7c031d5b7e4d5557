"""Before and after the handlers: answer each update once, and report failures without secrets.

A guard that fails (the database unreadable) apologises once and stops the update there: the
later handlers would fail the same way, and a person gets one apology per message, not three."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import NoReturn

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
    try:
        first_time = await asyncio.to_thread(services_of(context).db.mark_update, update.update_id)
    except Exception as e:
        await _give_up(update, context, e)
    if not first_time:
        log.info("update %s already handled; skipped", update.update_id)
        raise ApplicationHandlerStop


async def drop_flood(update: Update, context: Context) -> None:
    """Drop, before any Bot API call (typing, answering a button), what a person sends after their
    slow-down notice in the current window. The engine counts the messages; this only reads."""
    limiter = getattr(services_of(context).engine, "limiter", None)  # an engine without one never limits
    if limiter is None or update.effective_user is None:
        return
    try:
        silenced = await asyncio.to_thread(limiter.silenced, incoming_from(update, context))
    except Exception as e:
        await _give_up(update, context, e)
    if silenced:
        log.debug("update %s dropped: user over the rate limit", update.update_id)
        raise ApplicationHandlerStop


async def _give_up(update: Update, context: Context, error: Exception) -> NoReturn:
    """Log the failure, apologise once and let no later handler run for this update."""
    log.error("update %s failed before the handlers: %s", update.update_id, type(error).__name__, exc_info=error)
    await apologise(update, context)
    raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log the failure (the token is redacted by the logging filter) and tell the person briefly."""
    error = context.error
    log.error("update failed: %s", type(error).__name__, exc_info=error)
    if isinstance(update, Update):
        await apologise(update, context)


async def apologise(update: Update, context: Context) -> None:
    """One short apology in the update's chat (and the pressed button answered), if it has a chat."""
    if update.effective_chat is None:
        return
    if update.callback_query is not None:
        with suppress(TelegramError):
            await update.callback_query.answer()
    with suppress(TelegramError):
        await context.bot.send_message(update.effective_chat.id, escape(t("bot.error")))
