"""Staff web console page speed at network scale, side by side with the same query through the API.

    .venv/bin/python bench/console_pages.py                       # 10,000 stations, 100,000 ledger rows
    .venv/bin/python bench/console_pages.py --stations 500 --runs 5  # smoke run

A fresh SQLite database filled by ``bench/generate.py``; the real FastAPI app in-process (httpx's
ASGI transport, so the time is server time without a network), signed in as staff through the
console's own session code. Reported per page: p50 and p95 milliseconds over ``--runs`` requests.
Target (issue 13): stations list and station page under 200 ms p95.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.generate import STAFF_BASE, Sizes, fresh_database, populate
from bot.services import Services
from bot.settings import Settings
from bot.webapp.app import create_web_app
from bot.webapp.console.auth import COOKIE
from storage.api_tokens import create_api_token
from storage.console import create_login_link, redeem_login_link
from storage.models import Person, Role


async def timed(client: httpx.AsyncClient, url: str, runs: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        answer = await client.get(url, headers=headers or {})
        samples.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, (url, answer.status_code)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[max(int(len(samples) * 0.95) - 1, 0)], 1)}


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/console.db"
        db = await fresh_database(url)
        await populate(db, Sizes(args.stations, args.activities, 0))
        now = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)
        async with db.session() as session:
            staff = Person(telegram_user_id=STAFF_BASE + 1, chat_id=STAFF_BASE + 1, name="bench", role=Role.staff.value,
                           language="zh_Hans")
            session.add(staff)
            await session.flush()
            signed = await redeem_login_link(session, await create_login_link(session, staff, now), "ip:bench", now)
            token, _ = await create_api_token(session, "bench", now, scope="aggregates")
            await session.commit()
        assert not isinstance(signed, str)
        settings = Settings(_env_file=None, database_url=url)
        services = Services(settings, db, lambda: now)
        app = create_web_app(None, services)  # type: ignore[arg-type]  # no webhook here
        cookies = {COOKIE: signed.session_token}
        bearer = {"Authorization": f"Bearer {token}"}
        results: dict[str, Any] = {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1",
                                     cookies=cookies) as client:
            middle = args.stations // 2
            pages = {
                "console stations list": "/console/stations",
                "console stations list, sorted by region, page 20": "/console/stations?sort=region&page=20",
                "console stations list, search": "/console/stations?q=100",
                "console stations list, has-overdue filter": "/console/stations?overdue=1",
                "console station page": f"/console/stations/{middle}",
                "console overview": "/console/",
            }
            for label, path in pages.items():
                results[label] = await timed(client, path, args.runs)
            client.cookies.clear()
            results["api stations (limit 50)"] = await timed(client, "/api/v1/stations?limit=50", args.runs, bearer)
            results["api one station"] = await timed(client, f"/api/v1/stations/{middle}", args.runs, bearer)
        await db.dispose()
    print(json.dumps({"stations": args.stations, "activities": args.activities, "runs": args.runs,
                      "results": results}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
