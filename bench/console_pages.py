"""Staff web console page speed at network scale, side by side with the same query through the API.

    .venv/bin/python bench/console_pages.py                            # SQLite, 10,000 stations
    .venv/bin/python bench/console_pages.py --backend postgres         # PostgreSQL (TEST_POSTGRES_URL, admin URL)
    .venv/bin/python bench/console_pages.py --stations 500 --runs 5    # smoke run

A fresh database filled by ``bench/generate.py`` (10,000 stations, 100,000 ledger rows, 50,000 ratings, a
year of submissions) and, with ``--round``, an open quzhou assessment round over its 2,000 stations; the real
FastAPI app in-process (httpx's ASGI transport, so the time is server time without a network), signed in as
staff through the console's own session code. Each console page is requested alternately with its API
counterpart (the same query through ``/api/v1``), so both see the same load on a shared machine: compare the
ratio, not the absolute figure. Reported per page: p50 and p95 milliseconds over ``--runs`` requests, wall time
and this process's CPU time (which holds SQLite's work but not the PostgreSQL server's). The stations get Chinese
names (``chinese_names``) so the search is measured on what staff type. ``before_and_after``: the code a change
replaced timed alternately with its replacement in the same run (the round evaluated in Python vs
``services.rounds.progress``; the ILIKE scan vs the trigram index).
Target (issue 13): stations list (with the has-overdue filter), station page, overview and review queue
(``/console/review``) each under 200 ms p95.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.generate import STAFF_BASE, Sizes, fresh_database, populate
from bot.heap import freeze_startup_heap
from bot.services import Services
from bot.settings import Settings
from bot.webapp.app import create_web_app
from bot.webapp.console.auth import COOKIE
from storage.api_tokens import create_api_token
from storage.console import create_login_link, redeem_login_link
from storage.db import Database
from storage.models import Person, Role

NOW = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)
TZ = ZoneInfo("Asia/Shanghai")


def percentiles(samples: list[tuple[float, float]]) -> dict[str, float]:
    """p50/p95 of wall time and of this process's CPU time (SQLite's work included; PostgreSQL's server is not)."""
    walls, cpus = sorted(w for w, _ in samples), sorted(c for _, c in samples)

    def p95(ordered: list[float]) -> float:
        return round(ordered[max(int(len(ordered) * 0.95 + 0.5) - 1, 0)], 1)

    return {"p50_ms": round(statistics.median(walls), 1), "p95_ms": p95(walls),
            "cpu_p50_ms": round(statistics.median(cpus), 1), "cpu_p95_ms": p95(cpus)}


