"""Deterministic bulk data for the benchmarks: stations, managers, ledger, ratings, submissions.

Why bulk and seeded: a year of a 10,000-station network (a million ledger rows) must load in
a minute or two, on SQLite and PostgreSQL, and be the same data every run so figures compare.
Rows are inserted after the real migrations (the schema is the production one) with
``executemany`` on SQLite and ``COPY`` on PostgreSQL, ids assigned here (then the PostgreSQL
sequences are moved past them, so the bot can insert afterwards).

    .venv/bin/python bench/generate.py --stations 10000 --activities 1000000 --ratings 200000 \
        --seed 1 --url sqlite+aiosqlite:///bench/data/big.db
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Table, insert, text

from rules.profile import load_profile
from storage.db import Database
from storage.models import (
    Activity,
    DemandUnit,
    Person,
    Rating,
    RatingRequest,
    Society,
    Station,
    Submission,
    SubmissionVersion,
)

PROFILES = ("gd-quality", "gd-scst", "guiyang-kczg", "quzhou", "wuhan-qis")
MANAGER_BASE = 700_000_000
STAFF_BASE = 990_000_000
UNITS_PER_STATION = 2
CHUNK = 20_000
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Sizes:
    stations: int
    activities: int = 0
    ratings: int = 0
    seed: int = 1
    language: str = "zh_Hans"
    profile: str | None = None  # all stations on one profile (the throughput bench uses gd-quality)


def manager_id(station_index: int) -> int:
    """Telegram user id (= chat id) of the manager of station ``station_index`` (1-based)."""
    return MANAGER_BASE + station_index


def _profile_of(sizes: Sizes, i: int) -> str:
    return sizes.profile or PROFILES[i % len(PROFILES)]


def societies() -> list[dict[str, Any]]:
    levels = ("national", "provincial", "municipal")
    return [{"id": i, "name": f"Society {i}", "level": levels[i % 3]} for i in range(1, 21)]


def stations(sizes: Sizes, rng: random.Random) -> Iterator[dict[str, Any]]:
    for i in range(1, sizes.stations + 1):
        yield {"id": i, "name": f"Station {i:05d}", "plaque_name": "", "approval_number": f"A-{i}",
               "station_type": "", "host_unit_name": f"Host {i}", "host_unit_credit_code": "",
               "region": f"Region {i % 21}", "society_id": 1 + i % 20, "policy_profile": _profile_of(sizes, i),
               "founded_on": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700)),
               "agreement_start": dt.date(2024, 1, 1), "agreement_end": dt.date(2027, 1, 1) + dt.timedelta(
                   days=rng.randrange(900)),
               "manager_certificate_expiry": dt.date(2027, 1, 1) + dt.timedelta(days=rng.randrange(700)),
               "status": "active" if rng.random() < 0.97 else "rectifying", "created_at": EPOCH}


def people(sizes: Sizes) -> Iterator[dict[str, Any]]:
    base = {"phone": "", "language_chosen": False, "demand_unit_id": None, "reachable": True, "active": True,
            "created_at": EPOCH}
    for i in range(1, sizes.stations + 1):
        yield {**base, "id": i, "telegram_user_id": manager_id(i), "chat_id": manager_id(i), "name": f"Manager {i}",
               "language": sizes.language, "role": "manager", "station_id": i}
    for k in range(1, 6):
        yield {**base, "id": sizes.stations + k, "telegram_user_id": STAFF_BASE + k, "chat_id": STAFF_BASE + k,
               "name": f"Staff {k}", "language": sizes.language, "role": "staff", "station_id": None}


def demand_units(sizes: Sizes) -> Iterator[dict[str, Any]]:
    for i in range(1, sizes.stations * UNITS_PER_STATION + 1):
        station = 1 + (i - 1) // UNITS_PER_STATION
        yield {"id": i, "name": f"Unit {i}", "credit_code": "", "region": "", "contact_name": "C",
               "contact_phone": "13800138000", "created_by_station_id": station, "created_at": EPOCH}


def activities(sizes: Sizes, rng: random.Random) -> Iterator[dict[str, Any]]:
    types = {p: [a.id for a in load_profile(p).activity_types] for p in PROFILES}
    for i in range(1, sizes.activities + 1):
        station = rng.randrange(1, sizes.stations + 1)
        started = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(396))
        experts = rng.randrange(0, 4)
        yield {"id": i, "station_id": station, "activity_type": rng.choice(types[_profile_of(sizes, station)]),
               "title": f"Activity {i}", "started_on": started, "ended_on": None,
               "demand_unit_id": (station - 1) * UNITS_PER_STATION + 1 + rng.randrange(UNITS_PER_STATION),
               "experts": "Chen Yi" if experts else "", "experts_count": experts,
               "experts_outside_province": rng.randrange(0, experts + 1), "expert_days": experts * rng.randrange(1, 4),
               "participants": rng.randrange(5, 80), "outcomes": {}, "attachments": [], "answers": {},
               "logged_by_person_id": station,
               "created_at": EPOCH + dt.timedelta(days=(started - dt.date(2026, 1, 1)).days)}


def ratings(sizes: Sizes, rng: random.Random) -> tuple[Iterator[dict[str, Any]], Iterator[dict[str, Any]]]:
    """Rating requests and their answers, one for one, each on a random ledger row."""
    picks = [rng.randrange(1, sizes.activities + 1) for _ in range(sizes.ratings)] if sizes.activities else []
    scores = [rng.choice((3, 4, 4, 5, 5, 5)) for _ in picks]

    def requests() -> Iterator[dict[str, Any]]:
        inner = random.Random(sizes.seed + 7)
        for i, activity in enumerate(picks, 1):
            station = 1 + (activity * 7919) % sizes.stations
            at = EPOCH + dt.timedelta(minutes=inner.randrange(396 * 24 * 60))
            yield {"id": i, "kind": "service", "station_id": station, "activity_id": activity,
                   "demand_unit_id": (station - 1) * UNITS_PER_STATION + 1, "year": None, "status": "answered",
                   "created_at": at, "expires_at": at + dt.timedelta(days=14), "answered_at": at}

    def answers() -> Iterator[dict[str, Any]]:
        inner = random.Random(sizes.seed + 7)
        for i, activity in enumerate(picks, 1):
            station = 1 + (activity * 7919) % sizes.stations
            at = EPOCH + dt.timedelta(minutes=inner.randrange(396 * 24 * 60))
            score = float(scores[i - 1])
            yield {"id": i, "request_id": i, "station_id": station, "person_id": station, "scores": {"overall": score},
                   "score": score, "comment": "", "answers": {}, "created_at": at}

    return requests(), answers()


def submissions(sizes: Sizes, rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Last year's summary for two thirds of the stations, this year's plan for half of them."""
    rows: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    for station in range(1, sizes.stations + 1):
        for kind, year, share in (("summary", 2026, 0.66), ("plan", 2027, 0.5)):
            if rng.random() < share:
                n = len(rows) + 1
                at = dt.datetime(year if kind == "plan" else 2027, 1, 10, tzinfo=dt.UTC)
                rows.append({"id": n, "station_id": station, "kind": kind, "year": year, "status": "submitted",
                             "current_version": 1, "due_on": None, "event_on": None, "late_workdays": 0,
                             "review_comment": "", "reviewed_by_person_id": None, "reviewed_at": None,
                             "submitted_at": at})
                versions.append({"id": n, "submission_id": n, "version": 1, "answers": {"year": year},
                                 "submitted_by_person_id": station, "submitted_at": at})
    return rows, versions


