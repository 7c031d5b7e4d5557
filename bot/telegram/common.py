"""What every handler shares: the services, turning an update into an Incoming, running the engine."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.replies import Incoming, Reply
from bot.services import Services
from bot.telegram.send import deliver, typing

log = logging.getLogger(__name__)
SERVICES_KEY = "services"

Context = ContextTypes.DEFAULT_TYPE


def services_of(context: Context) -> Services:
    return context.application.bot_data[SERVICES_KEY]


def is_admin(context: Context, user_id: int | None) -> bool:
    return user_id is not None and user_id in services_of(context).settings.admin_ids


def incoming_from(update: Update, context: Context, **fields: Any) -> Incoming:
    """An Incoming for this update's chat and user, with the given text, command or button.

    A message sent on behalf of a chat (`sender_chat`: an anonymous group admin, whom Telegram sends as user
    1087968824 for every group, or a channel) is keyed by that chat and marked anonymous: it is no one person."""
    user = update.effective_user
    chat = update.effective_chat
    sender = update.message.sender_chat if update.message is not None else None
    in_group = chat is not None and chat.type != ChatType.PRIVATE
    if sender is not None:
        return Incoming(chat_id=chat.id if chat else sender.id, user_id=sender.id, user_name=sender.title or "",
                        bot_username=context.bot.username or "", in_group=in_group, anonymous=True, **fields)
    user_id = user.id if user else 0
    return Incoming(
        chat_id=chat.id if chat else user_id,
        user_id=user_id,
        user_name=user.first_name if user else "",
        is_admin=is_admin(context, user_id if user else None),
        bot_username=context.bot.username or "",
        in_group=in_group,
        **fields,
    )


async def run_engine(context: Context, incoming: Incoming) -> list[Reply]:
    """The engine's replies, computed in a worker thread so the event loop stays free."""
    return await asyncio.to_thread(services_of(context).engine.handle, incoming)


async def respond(context: Context, incoming: Incoming, pressed: Message | None = None) -> None:
    """Show 'typing…', ask the engine and deliver its replies to the chat."""
    async with typing(context.bot, incoming.chat_id):
        replies = await run_engine(context, incoming)
    await deliver(context.bot, incoming.chat_id, [r for r in replies if r.chat_id is None], pressed=pressed)
    for notice in (r for r in replies if r.chat_id is not None):
        try:
            await deliver(context.bot, notice.chat_id, [notice])  # type: ignore[arg-type]
        except TelegramError as e:  # the other person blocked the bot or never opened it: theirs to miss
            log.warning("notice to chat %s not delivered: %s", notice.chat_id, type(e).__name__)