async def get(client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> tuple[float, float]:
    began, cpu = time.perf_counter(), time.process_time()
    answer = await client.get(url, headers=headers or {})
    spent = ((time.perf_counter() - began) * 1000, (time.process_time() - cpu) * 1000)
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    return spent


async def side_by_side(client: httpx.AsyncClient, page: str, api: str, bearer: dict[str, str], cookie: str,
                       runs: int) -> dict[str, Any]:
    """The page and its API counterpart alternately, one warm-up each (not counted)."""
    console: list[tuple[float, float]] = []
    through_api: list[tuple[float, float]] = []
    for n in range(runs + 1):
        client.cookies.set(COOKIE, cookie, domain="127.0.0.1", path="/console")
        first = await get(client, page)
        client.cookies.clear()
        second = await get(client, api, bearer)
        if n:
            console.append(first)
            through_api.append(second)
    mine, theirs = percentiles(console), percentiles(through_api)
    return {"console": {"url": page, **mine}, "api": {"url": api, **theirs},
            "p95_ratio": round(mine["p95_ms"] / theirs["p95_ms"], 2) if theirs["p95_ms"] else None}


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    began, cpu = time.perf_counter(), time.process_time()
    await work()
    return (time.perf_counter() - began) * 1000, (time.process_time() - cpu) * 1000


async def before_and_after(db: Database, runs: int, round_id: int | None) -> dict[str, Any]:
    """The replaced code beside its replacement, alternately in one run: the round evaluated in Python (what the
    overview did) against ``services.rounds.progress``; the station search as a scan of the four columns
    ``ILIKE`` (what the stations page did) against ``storage.station_search.matching``."""
    from sqlalchemy import func, or_
    from sqlmodel import col, select

    from services import rounds as round_cases
    from storage.models import AssessmentRound, Station
    from storage.station_search import matching

    found: dict[str, Any] = {}
    async with db.session() as session:
        dialect = (await session.connection()).dialect.name

        def scan(query: str) -> Any:
            like = f"%{query}%"
            return or_(col(Station.name).ilike(like), col(Station.host_unit_name).ilike(like),
                       col(Station.plaque_name).ilike(like), col(Station.region).ilike(like))

        async def search(condition: Any) -> None:
            await session.exec(select(func.count()).select_from(Station).where(condition))
            await session.exec(select(Station).where(condition).order_by(col(Station.name)).limit(50))

        pairs: dict[str, tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]] = {}
        for query in SEARCHES:
            pairs[f"search {query!r}: count + first page"] = (
                lambda q=query: search(scan(q)), lambda q=query: search(matching(q, dialect)))  # type: ignore[misc]
        if round_id is not None:
            rnd = await session.get(AssessmentRound, round_id)
            assert rnd is not None

            async def evaluated() -> None:
                await round_cases.summary(session, rnd, NOW, await round_cases.evaluate(session, rnd, tz=TZ))

            pairs[f"open round of {len(await round_cases.entries_of(session, round_id))} stations: progress"] = (
                evaluated, lambda: round_cases.progress(session, rnd, tz=TZ))
        for label, (old, new) in pairs.items():
            before: list[tuple[float, float]] = []
            after: list[tuple[float, float]] = []
            for n in range(runs + 1):
                first, second = await timed(old), await timed(new)
                if n:
                    before.append(first)
                    after.append(second)
            found[label] = {"before": percentiles(before), "after": percentiles(after)}
    return found


