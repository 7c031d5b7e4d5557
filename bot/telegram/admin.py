"""Admin-only actions: /reload, /team_export and new standard documents sent as files."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatType

from bot.replies import Reply
from bot.telegram.common import Context, incoming_from, is_admin, respond, services_of
from bot.telegram.send import deliver, typing
from index.names import printable
from index.parse import MAX_BYTES, ParseError
from prompts import t

log = logging.getLogger(__name__)


async def on_admin_command(update: Update, context: Context) -> None:
    """Run /reload or /team_export for an admin; the engine refuses everyone else politely."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    name = message.text.split(maxsplit=1)[0].lstrip("/").split("@")[0].lower()
    await respond(context, incoming_from(update, context, command=name))


async def on_document(update: Update, context: Context) -> None:
    """Validate a document sent by an admin and add it to the corpus; refuse anyone else."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.document is None or message.chat.type != ChatType.PRIVATE:
        return
    if not is_admin(context, user.id if user else None):
        await deliver(context.bot, message.chat_id, [Reply(t("bot.upload_refused"))])
        return
    document = message.document
    too_large = Reply(t("bot.upload_too_large", limit=MAX_BYTES // 1_000_000))
    if document.file_size and document.file_size > MAX_BYTES:  # refused before a byte is downloaded
        await deliver(context.bot, message.chat_id, [too_large])
        return
    async with typing(context.bot, message.chat_id):
        file = await context.bot.get_file(document.file_id)
        if file.file_size and file.file_size > MAX_BYTES:
            reply = too_large
        else:
            content = bytes(await file.download_as_bytearray())
            reply = too_large if len(content) > MAX_BYTES else await asyncio.to_thread(
                install_document, context, document.file_name or "", content)
    await deliver(context.bot, message.chat_id, [reply])


def install_document(context: Context, file_name: str, content: bytes) -> Reply:
    """Add the document through the services; a parse error names the file and line (or page), old index kept."""
    try:
        return Reply(services_of(context).add_document(file_name, content))
    except ParseError as e:
        log.info("admin upload rejected: %s", e)
        name = printable(file_name or e.source)
        if e.page:
            return Reply(t("bot.upload_invalid_page", file=name, page=e.page, message=e.message))
        if e.line:
            return Reply(t("bot.upload_invalid", file=name, line=e.line, message=e.message))
        return Reply(t("bot.upload_invalid_no_line", file=name, message=e.message))
