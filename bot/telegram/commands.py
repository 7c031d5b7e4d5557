"""Slash commands: every user command goes through the engine."""

from __future__ import annotations

from telegram import Message, Update

from bot.engine import USER_COMMANDS
from bot.telegram.common import Context, incoming_from, respond

COMMANDS = USER_COMMANDS


def command_parts(message: Message) -> tuple[str, str, str]:
    """(command, bot username it is addressed to or "", arguments) of a '/command@bot args' message."""
    text = message.text or message.caption or ""
    head, *rest = text.strip().split(maxsplit=1) or [""]
    name, _, addressee = head.lstrip("/").partition("@")
    return name.lower(), addressee, rest[0].strip() if rest else ""


async def on_command(update: Update, context: Context) -> None:
    """Answer a known command (/start with its deep-link payload, /help, /use …)."""
    message = update.effective_message
    if message is None:
        return
    name, _addressee, args = command_parts(message)
    await respond(context, incoming_from(update, context, command=name, args=args))


async def on_unknown_command(update: Update, context: Context) -> None:
    """Tell the person a command addressed to this bot does not exist (other bots' commands are ignored)."""
    message = update.effective_message
    if message is None:
        return
    name, addressee, args = command_parts(message)
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return
    if not addressee and message.chat.type != "private":
        return
    await respond(context, incoming_from(update, context, command=name, args=args))