def chinese_names(count: int) -> list[dict[str, Any]]:
    """A Chinese name, plaque and host unit for every station (the generator's are Latin): ``柯城`` is in one
    station of 36 (two characters, below a trigram), ``柯城区科技`` in the same ones."""
    cities = ("衢州", "杭州", "宁波", "温州", "嘉兴", "湖州")
    districts = ("柯城", "衢江", "西湖", "北仑", "鹿城", "南湖")
    kinds = ("科技服务站", "质量服务站", "工作站")
    rows = []
    for i in range(1, count + 1):
        city, district = cities[i % 6], districts[(i // 6) % 6]
        rows.append({"sid": i, "name": f"{city}市{district}区{kinds[i % 3]}{i:05d}",
                     "plaque_name": f"{city}市科协{district}工作站", "host_unit_name": f"{city}{district}检测研究院{i}"})
    return rows


async def name_in_chinese(db: Database, count: int) -> None:
    from sqlalchemy import bindparam, update

    from storage.models import Station

    statement = (update(Station).where(Station.id == bindparam("sid"))  # type: ignore[arg-type]
                 .values(name=bindparam("name"), plaque_name=bindparam("plaque_name"),
                         host_unit_name=bindparam("host_unit_name")))
    async with db.engine.begin() as conn:
        await conn.execute(statement, chinese_names(count))


SEARCHES = ("100", "柯城", "柯城区科技")


async def open_round(db: Database, services: Services) -> int:
    """An open quzhou round (its stations' snapshot frozen), as /assess opens it."""
    from storage.rounds import RoundExists
    from storage.rounds import open_round as open_a_round

    async with db.session() as session:
        try:
            rnd, _ = await open_a_round(session, profile_id="quzhou", period_end=2026, deadline=dt.date(2027, 3, 31),
                                        person_id=None, now=services.now())
        except RoundExists as exists:  # a --filled database opened it before
            rnd = exists.existing
        await session.commit()
        assert rnd.id is not None
        return rnd.id


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--ratings", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--round", action="store_true", help="open a quzhou round first (the overview's progress)")
    parser.add_argument("--filled", metavar="URL", help="a database this script filled before (kept with --keep): "
                        "its rows are reused, nothing is generated")
    parser.add_argument("--no-freeze", action="store_true", help="leave start-up objects to the full collections")
    parser.add_argument("--keep", action="store_true", help="keep the filled database (print its URL) for --filled")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        if args.filled:
            url = args.filled
        elif args.backend == "sqlite":
            url = f"sqlite+aiosqlite:///{tempfile.mkdtemp() if args.keep else folder}/console.db"
        else:
            admin = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres:stationbot@127.0.0.1:5432/postgres")
            url = admin.rsplit("/", 1)[0] + "/bench_console"
        began = time.perf_counter()
        if args.filled:
            db = Database(url)
            await db.upgrade()  # a copy made before a migration
            added = {}
        else:
            db = await fresh_database(url)
            added = await populate(db, Sizes(args.stations, args.activities, args.ratings))
            await name_in_chinese(db, args.stations)
        async with db.session() as session:
            staff = Person(telegram_user_id=STAFF_BASE + 100, chat_id=STAFF_BASE + 100, name="bench",
                           role=Role.staff.value, language="zh_Hans")
            session.add(staff)
            await session.flush()
            signed = await redeem_login_link(session, await create_login_link(session, staff, NOW), "ip:bench", NOW)
            token, _ = await create_api_token(session, "bench", NOW, scope="write")
            await session.commit()
        assert not isinstance(signed, str)
        settings = Settings(_env_file=None, database_url=url)
        services = Services(settings, db, lambda: NOW)
        round_id = await open_round(db, services) if args.round else None
        if args.keep:
            print(f"filled: {url}", file=sys.stderr)
        filled = round(time.perf_counter() - began, 1)
        app = create_web_app(None, services)  # type: ignore[arg-type]  # no webhook here
        if not args.no_freeze:
            freeze_startup_heap()  # as `stationbot run` and `webhook` do once started
        bearer = {"Authorization": f"Bearer {token}"}
        middle = args.stations // 2
        pairs: dict[str, tuple[str, str]] = {
            "stations list": ("/console/stations", "/api/v1/stations?limit=50"),
            "stations list, sorted by region, page 20": ("/console/stations?sort=region&page=20",
                                                         "/api/v1/stations?limit=50&offset=950"),
            "stations list, search '100'": ("/console/stations?q=100", "/api/v1/stations?limit=50"),
            "stations list, search '柯城' (2 characters)": ("/console/stations?q=柯城", "/api/v1/stations?limit=50"),
            "stations list, search '柯城区科技'": ("/console/stations?q=柯城区科技", "/api/v1/stations?limit=50"),
            "stations list, has-overdue filter": ("/console/stations?overdue=1", "/api/v1/stations?limit=50"),
            "stations list, has-overdue filter and region": ("/console/stations?overdue=1&region=Region+7",
                                                             "/api/v1/stations?limit=50&region=Region+7"),
            "station page": (f"/console/stations/{middle}", f"/api/v1/activities?station_id={middle}&limit=20"),
            "overview": ("/console/", "/api/v1/ratings/summary?year=2027&limit=500"),
            "review queue": ("/console/review", "/api/v1/submissions?limit=50"),
        }
        if round_id is not None:
            pairs["assessment round (API detail beside the overview)"] = (
                "/console/", f"/api/v1/assessment/rounds/{round_id}")
        results: dict[str, Any] = {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1") as client:
            for label, (page, api) in pairs.items():
                results[label] = await side_by_side(client, page, api, bearer, signed.session_token, args.runs)
        replaced = await before_and_after(db, args.runs, round_id)
        await db.dispose()
    print(json.dumps({"before_and_after": replaced, "backend": args.backend, "machine": f"{platform.processor() or platform.machine()}, "
                      f"{os.cpu_count()} cores, Python {platform.python_version()}", "rows": added,
                      "round": round_id is not None, "fill_seconds": filled, "runs": args.runs,
                      "load_average": os.getloadavg(), "results": results}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
