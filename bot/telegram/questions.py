"""Free-text messages: questions (and assessment answers), with the group-chat rule."""

from __future__ import annotations

import re

from telegram import Bot, Message, MessageEntity, Update
from telegram.constants import ChatType

from bot.replies import Reply
from bot.telegram.common import Context, incoming_from, respond
from bot.telegram.send import deliver
from prompts import t


def is_addressed(message: Message, bot: Bot) -> bool:
    """Private chats always; groups only when the message mentions the bot or replies to it."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot.id:
        return True
    return bool(bot_mentions(message, bot))


def bot_mentions(message: Message, bot: Bot) -> list[MessageEntity]:
    """The entities of a message that mention this bot (by @username or as a text mention)."""
    username = f"@{bot.username}".lower() if bot.username else None
    found: list[MessageEntity] = []
    for entity, text in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        by_name = entity.type == MessageEntity.MENTION and username is not None and text.lower() == username
        by_user = entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot.id
        if by_name or by_user:
            found.append(entity)
    return found


def without_mentions(message: Message, bot: Bot) -> str:
    """The message text with the mentions of this bot taken out."""
    text = message.text or ""
    if not bot.username:
        return text
    mention = re.compile(rf"@{re.escape(bot.username)}(?![A-Za-z0-9_])", re.IGNORECASE)
    return mention.sub(" ", text).strip()


async def on_text(update: Update, context: Context) -> None:
    """Answer a question (or pass an assessment answer on); in groups only when addressed."""
    message = update.effective_message
    if message is None or not is_addressed(message, context.bot):
        return
    await respond(context, incoming_from(update, context, text=without_mentions(message, context.bot)))


async def on_other_message(update: Update, context: Context) -> None:
    """Say politely that only text is understood (stickers, voice, photos in a private chat)."""
    chat = update.effective_chat
    if chat is not None:
        await deliver(context.bot, chat.id, [Reply(t("bot.unsupported_message"))])
