"""Export at network scale: the full-year workbook for every station, time and peak memory.

    .venv/bin/python bench/export_scale.py --url sqlite+aiosqlite:///bench/data/big.db --year 2026
    .venv/bin/python bench/export_scale.py --url ... --in-process   # the export in this process (tests, old path)

Run it on a database made by ``bench/generate.py`` (10,000 stations, 1,000,000 ledger rows,
200,000 ratings). One fresh process, so ``ru_maxrss`` is this export's peak; by default the export
runs as the bot runs it, in a spawned child (``in_child``), whose CPU and peak RSS are reported too
(``RUSAGE_CHILDREN``). Targets: ≤ 60 s, ≤ 500 MB peak RSS. To time an older commit's export side by
side, run that commit's own copy of this script (``git archive <commit> | tar -x -C /tmp/old``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.exports import export_year
from locales import translator
from storage.db import Database


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


async def measure(url: str, year: int, out: Path | None, in_process: bool = False,
                  stations: int | None = None) -> dict[str, object]:
    db = Database(url)
    baseline = rss_mb()
    load = os.getloadavg()
    started, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
    async with db.session() as session:
        # An older commit's export_year (run by a copy of this script in its tree) knows no ``in_child``.
        where: dict[str, Any] = {} if in_process else {"in_child": db.url}
        data = await export_year(session, year, translator("zh_Hans"),
                                 list(range(1, stations + 1)) if stations else None,
                                 tz=ZoneInfo("Asia/Shanghai"), **where)
    seconds = time.perf_counter() - started
    own_cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu
    await db.dispose()
    if out is not None:
        out.write_bytes(data)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"python": platform.python_version(), "cores": os.cpu_count(), "url": url.split("@")[-1], "year": year,
            "mode": "in process" if in_process else "child process", "stations": stations or "all", "load_before": [round(x, 2) for x in load],
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "seconds": round(seconds, 1), "cpu_seconds": round(own_cpu, 1),
            "child_cpu_seconds": round(children.ru_utime + children.ru_stime, 1), "bytes": len(data),
            "baseline_rss_mb": round(baseline, 1), "peak_rss_mb": round(rss_mb(), 1),
            "child_peak_rss_mb": round(children.ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--in-process", action="store_true", help="no child process (as tests run it)")
    parser.add_argument("--stations", type=int, help="only stations 1..N (a subset for a slow older export)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.url, args.year, args.out, args.in_process, args.stations))))


if __name__ == "__main__":
    main()
