"""One concurrency model for polling and webhook: chats in parallel, each chat strictly in order.

PTB's ``concurrent_updates(False)`` makes every chat wait for the slowest update anywhere;
plain concurrency lets two quick taps of one person race each other. A lock per chat gives
both: the update fetcher starts updates in arrival order, each waits for its chat's lock
(asyncio locks wake waiters first in, first out), and other chats go on meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# How many chats are handled at once. The bound exists for the Telegram round trip (50–200 ms a
# reply): while one chat waits for Telegram, others should be served. Beyond what covers that wait
# a higher bound buys nothing, since the event loop is busy anyway: updates then wait inside the
# loop instead of for a slot (service time grows, what a person waits does not), see
# bench/results/session4-step.md. With a 50 ms round trip SQLite gave 39 / 60 / 75 / 76 / 62
# steps/s at 4 / 8 / 16 / 32 / 64 chats (its transactions still take turns: ``Database.serial``),
# PostgreSQL 43 / 71 / 84 / 57 at 8 / 16 / 32 / 64; without a round trip all bounds gave about
# the same throughput.
MAX_CONCURRENT_UPDATES = 256
SQLITE_CONCURRENT_UPDATES = 16
POSTGRES_CONCURRENT_UPDATES = 32


def concurrency_for(is_sqlite: bool) -> int:
    return SQLITE_CONCURRENT_UPDATES if is_sqlite else POSTGRES_CONCURRENT_UPDATES


def chat_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user for chatless updates)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats run concurrently; one chat's updates run one at a time, in arrival order."""

    __slots__ = ("_locks", "_users", "_working")

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        # PTB takes its semaphore before our chat lock; a chat's queued updates would then hold
        # every slot while they wait for their turn, and other chats would starve. PTB's bound is
        # set wide, and ours is taken only once the chat's turn has come.
        super().__init__(MAX_CONCURRENT_UPDATES)
        self._working = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._working:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._working:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody waits for this chat: forget its lock
                del self._users[key]
                del self._locks[key]

    @property
    def chats_in_flight(self) -> int:
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to allocate: locks are made per chat as updates arrive."""

    async def shutdown(self) -> None:
        """Nothing to free: a lock lives only while its chat has updates in flight."""
