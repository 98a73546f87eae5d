"""Form steps per second and per-update latency of the real bot, beside a bare PTB echo bot.

N managers (each bound to a station, created directly in the database by ``generate.py``) fill
the /log activity form (22 updates each, a new demand unit included) at the same time through
the real Application. Every figure is taken in one run, side by side with an echo bot fed by
the same harness, so the ratio holds even on a shared machine.

    .venv/bin/python bench/conversation_throughput.py --users 100 --backend sqlite
    .venv/bin/python bench/conversation_throughput.py --users 1000 --backend both --mode both
    .venv/bin/python bench/conversation_throughput.py --users 100 --backend sqlite --profile out.html

Modes: ``queue`` is the bot as built (PTB's update queue, then ``bot/ordering.py``: chats in
parallel up to a bound, each chat in order); ``concurrent`` awaits ``process_update`` from one
task per user (each user's updates in order), see harness.py.

Latency is given twice in queue mode: *service* (p50/p99: from the update getting its slot in
``bot/ordering.py`` to its end) and *response* (resp p50/p99: from ``update_queue.put`` to its
end, what a person waits). ``--concurrency N`` overrides the bound on chats in flight for the
backend measured (``bot.ordering``), to choose it by throughput and both latencies; with
``--api-latency-ms`` each Bot API call takes that long, as a real round trip to Telegram does
(the sandbox answers at once, which would favour handling one chat at a time).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func
from sqlmodel import select

from bench.generate import Sizes, fresh_database, manager_id, populate
from bench.harness import (
    ACTIVITY_SCRIPT,
    ECHO_SCRIPT,
    Timings,
    run_users,
    start_echo,
    start_stationbot,
    stop,
)
from bot import ordering
from bot.heap import freeze_startup_heap
from storage.models import Activity

POSTGRES_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres:stationbot@127.0.0.1:5432/postgres")
TRY_AGAIN = "try again shortly"


def backend_url(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{workdir / f'throughput-{uuid.uuid4().hex[:8]}.db'}"
    base, _, _ = POSTGRES_ADMIN.rpartition("/")
    return f"{base}/bench_tp_{uuid.uuid4().hex[:10]}"


async def drop_postgres(url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    admin = await asyncpg.connect(POSTGRES_ADMIN.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[-1]}" WITH (FORCE)')
    finally:
        await admin.close()


async def bot_run(backend: str, users: int, mode: str, workdir: Path, profiler: Any = None,
                  freeze: bool = True, concurrency: int | None = None, api_latency_s: float = 0.0) -> dict[str, Any]:
    """One measured run of the real bot; checks every manager's activity reached the ledger.

    ``freeze``: start-up objects leave the collector's full passes, as ``stationbot run`` and ``webhook`` do
    once started (bot/heap.py); undone after the run so the next one starts alike.
    """
    bound = concurrency or ordering.concurrency_for(backend == "sqlite")
    saved = ordering.SQLITE_CONCURRENT_UPDATES, ordering.POSTGRES_CONCURRENT_UPDATES
    ordering.SQLITE_CONCURRENT_UPDATES = ordering.POSTGRES_CONCURRENT_UPDATES = bound
    url = backend_url(backend, workdir)
    db = await fresh_database(url)
    await populate(db, Sizes(stations=users, language="en", profile="gd-quality"))
    driver = await start_stationbot(url, mode=mode, db=db, api_latency_s=api_latency_s)
    if freeze:
        freeze_startup_heap()
    ids = [manager_id(i) for i in range(1, users + 1)]
    try:
        if profiler is not None:
            profiler.start()
        timings = await run_users(driver, ids, ACTIVITY_SCRIPT)
        if profiler is not None:
            profiler.stop()
        async with db.session() as session:
            recorded = (await session.exec(select(func.count()).select_from(Activity))).one()
        retries = sum(TRY_AGAIN in text for chat in ids for text in driver.api.sent_per_chat.get(chat, []))
    finally:
        ordering.SQLITE_CONCURRENT_UPDATES, ordering.POSTGRES_CONCURRENT_UPDATES = saved
        gc.unfreeze()
        await stop(driver)
        if backend == "postgres":
            await drop_postgres(url)
        else:
            Path(url.split("///", 1)[1]).unlink(missing_ok=True)
    return {"bot": "stationbot", "backend": backend, "mode": mode, "users": users, "frozen": freeze,
            "concurrency": bound, "api_latency_ms": api_latency_s * 1000, **timings.summary(),
            "activities_recorded": int(recorded), "try_again_replies": retries}


async def echo_run(users: int, mode: str, api_latency_s: float = 0.0) -> dict[str, Any]:
    driver = await start_echo(mode, api_latency_s)
    try:
        timings: Timings = await run_users(driver, [manager_id(i) for i in range(1, users + 1)], ECHO_SCRIPT)
    finally:
        await stop(driver)
    return {"bot": "echo", "backend": "-", "mode": mode, "users": users, **timings.summary()}


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| bot | backend | mode | users | steps | chats at once | steps/s | service p50 / p95 / p99 ms | "
            "response p50 / p95 / p99 ms | mean ms | CPU ms/step | CPU ratio to echo | ledger rows | try-again |\n|"
            + "---|" * 14)
    echo = {r["mode"]: r["cpu_ms_per_step"] for r in rows if r["bot"] == "echo"}
    lines = [head]
    for r in rows:
        ratio = r["cpu_ms_per_step"] / echo[r["mode"]] if echo.get(r["mode"]) else float("nan")
        lines.append(f"| {r['bot']} | {r['backend']} | {r['mode']} | {r['users']} | {int(r['steps'])} | "
                     f"{r.get('concurrency', '-')} | {r['steps_per_s']:.0f} | "
                     f"{r['p50_ms']:.1f} / {r['p95_ms']:.1f} / {r['p99_ms']:.1f} | "
                     f"{r['resp_p50_ms']:.1f} / {r['resp_p95_ms']:.1f} / {r['resp_p99_ms']:.1f} | "
                     f"{r['mean_ms']:.2f} | {r['cpu_ms_per_step']:.2f} | {ratio:.1f}× | "
                     f"{r.get('activities_recorded', '-')} | {r.get('try_again_replies', '-')} |")
    return "\n".join(lines)


async def measure(users: int, backends: list[str], modes: list[str], workdir: Path,
                  profile_to: Path | None = None, freeze: bool = True,
                  concurrency: int | None = None, api_latency_s: float = 0.0) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for mode in modes:
        rows.append(await echo_run(users, mode))  # the CPU floor: no Bot API latency (it handles one update at a time)
        for backend in backends:
            profiler = None
            if profile_to is not None:
                from pyinstrument import Profiler  # type: ignore[import-not-found]

                profiler = Profiler(async_mode="disabled", interval=0.0005)
            rows.append(await bot_run(backend, users, mode, workdir, profiler, freeze, concurrency, api_latency_s))
            if profiler is not None and profile_to is not None:
                target = profile_to.with_name(f"{profile_to.stem}-{backend}-{mode}{profile_to.suffix}")
                target.write_text(profiler.output_html() if target.suffix == ".html"
                                  else profiler.output_text(unicode=True, show_all=False))
            print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--mode", choices=("queue", "concurrent", "both"), default="both")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / "data")
    parser.add_argument("--profile", type=Path, default=None, help="write a pyinstrument profile (.html or .txt)")
    parser.add_argument("--no-freeze", action="store_true", help="leave start-up objects in the collector's passes")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="chats handled at once (default: bot/ordering.py's value for the backend)")
    parser.add_argument("--api-latency-ms", type=float, default=0.0,
                        help="each Bot API call answers after this long, like a round trip to Telegram")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    modes = ["queue", "concurrent"] if args.mode == "both" else [args.mode]
    rows = asyncio.run(measure(args.users, backends, modes, args.workdir, args.profile, not args.no_freeze,
                               args.concurrency, args.api_latency_ms / 1000))
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores")
    print(table(rows))


if __name__ == "__main__":
    main()
