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

MAX_CONCURRENT_UPDATES = 256


def chat_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user for chatless updates)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats run concurrently; one chat's updates run one at a time, in arrival order."""

    __slots__ = ("_locks", "_users")

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
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
