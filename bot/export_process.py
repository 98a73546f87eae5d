"""The year's workbook made in a process of its own, with its own database connection.

A network's year (10,000 stations, a million ledger rows) is about a minute of CPU: building rows,
writing cells, zipping. In the bot's process that minute would share the interpreter lock with every
chat; a spawned child has its own. The child reads committed rows only (the export is started after
the update's transaction commits), writes the file to a temporary folder, and counts the rows it has
written in shared memory (``Progress``) for the "preparing…" page. The parent waits in a thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import multiprocessing
import sys
import tempfile
import traceback
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workbook import Progress

log = logging.getLogger(__name__)

# The score sheets' totals scan the year's ledger four times over: on SQLite through a memory map
# rather than a read() call per page (system time). Only that connection maps the file, and only this
# much of it: mapped pages count in the process's resident memory (a network's file is ~260 MB).
SQLITE_MMAP_BYTES = 192 * 1024 * 1024

# Spawn, not fork: the bot's process has an event loop, threads and open connections a fork would copy.
CONTEXT = multiprocessing.get_context("spawn")


class ExportFailed(RuntimeError):
    """The child could not make the workbook; the message is its traceback's last line."""


async def export_in_child(url: str, year: int, language: str, station_ids: Sequence[int] | None, *, chunk: int,
                          tz: dt.tzinfo, individual_ratings: bool, progress: Progress | None = None) -> bytes:
    """Make the workbook in a spawned process and return its bytes; ``progress`` follows the child's count."""
    done, total = CONTEXT.RawValue("q", 0), CONTEXT.RawValue("q", 0)
    if progress is not None:
        progress.done, progress.total = done, total
    with tempfile.TemporaryDirectory(prefix="stationbot-export-") as folder:
        target = Path(folder) / "workbook.xlsx"
        child = CONTEXT.Process(target=run_child, name=f"export-{year}", daemon=True,
                                args=(url, year, language, list(station_ids) if station_ids is not None else None,
                                      chunk, tz, individual_ratings, str(target), done, total))
        child.start()
        try:
            await asyncio.to_thread(child.join)
        finally:
            if child.is_alive():  # the waiting task was cancelled (shutdown): the child goes too
                child.terminate()
                await asyncio.to_thread(child.join)
        error = target.with_suffix(".error")
        if child.exitcode != 0 or not target.is_file():
            text = error.read_text(encoding="utf-8") if error.is_file() else ""
            log.error("export child exited with %s:\n%s", child.exitcode, text)
            raise ExportFailed(f"export child exited with {child.exitcode}: {text.partition(chr(10))[0]}")
        return target.read_bytes()


def run_child(url: str, year: int, language: str, station_ids: list[int] | None, chunk: int, tz: dt.tzinfo,
              individual_ratings: bool, target: str, done: Any, total: Any) -> None:
    """The child's entry point: one event loop, one database engine, the workbook written to ``target``."""
    try:
        asyncio.run(_write(url, year, language, station_ids, chunk, tz, individual_ratings, target,
                           Progress(done, total)))
    except BaseException as exc:  # the first line says what failed, the traceback follows (the parent logs it)
        first = str(exc).partition("\n")[0]
        Path(target).with_suffix(".error").write_text(f"{type(exc).__name__}: {first}\n{traceback.format_exc()}",
                                                      encoding="utf-8")
        Path(target).unlink(missing_ok=True)
        sys.exit(1)


async def _write(url: str, year: int, language: str, station_ids: list[int] | None, chunk: int, tz: dt.tzinfo,
                 individual_ratings: bool, target: str, progress: Progress) -> None:
    from bot.exports import write_year
    from locales import translator
    from storage.db import Database

    db = Database(url)

    @asynccontextmanager
    async def scanning() -> AsyncIterator[AsyncSession]:
        async with db.session() as session:
            if db.is_sqlite:
                await session.execute(text(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}"))
            yield session

    try:
        async with db.session() as session:
            await write_year(session, year, translator(language), target, station_ids, chunk, tz=tz,
                             individual_ratings=individual_ratings, progress=progress, reader=scanning)
    finally:
        await db.dispose()
