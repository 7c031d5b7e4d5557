"""Updates of different chats run concurrently; the updates of one chat run in the order they came.

A chat's updates wait for their turn holding nothing but memory: the slots of the updates
actually running (MAX_CONCURRENT_UPDATES) are taken only once an update's turn has come, so
one person's flood waiting behind their own lock never keeps another person's message out.
A person may have at most `max_queued_per_person` updates waiting or running; beyond that their
updates are dropped unseen (the rate limit would have dropped them anyway).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 16  # updates running at once (handlers, Bot API calls)
MAX_HELD_UPDATES = 1024  # updates waiting or running at once, everyone together (python-telegram-bot's limit)
MAX_QUEUED_PER_PERSON = 64  # updates of one person waiting or running


class PerChatOrder(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        max_queued_per_person: int = MAX_QUEUED_PER_PERSON,
    ) -> None:
        super().__init__(MAX_HELD_UPDATES)
        self.max_running = max_concurrent_updates
        self.max_queued_per_person = max_queued_per_person
        self._running: asyncio.Semaphore | None = None
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # chat -> its updates waiting or running
        self._queued: dict[int, int] = {}  # person -> their updates waiting or running

    @property
    def in_flight(self) -> int:
        """Updates waiting for their turn or running now."""
        return sum(self._users.values())

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = _id_of(update, "effective_user") or _id_of(update, "effective_chat") or 0
        chat = _id_of(update, "effective_chat") or person
        if self._queued.get(person, 0) >= self.max_queued_per_person:
            log.debug("update %s dropped: %d updates of this person already wait", _update_id(update),
                      self._queued[person])
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            return
        self._queued[person] = self._queued.get(person, 0) + 1
        self._users[chat] = self._users.get(chat, 0) + 1
        lock = self._locks.setdefault(chat, asyncio.Lock())
        try:
            async with lock, self._slots():
                await coroutine
        finally:
            _release(self._queued, person)
            if not _release(self._users, chat):  # nobody waits on this chat: forget its lock
                del self._locks[chat]

    def _slots(self) -> asyncio.Semaphore:
        if self._running is None:  # made in the event loop that runs the updates
            self._running = asyncio.Semaphore(self.max_running)
        return self._running

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _id_of(update: object, attribute: str) -> int | None:
    return getattr(getattr(update, attribute, None), "id", None)


def _update_id(update: object) -> object:
    return getattr(update, "update_id", None)


def _release(counts: dict[int, int], key: int) -> int:
    """Count one fewer for the key (forgotten at zero); what is left."""
    counts[key] -= 1
    if not counts[key]:
        del counts[key]
        return 0
    return counts[key]
