"""Inline-keyboard presses: standard choices, menus, examples and assessment answers."""

from __future__ import annotations

from contextlib import suppress

from telegram import Message, Update
from telegram.error import BadRequest

from bot.telegram.common import Context, incoming_from, respond


async def on_button(update: Update, context: Context) -> None:
    """Acknowledge the press, then let the engine answer (editing the message in place when asked)."""
    query = update.callback_query
    if query is None:
        return
    with suppress(BadRequest):  # the query has expired (pressed long ago): answer anyway
        await query.answer()
    if not query.data:
        return
    pressed = query.message if isinstance(query.message, Message) else None
    await respond(context, incoming_from(update, context, button=query.data), pressed=pressed)
