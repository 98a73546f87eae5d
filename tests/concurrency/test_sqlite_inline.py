"""SQLite statements run on the event loop, yet a lock held elsewhere never makes the loop wait.

``storage/sqlite_inline.py`` runs each statement at once with busy timeout 0 and retries a
``SQLITE_BUSY`` one in a worker thread that may wait. If it waited on the loop instead, the
holder below (driven by this same loop) could never let go, and the write would fail with
"database is locked" after the patience ran out.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import text

from storage.db import Database


async def test_a_write_waiting_for_another_connections_lock_leaves_the_loop_free(tmp_path: Path) -> None:
    path = tmp_path / "inline.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.session() as session:
            await session.exec(text("CREATE TABLE t (v INTEGER)"))  # type: ignore[call-overload]
            await session.commit()
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process's writer, say
        holder.execute("INSERT INTO t VALUES (1)")

        async def write() -> None:
            async with db.session() as session:
                await session.exec(text("INSERT INTO t VALUES (2)"))  # type: ignore[call-overload]
                await session.commit()

        writer = asyncio.create_task(write())
        ticks = 0
        while ticks < 50 and not writer.done():  # the loop keeps turning while the write waits
            await asyncio.sleep(0)
            ticks += 1
        assert not writer.done(), "the write cannot have finished while another connection holds the lock"
        holder.execute("COMMIT")
        holder.close()
        await asyncio.wait_for(writer, timeout=60)
        async with db.session() as session:
            values = (await session.exec(text("SELECT v FROM t ORDER BY v"))).all()  # type: ignore[call-overload]
        assert [v for (v,) in values] == [1, 2]
    finally:
        await db.dispose()


async def test_reads_and_writes_inline_keep_sqlite_types_and_rollback(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'types.db'}")
    try:
        async with db.session() as session:
            await session.exec(text("CREATE TABLE t (v TEXT)"))  # type: ignore[call-overload]
            await session.exec(text("INSERT INTO t VALUES ('kept')"))  # type: ignore[call-overload]
            await session.commit()
            await session.exec(text("INSERT INTO t VALUES ('rolled back')"))  # type: ignore[call-overload]
            await session.rollback()
            rows = (await session.exec(text("SELECT v FROM t"))).all()  # type: ignore[call-overload]
        assert [v for (v,) in rows] == ["kept"]
    finally:
        await db.dispose()


async def test_a_long_read_goes_on_in_a_worker_thread_while_the_loop_turns(tmp_path: Path) -> None:
    """A read past the inline budget (here a recursive count to three million) is interrupted on the loop
    and finished in a thread: a second coroutine gets turns while it runs. Inline to the end, the
    read would have finished before the other coroutine ran at all."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'long.db'}")
    turns = 0
    finished = asyncio.Event()

    async def other_chat() -> None:
        nonlocal turns
        while not finished.is_set():
            turns += 1
            await asyncio.sleep(0)

    try:
        ticker = asyncio.create_task(other_chat())
        async with db.session() as session:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]  # connected, transaction open
            started_turns = turns
            count = (await session.exec(text(  # type: ignore[call-overload]
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
                "SELECT count(*) FROM n"))).one()[0]
            turns_during = turns - started_turns
        finished.set()
        await ticker
        assert count == 3_000_000
        assert turns_during > 1
    finally:
        await db.dispose()
