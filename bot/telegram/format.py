"""Pure formatting for Telegram: HTML escaping, message splitting, keyboards, inline results."""

from __future__ import annotations

import hashlib
import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode

from bot.replies import Button
from index import codes
from prompts import t
from retrieval.types import Citation

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
KEYBOARD_LIMIT = 100  # buttons in one inline keyboard
ROW_LIMIT = 8  # buttons in one row of it
CAPTION_LIMIT = 1024
INLINE_TITLE_LIMIT = 120
INLINE_DESCRIPTION_LIMIT = 200
# Item codes as printed (T2.2, P2.2.1, O2.2.1, K01, S01, A01): shown in bold.
_CODE = codes.ITEM_IN_TEXT


def escape(text: str) -> str:
    """Escape a dynamic text for HTML parse mode."""
    return html.escape(text, quote=False)


def to_html(text: str) -> str:
    """Escaped text with item codes in bold (the tags never span a line)."""
    return _CODE.sub(r"<b>\1</b>", escape(text))


def split_lines(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at line breaks where possible, in order."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


def html_chunks(text: str, limit: int = MESSAGE_LIMIT, piece_limit: int | None = None) -> list[str]:
    """The text as HTML messages, each at most `limit` characters, in order."""
    chunks: list[str] = []
    for piece in split_lines(text, piece_limit or limit):
        rendered = to_html(piece)
        if len(rendered) <= limit:
            chunks.append(rendered)
        else:  # escaping made it longer: cut the plain text finer
            chunks.extend(html_chunks(piece, limit, max(1, len(piece) // 2)))
    return chunks


def message_count(text: str) -> int:
    """How many Telegram messages a reply text becomes (what the engine's pager counts)."""
    return max(1, len(html_chunks(text)))


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard for button rows within Telegram's limits, or None when there is none.

    The engine pages a reply with too many buttons; this is the last guard: rows wider than
    ROW_LIMIT are wrapped, and buttons past KEYBOARD_LIMIT are left out (with a warning)."""
    rows = [row[i : i + ROW_LIMIT] for row in rows if row for i in range(0, len(row), ROW_LIMIT)]
    if not rows:
        return None
    kept: list[list[Button]] = []
    room = KEYBOARD_LIMIT
    for row in rows:
        if room <= 0:
            break
        kept.append(row[:room])
        room -= len(kept[-1])
    if sum(map(len, rows)) > KEYBOARD_LIMIT:
        log.warning("a keyboard of %d buttons cut to %d (Telegram's limit)", sum(map(len, rows)), KEYBOARD_LIMIT)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_clip(b.label, 64), callback_data=b.data) for b in row] for row in kept]
    )


def inline_result(index: int, citation: Citation, standard_title: str) -> InlineQueryResultArticle:
    """One inline-mode result: the item (code and text), with its standard as the description."""
    key = hashlib.sha1(f"{citation.standard}|{citation.code}|{citation.text}".encode()).hexdigest()[:24]
    message = t(
        "bot.inline_message",
        standard=citation.standard,
        standard_title=standard_title,
        code=citation.code,
        text=citation.text,
    )
    return InlineQueryResultArticle(
        id=f"{index}-{key}",
        title=_clip(f"{citation.code} {citation.text}", INLINE_TITLE_LIMIT),
        description=_clip(
            t("bot.inline_description", standard=citation.standard, title=standard_title), INLINE_DESCRIPTION_LIMIT
        ),
        input_message_content=InputTextMessageContent(
            to_html(_clip(message, MESSAGE_LIMIT // 2)), parse_mode=ParseMode.HTML
        ),
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
