"""Inline mode: `@bot T2.2` or `@bot 需求規格書` from any chat lists matching items."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineQueryResultArticle, Update

from bot.engine import clean_text
from bot.telegram.common import Context, services_of
from bot.telegram.format import inline_result

log = logging.getLogger(__name__)

INLINE_RESULTS = 10
INLINE_CACHE_SECONDS = 60
MAX_INLINE_QUERY = 200


async def on_inline_query(update: Update, context: Context) -> None:
    """Answer an inline query with the items it finds (code and text; standard as description)."""
    query = update.inline_query
    if query is None:
        return
    text = clean_text(query.query)[:MAX_INLINE_QUERY]
    results = await asyncio.to_thread(lookup_results, context, text) if text else []
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False)


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
