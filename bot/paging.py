"""Long replies in pages: a few messages each, the rest behind a 「下一頁」 button.

Every reply the engine gives passes through `Pager.fit`. A reply whose text needs more than
MAX_MESSAGES messages on the front (Telegram tells how it counts: its HTML chunks of 4096
characters), or whose keyboard holds more than MAX_BUTTONS buttons (Telegram's limit), is cut
into pages kept in the database, so the button works after a restart and in another process.
The button data is `pg:<pages id>:<page number>` (bot/callbacks.py: Page); a page is shown only in
the chat it was made for, and only while the documents it was drawn from are unchanged (each kept
page set remembers their content hashes; a document removed or replaced since makes its pages outdated).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from itertools import zip_longest

from bot import callbacks as cb
from bot.replies import Button, Incoming, Reply
from bot.store import Database
from prompts import t

MAX_MESSAGES = 3  # messages per reply (and per page)
MAX_BUTTONS = 100  # buttons per keyboard (Telegram's limit)
PAGE_BUTTONS = MAX_BUTTONS - 1  # a page's own buttons, with room for 下一頁
PLAIN_MESSAGE_CHARS = 4000  # a front that does not say how it counts: this many characters a message
LONG_LINE_CHARS = 1000  # longer lines are cut before paging, so a page ends near its budget

MessageCount = Callable[[str], int]
Versions = Callable[[], Mapping[str, str]]  # standard code -> the content hash of its document now
Rows = list[list[Button]]


def plain_message_count(text: str) -> int:
    return max(1, math.ceil(len(text) / PLAIN_MESSAGE_CHARS))


class Pager:
    def __init__(self, db: Database, message_count: MessageCount = plain_message_count,
                 versions: Versions | None = None) -> None:
        self.db = db
        self.message_count = message_count  # set by a front that knows its message sizes
        self.versions = versions  # set by the engine: the documents as they are now

    # ------------------------------------------------------------ cutting
    def fit(self, replies: list[Reply], incoming: Incoming) -> list[Reply]:
        """The replies, each long one replaced by its first page (with the 下一頁 button)."""
        return [self._fit(reply, incoming) for reply in replies]

    def _fit(self, reply: Reply, incoming: Incoming) -> Reply:
        if reply.photo is not None or reply.document is not None or reply.chat_id is not None:
            return reply
        texts = self.text_pages(reply.text)
        rows = button_pages(reply.buttons)
        if len(texts) <= 1 and len(rows) <= 1:
            return reply
        pages = [
            {"text": text or t("bot.page_more_choices"), "buttons": [[[b.label, b.data] for b in row] for row in page]}
            for text, page in zip_longest(texts, rows, fillvalue=[])
        ]
        if reply.sources and self.versions is not None:
            now = self.versions()
            pages[0]["sources"] = {code: now[code] for code in reply.sources if code in now}
        pages_id = self.db.save_pages(incoming.chat_id, incoming.user_id, pages)
        first = self._page_reply(pages_id, pages, 0)
        first.edit = reply.edit
        first.answer = reply.answer
        return first

    def text_pages(self, text: str) -> list[str]:
        """The text cut at line breaks into pieces of at most MAX_MESSAGES messages each."""
        if self.message_count(text) <= MAX_MESSAGES:
            return [text]
        lines = _short_lines(text)
        pages: list[str] = []
        while lines:
            count = self._lines_that_fit(lines)
            pages.append("\n".join(lines[:count]))
            lines = lines[count:]
        return pages or [text]

    def _lines_that_fit(self, lines: list[str]) -> int:
        """How many of the first lines make one page (a binary search: the count grows with the text)."""
        low, high = 1, len(lines)
        while low < high:
            middle = (low + high + 1) // 2
            if self.message_count("\n".join(lines[:middle])) <= MAX_MESSAGES:
                low = middle
            else:
                high = middle - 1
        return low

    # ------------------------------------------------------------ turning pages
    def page(self, incoming: Incoming, data: cb.Page) -> list[Reply]:
        """The page a 下一頁 button asks for, in the chat it was made for."""
        pages = self.db.get_pages(data.pages, incoming.chat_id)
        if pages is None or data.number >= len(pages):
            return [Reply(t("bot.page_gone"))]
        if self._outdated(pages[0].get("sources") or {}):
            return [Reply(t("bot.page_outdated"))]
        return [self._page_reply(data.pages, pages, data.number)]

    def _outdated(self, sources: Mapping[str, str]) -> bool:
        """True when a document the pages were drawn from has been removed or changed since."""
        if not sources or self.versions is None:
            return False
        now = self.versions()
        return any(now.get(code) != digest for code, digest in sources.items())

    def _page_reply(self, pages_id: int, pages: list[dict], number: int) -> Reply:  # type: ignore[type-arg]
        page = pages[number]
        rows = [[Button(label, data) for label, data in row] for row in page["buttons"]]
        if number + 1 < len(pages):
            label = t("bot.next_page", page=number + 2, pages=len(pages))
            rows.append([Button(label, cb.Page(pages_id, number + 1).encode())])
        return Reply(page["text"], rows)


def button_pages(rows: Rows) -> list[Rows]:
    """The keyboard's rows in pages of at most PAGE_BUTTONS buttons (all in one page when they fit)."""
    rows = [row for row in rows if row]
    if sum(len(row) for row in rows) <= MAX_BUTTONS:
        return [rows] if rows else []
    pages: list[Rows] = [[]]
    for row in rows:
        for start in range(0, len(row), PAGE_BUTTONS):  # a row wider than a page is cut too
            part = row[start : start + PAGE_BUTTONS]
            if sum(len(r) for r in pages[-1]) + len(part) > PAGE_BUTTONS:
                pages.append([])
            pages[-1].append(part)
    return pages


def _short_lines(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.split("\n"):
        lines += [line[i : i + LONG_LINE_CHARS] for i in range(0, len(line), LONG_LINE_CHARS)] or [""]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines
