"""Inline mode: `@bot T2.2` or `@bot 需求規格書` from any chat lists matching items.

Inline queries count in the same per-person rate limit as messages (Telegram sends one per
keystroke, and a script can send thousands), and the answer to a query text is cached until the
corpus changes, so a repeated query costs no search.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict

from telegram import InlineQueryResultArticle, InlineQueryResultsButton, Update

from bot.telegram.common import Context, incoming_from, services_of
from bot.telegram.format import inline_result
from index.text import clean_message
from prompts import t

log = logging.getLogger(__name__)

INLINE_RESULTS = 10
INLINE_CACHE_SECONDS = 60
MAX_INLINE_QUERY = 200
CACHED_QUERIES = 512
CACHE_KEY = "inline_cache"
SLOW_DOWN_START = "help"  # the deep link of the slow-down button opens the help


class InlineCache:
    """The results of the last CACHED_QUERIES query texts, for one corpus (a reload empties it)."""

    def __init__(self, size: int = CACHED_QUERIES) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._corpus: object = None
        self._results: OrderedDict[str, list[InlineQueryResultArticle]] = OrderedDict()

    def get(self, corpus: object, text: str) -> list[InlineQueryResultArticle] | None:
        with self._lock:
            if corpus is not self._corpus:
                self._corpus, self._results = corpus, OrderedDict()
            found = self._results.get(text)
            if found is not None:
                self._results.move_to_end(text)
            return found

    def put(self, corpus: object, text: str, results: list[InlineQueryResultArticle]) -> None:
        with self._lock:
            if corpus is self._corpus:
                self._results[text] = results
                while len(self._results) > self.size:
                    self._results.popitem(last=False)


async def on_inline_query(update: Update, context: Context) -> None:
    """Answer an inline query with the items it finds (code and text; standard as description)."""
    query = update.inline_query
    if query is None:
        return
    text = clean_message(query.query)[:MAX_INLINE_QUERY]
    held = await asyncio.to_thread(_rate_check, context, update, text)
    if held == []:  # over the limit, already told: nothing, not even a Bot API call
        return
    if held:
        button = InlineQueryResultsButton(text=t("bot.slow_down_inline"), start_parameter=SLOW_DOWN_START)
        await query.answer([], cache_time=0, is_personal=True, button=button)
        return
    results = await asyncio.to_thread(cached_results, context, text) if text else []
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False)


def _rate_check(context: Context, update: Update, text: str) -> list[object] | None:
    """None when the query may be answered; else what the limiter says instead (a notice, or nothing)."""
    limiter = getattr(services_of(context).engine, "limiter", None)  # an engine without one never limits
    return limiter.check(incoming_from(update, context, text=text)) if limiter else None


def cached_results(context: Context, text: str) -> list[InlineQueryResultArticle]:
    """The results for a query text, from the cache when this corpus answered it before."""
    cache: InlineCache = context.application.bot_data.setdefault(CACHE_KEY, InlineCache())
    corpus = services_of(context).catalog
    found = cache.get(corpus, text)
    if found is None:
        found = lookup_results(context, text)
        cache.put(corpus, text, found)
    return found


def lookup_results(context: Context, text: str) -> list[InlineQueryResultArticle]:
    """Inline results for a query; an empty list when the lookup fails."""
    services = services_of(context)
    try:
        citations = services.assistant.lookup(text, limit=INLINE_RESULTS)
    except Exception:
        log.exception("inline lookup failed (%d chars)", len(text))
        return []
    results = []
    for index, citation in enumerate(citations[:INLINE_RESULTS]):
        doc = services.catalog.get(citation.standard)
        results.append(inline_result(index, citation, doc.title if doc else ""))
    return results
