"""The daily reminder sweep and a manager's /status at network scale: time and peak memory.

Run ``generate.py`` first (the database is reused, not rebuilt), then:

    .venv/bin/python bench/sweep_and_status.py --url sqlite+aiosqlite:///bench/data/big.db
    .venv/bin/python bench/sweep_and_status.py --url postgresql+asyncpg://postgres:stationbot@127.0.0.1:5432/bench_big

Measured, in this order, in one fresh process (so ``ru_maxrss`` is this work's peak):

* ``/status`` through the real Application (PTB → door → ``bot/handlers/status.py`` → render)
  for 20 stations, and the bare ledger query ``storage.ledger.ledger_counts`` for the same;
* ``bot.jobs.enqueue_due`` — the daily sweep: first run (enqueues the outbox rows) and a second
  run (idempotent: enqueues nothing; the normal daily case), with the statements each sends, on two dates: early in the year (a month of ledger) and in
  December (the whole year's ledger, the worst case for progress notes on minimums).

Enqueued outbox rows and the recorded progress-note checks are deleted afterwards, so the database
can be measured again.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, event, func
from sqlmodel import select

from bench.generate import manager_id
from bench.harness import Updates, start_stationbot, stop
from bot.jobs import enqueue_due
from bot.services import FixedClock
from storage.db import Database
from storage.ledger import ledger_counts
from storage.models import AuditLog, OutboxMessage, Station
from storage.reminders_queries import PROGRESS_CHECK

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATES = (dt.datetime(2027, 2, 1, 8, 30, tzinfo=SHANGHAI), dt.datetime(2026, 12, 15, 8, 30, tzinfo=SHANGHAI))


def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def measure_status(url: str, stations: list[int]) -> dict[str, Any]:
    """/status end to end per station, and the ledger count query alone."""
    db = Database(url)
    driver = await start_stationbot(url, db=db, clock=FixedClock(DATES[0].replace(hour=10)))
    full: list[float] = []
    answered = 0
    try:
        for station in stations:
            uid = manager_id(station)
            before = len(driver.api.sent_per_chat.get(uid, []))
            full.append(await driver.feed(Updates.message(uid, "/status", "zh-hans")))
            answered += len(driver.api.sent_per_chat.get(uid, [])) > before
        counts: list[float] = []
        async with db.session() as session:
            for station in stations:
                began = time.perf_counter()
                await ledger_counts(session, station, 2026)
                counts.append(time.perf_counter() - began)
    finally:
        await stop(driver)
    return {"status_p50_ms": statistics.median(full) * 1000, "status_max_ms": max(full) * 1000,
            "status_answered": answered, "ledger_counts_p50_ms": statistics.median(counts) * 1000,
            "ledger_counts_max_ms": max(counts) * 1000, "stations_sampled": len(stations)}


async def measure_sweep(url: str, now: dt.datetime, trace: bool) -> dict[str, Any]:
    db = Database(url)
    try:
        if trace:
            tracemalloc.start()
        runs = []
        statements = [0]

        def count(*_: Any) -> None:
            statements[0] += 1

        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        for _ in range(2):
            began, cpu, statements[0] = time.perf_counter(), time.process_time(), 0
            added = await enqueue_due(db, now)
            runs.append((time.perf_counter() - began, added, time.process_time() - cpu, statements[0]))
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        python_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
        if trace:
            tracemalloc.stop()
        async with db.session() as session:
            await session.exec(delete(OutboxMessage))  # type: ignore[call-overload]
            # The progress-note check of each date is recorded: forget it too, so the next run is a first run.
            await session.exec(delete(AuditLog).where(AuditLog.action == PROGRESS_CHECK))  # type: ignore[call-overload]
            await session.commit()
    finally:
        await db.dispose()
    # CPU seconds of this process: on a machine shared with busy neighbours the wall time mostly says
    # how long it waited for a core (the database server's own CPU is not in it on PostgreSQL).
    return {"date": now.date().isoformat(), "first_run_s": runs[0][0], "first_run_cpu_s": runs[0][2],
            "rows_enqueued": runs[0][1], "second_run_s": runs[1][0], "second_run_cpu_s": runs[1][2],
            "rows_enqueued_again": runs[1][1], "statements": [runs[0][3], runs[1][3]], "peak_rss_mb": rss_mb(),
            "tracemalloc_peak_mb": python_peak}


async def station_sample(url: str, n: int = 20) -> list[int]:
    """Twenty stations spread over the id range (random ledger: each holds about the same rows)."""
    db = Database(url)
    try:
        async with db.session() as session:
            total = (await session.exec(select(func.count()).select_from(Station))).one()
    finally:
        await db.dispose()
    step = max(1, int(total) // n)
    return list(range(1, int(total) + 1, step))[:n]


async def run(url: str, trace: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"python": platform.python_version(), "cores": os.cpu_count(),
                              "baseline_rss_mb": current_rss_mb()}
    result["status"] = await measure_status(url, await station_sample(url))
    result["rss_after_status_mb"] = rss_mb()
    result["sweeps"] = [await measure_sweep(url, now, trace) for now in DATES]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--tracemalloc", action="store_true", help="also report Python's own peak (slower)")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args.url, args.tracemalloc)), indent=1))


if __name__ == "__main__":
    main()
