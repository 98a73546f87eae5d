"""``storage.ledger.totals_by_station`` at network scale: old code beside new, and their results compared.

The old code is ``storage/ledger.py`` as of a commit (``--baseline``), loaded from git into this
process, so both run side by side on the same database, alternating:

    .venv/bin/python bench/ledger_totals.py --url sqlite+aiosqlite:////tmp/<you>-big.db
    .venv/bin/python bench/ledger_totals.py --url postgresql+asyncpg://postgres:stationbot@127.0.0.1:5432/<copy>

``--url`` must be migrated to head (the new code reads ``ix_activity_totals``). ``--old-url`` (default:
``--url``) is where the old code runs: a copy of the same data at the old schema, so the baseline
is not flattered by the new index (PostgreSQL's planner, and SQLite's for a list of stations, would
use it for the old statements too). Every run's dict is compared with the other version's: the
script fails if a single station's totals differ.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from storage import ledger  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Station  # noqa: E402


def old_ledger(commit: str) -> ModuleType:
    """``storage/ledger.py`` as it was at ``commit``, as a module beside the current one."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:storage/ledger.py"],
                            check=True, capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("old_ledger", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, "old_ledger.py", "exec"), module.__dict__)
    return module


async def timed(function: Any, db: Database, year: int, ids: list[int] | None,
                metrics: list[str] | None) -> tuple[float, float, dict[int, Any]]:
    async with db.session() as session:
        wall, cpu = time.perf_counter(), time.process_time()
        result = await function(session, year, ids, metrics=metrics)
        return time.perf_counter() - wall, time.process_time() - cpu, result


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--old-url", default=None)
    parser.add_argument("--baseline", default="41ce780")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    old = old_ledger(args.baseline)
    db = Database(args.url)
    old_db = Database(args.old_url) if args.old_url else db
    async with db.session() as session:
        ids = sorted(i for i in (await session.exec(select(Station.id))).all() if i is not None)
    print(f"{platform.python_version()} {platform.processor() or platform.machine()} cpus={os.cpu_count()} "
          f"stations={len(ids)} url={args.url.split('@')[-1]} old-url={(args.old_url or args.url).split('@')[-1]}")
    cases: list[tuple[str, list[int] | None, list[str] | None]] = [
        ("all stations (None), all metrics", None, None),
        ("10,000 ids listed, all metrics", ids, None),
        ("ids, metrics=needs_served+activities", ids, ["needs_served", "activities"]),
    ]
    for label, station_ids, metrics in cases:
        for run in range(args.runs):
            results = {}
            pair = [("old", old.totals_by_station, old_db), ("new", ledger.totals_by_station, db)]
            for name, function, database in pair if run % 2 == 0 else pair[::-1]:
                load = os.getloadavg()[0]
                wall, cpu, results[name] = await timed(function, database, args.year, station_ids, metrics)
                print(f"{label:40} run {run} {name}: wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
                      f"stations {len(results[name])}  load {load:.2f}", flush=True)
            same = results["old"] == results["new"]
            print(f"{label:40} run {run} equal: {same}", flush=True)
            if not same:
                raise SystemExit("old and new totals differ")
    await db.dispose()
    if old_db is not db:
        await old_db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
