"""Other chats' form-step latency while a network-sized export is prepared, against idle, in one run.

    .venv/bin/python bench/export_latency.py --source bench/data/big.db --users 20

The database is a copy of one made by ``generate.py`` (10,000 stations, 1,000,000 ledger rows); the
managers of ``--users`` gd-quality stations are switched to English so the /log script's labels
match. One real bot (``build_application``, queue mode) runs throughout:

1. idle: the managers fill /log (22 steps each), timed per step;
2. staff send ``/export 2026``: the bot answers "preparing…" and the background worker builds the
   whole year's workbook; meanwhile the managers keep filling /log, and only steps that started
   and ended while the export was running are counted.

Target (issue 14): p99 during the export within 2× the idle p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import PROFILES, manager_id
from bench.harness import (
    ACTIVITY_SCRIPT,
    STAFF_ID,
    Driver,
    Timings,
    Updates,
    run_script,
    start_stationbot,
    stop,
)

GD_QUALITY = PROFILES.index("gd-quality")


def station_indexes(users: int) -> list[int]:
    """Station numbers on the gd-quality profile (``generate.py`` deals profiles round-robin)."""
    return [i for i in range(1, 10_001) if i % len(PROFILES) == GD_QUALITY][:users]


def prepare_copy(source: Path, target: Path, stations: list[int]) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as conn:
        marks = ",".join("?" * len(stations))
        conn.execute(f"UPDATE person SET language = 'en' WHERE role = 'manager' AND station_id IN ({marks})",
                     stations)


async def fill(driver: Driver, users: list[int], rounds: int, timings: Timings, first_n: int) -> None:
    """Each manager files ``rounds`` activities, one step at a time like a person."""
    async def one(k: int, uid: int) -> None:
        for r in range(rounds):
            await run_script(driver, uid, first_n + r * 10_000 + k, ACTIVITY_SCRIPT, timings)

    await asyncio.gather(*(one(k, uid) for k, uid in enumerate(users)))


async def measure(source: Path, workdir: Path, users: int, idle_rounds: int) -> dict[str, Any]:
    stations = station_indexes(users)
    copy = workdir / "export-latency.db"
    prepare_copy(source, copy, stations)
    ids = [manager_id(i) for i in stations]
    driver = await start_stationbot(f"sqlite+aiosqlite:///{copy}", mode="queue")
    background = driver.app.bot_data["services"].background
    try:
        idle = Timings()
        began = time.perf_counter()
        await fill(driver, ids, idle_rounds, idle, 1)
        idle.wall = time.perf_counter() - began

        await driver.feed(Updates.message(STAFF_ID, "/export 2026"))
        started = time.perf_counter()
        during = Timings()
        rounds = 0
        while background._tasks:  # the export is being prepared
            batch = Timings()
            await fill(driver, ids, 1, batch, 100_000 + rounds)
            rounds += 1
            if background._tasks:  # only steps wholly inside the export count
                during.service += batch.service
                during.steps += batch.steps
                during.failures += batch.failures
        export_s = time.perf_counter() - started
        during.wall = export_s
        await background.idle()
    finally:
        await stop(driver)
        with sqlite3.connect(copy) as conn:  # the workbook is waiting for the outbox, not a failure notice
            files = conn.execute("SELECT length(content) FROM prepared_file WHERE filename = 'stationbot-2026.xlsx'"
                                 ).fetchall()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    i, d = idle.summary(), during.summary()
    return {"python": platform.python_version(), "cores": os.cpu_count(), "load_average": os.getloadavg(),
            "users": users, "export_seconds": round(export_s, 1), "workbook_bytes": files[0][0] if files else None,
            "idle": i, "during_export": d, "p99_ratio": round(d["p99_ms"] / i["p99_ms"], 2) if i["p99_ms"] else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parent / "data" / "big.db")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / "data")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--idle-rounds", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(measure(args.source, args.workdir, args.users, args.idle_rounds))
    print(json.dumps(result, indent=1))
    i, d = result["idle"], result["during_export"]
    print("| phase | steps | p50 ms | p95 ms | p99 ms | steps/s |\n|---|---|---|---|---|---|")
    for name, s in (("idle", i), ("during the export", d)):
        print(f"| {name} | {int(s['steps'])} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | {s['p99_ms']:.1f} | "
              f"{s['steps_per_s']:.0f} |")
    print(f"p99 during / idle = {result['p99_ratio']}× (target ≤ 2×); export {result['export_seconds']} s")


if __name__ == "__main__":
    main()
