"""Write transactions beside a chat update on SQLite: run a request while a transaction holds the chat's writer
turn and has begun writing, and record every statement in order (the console's and the jobs' writer-turn tests)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlmodel import select

from storage.models import AuditLog
from testing.client import Sandbox

T = TypeVar("T")


class Statements:
    """The SQL every connection runs, in order, with a marker where the chat transaction committed."""

    def __init__(self, console_reads: str) -> None:
        self.seen: list[str] = []
        self.lock = threading.Lock()  # aiosqlite runs statements on its own threads
        self.console_reads = console_reads
        self.round_read = threading.Event()

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        with self.lock:
            self.seen.append(statement)
        if self.console_reads in statement:  # the chat side never reads this table: this is the console
            self.round_read.set()

    def mark(self, text: str) -> None:
        with self.lock:
            self.seen.append(text)

    def first(self, fragment: str) -> int:
        return next(i for i, s in enumerate(self.seen) if fragment in s)


def waiting_for_turn(box: Sandbox) -> bool:
    """Someone queues for SQLite's writer turn (``Database.serial``'s asyncio.Lock keeps its queue in ``_waiters``)."""
    return bool(getattr(box.services.db._writer, "_waiters", None))


async def beside_a_chat_update(box: Sandbox, start: Callable[[], Awaitable[T]],
                               marker: str) -> tuple[T, Statements, bool, bool]:
    """Run ``start()`` while a transaction holds the chat's turn and has begun writing.

    The chat side keeps running statements until the request queues for the turn, runs a statement
    containing ``marker`` (its write), or finishes. Returns the response, the statements, whether it
    queued for the turn and whether it finished while the chat still held it.
    """
    db = box.services.db
    statements = Statements(marker)
    event.listen(db.engine.sync_engine, "before_cursor_execute", statements)
    try:
        async with db.serial(), db.session() as chat:  # what bot/door.py holds for one update
            chat.add(AuditLog(action="chat_update", subject="test"))
            await chat.flush()  # the chat's write has begun: on SQLite it holds the database's write lock
            request = asyncio.create_task(start())
            for _ in range(10_000):
                if waiting_for_turn(box) or statements.round_read.is_set() or request.done():
                    break
                await chat.exec(select(AuditLog.id).limit(1))
                await asyncio.sleep(0)  # a turn of the loop, not a wait: SQLite statements run inline on it
            queued, finished_first = waiting_for_turn(box), request.done()
            await chat.commit()
            statements.mark("-- chat committed")
        response = await request
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", statements)
    return response, statements, queued, finished_first
