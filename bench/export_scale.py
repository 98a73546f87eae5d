"""Export at network scale: the full-year workbook for every station, time and peak memory.

    .venv/bin/python bench/export_scale.py --url sqlite+aiosqlite:///bench/data/big.db --year 2026

Run it on a database made by ``bench/generate.py`` (10,000 stations, 1,000,000 ledger rows,
200,000 ratings). One fresh process, so ``ru_maxrss`` is this export's peak. Targets: ≤ 60 s,
≤ 500 MB peak RSS.
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
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.exports import export_year
from locales import translator
from storage.db import Database


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(url: str, year: int, out: Path | None) -> dict[str, object]:
    db = Database(url)
    baseline = rss_mb()
    started = time.perf_counter()
    async with db.session() as session:
        data = await export_year(session, year, translator("zh_Hans"), tz=ZoneInfo("Asia/Shanghai"))
    seconds = time.perf_counter() - started
    await db.dispose()
    if out is not None:
        out.write_bytes(data)
    return {"python": platform.python_version(), "cores": os.cpu_count(), "url": url.split("@")[-1], "year": year,
            "seconds": round(seconds, 1), "bytes": len(data), "baseline_rss_mb": round(baseline, 1),
            "peak_rss_mb": round(rss_mb(), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.url, args.year, args.out)), indent=1))


if __name__ == "__main__":
    main()