def _chunks(rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _load(db: Database, table: Table, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> int:
    """Insert ``rows`` in chunks: executemany on SQLite, COPY on PostgreSQL."""
    count = 0
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
    columns = [c.name for c in table.columns]
    async with db.engine.begin() as conn:
        for chunk in _chunks(rows):
            if db.is_sqlite:
                await conn.execute(insert(table), chunk)
            else:
                # Only the columns the generator fills: a column added later (nullable) stays NULL, as on SQLite.
                names = [n for n in columns if n in chunk[0]]
                raw = await conn.get_raw_connection()
                records = [tuple(json.dumps(row[n]) if n in json_columns else row[n] for n in names) for row in chunk]
                await raw.driver_connection.copy_records_to_table(table.name, records=records, columns=names)
            count += len(chunk)
    return count


async def populate(db: Database, sizes: Sizes) -> dict[str, int]:
    """Fill a freshly migrated database; returns the rows added per table."""
    rng = random.Random(sizes.seed)
    added: dict[str, int] = {}
    subs, versions = submissions(sizes, random.Random(sizes.seed + 3))
    requests, answers = ratings(sizes, random.Random(sizes.seed + 5))
    plan: list[tuple[Any, Any]] = [
        (Society, societies()), (Station, stations(sizes, rng)), (Person, people(sizes)),
        (DemandUnit, demand_units(sizes)), (Activity, activities(sizes, random.Random(sizes.seed + 1))),
        (RatingRequest, requests), (Rating, answers), (Submission, subs), (SubmissionVersion, versions),
    ]
    for model, rows in plan:
        added[model.__tablename__] = await _load(db, model.__table__, rows)
    if not db.is_sqlite:
        async with db.engine.begin() as conn:
            for model, _ in plan:
                name = model.__tablename__
                await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                                        f"COALESCE((SELECT MAX(id) FROM \"{name}\"), 0) + 1, false)"))
            await conn.execute(text("ANALYZE"))
    else:
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    return added


async def fresh_database(url: str) -> Database:
    """A migrated empty database at ``url`` (a PostgreSQL database is created when missing)."""
    db = Database(url)
    if not db.is_sqlite:
        await ensure_postgres_database(db.url)
    else:
        path = db.engine.url.database
        if path and path != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
    await db.upgrade()
    return db


async def ensure_postgres_database(url: str, recreate: bool = True) -> None:
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin_url = parsed.set(database="postgres", drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(admin_url)
    try:
        if recreate:
            await admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await admin.close()


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", required=True)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    db = await fresh_database(args.url)
    added = await populate(db, Sizes(args.stations, args.activities, args.ratings, args.seed))
    await db.dispose()
    print(json.dumps({"url": args.url.rsplit("@", 1)[-1], "rows": added,
                      "seconds": round(time.perf_counter() - began, 1)}))


if __name__ == "__main__":
    asyncio.run(main())
