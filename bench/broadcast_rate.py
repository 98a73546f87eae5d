"""Broadcast throughput against a Telegram-like flood limit: one command, not a test.

    .venv/bin/python bench/broadcast_rate.py                 # 10,000 recipients (~6 minutes)
    .venv/bin/python bench/broadcast_rate.py --recipients 300  # smoke run

A loopback fake Bot API (``testing/bot_api_server.py``) enforces ``--limit`` messages per second
(a sliding one-second window, answering 429 with retry_after above it) and additionally
injects ``--injected-429`` flood errors at evenly spaced messages. The real dispatcher
(``bot/outbox.py``) sends a broadcast from a fresh SQLite database through PTB over HTTP.
Reported: achieved rate as a fraction of the limit (target >= 0.95), duplicates, losses.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.outbox import Dispatcher, DispatcherConfig
from conversations.types import Reply
from locales import T
from storage.db import Database
from storage.models import Person, Role
from storage.outbox import enqueue
from testing.bot_api_server import FakeBotApiServer
from testing.sandbox import ApiFault, NetworkFault

FIRST_CHAT = 500_000


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {sys.version.split()[0]} on {platform.system()}"


async def fill(db: Database, count: int) -> None:
    now = dt.datetime.now(dt.UTC)
    async with db.session() as session:
        people = [Person(telegram_user_id=FIRST_CHAT + i, chat_id=FIRST_CHAT + i, role=Role.manager.value)
                  for i in range(count)]
        session.add_all(people)
        await session.flush()
        for person in people:
            assert person.chat_id is not None
            await enqueue(session, key=f"bench:{person.id}", chat_id=person.chat_id, person_id=person.id,
                          reply=Reply(T("Plans are due")), kind="broadcast", not_before=now,
                          respect_quiet_hours=False)
        await session.commit()


async def run(recipients: int, limit: int, injected: int, in_flight: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, FakeBotApiServer(limit_per_second=limit) as server:
        every = recipients // (injected + 1) if injected else 0
        injected_at = {every * (k + 1) for k in range(injected)} if injected else set()
        seen = {"n": 0}

        def fault(method: str, params: dict[str, Any]) -> ApiFault | NetworkFault | None:
            if method != "sendMessage":
                return None
            seen["n"] += 1
            if seen["n"] in injected_at:
                return ApiFault(429, "Too Many Requests: retry after 1", retry_after=1)
            return None

        server.emulator.fault = fault
        db = Database(f"sqlite+aiosqlite:///{folder}/bench.db")
        await db.upgrade()
        await fill(db, recipients)
        bot = Bot("123456:BENCH", base_url=server.base_url,
                  request=HTTPXRequest(connection_pool_size=in_flight + 2))
        await bot.initialize()
        config = DispatcherConfig(rate_per_second=float(limit), per_chat_seconds=1.0, max_in_flight=in_flight)
        dispatcher = Dispatcher(db, bot, config, clock=lambda: dt.datetime.now(dt.UTC))
        started = time.monotonic()
        await dispatcher.run_forever(idle_seconds=0.5, until_empty=True)
        wall = time.monotonic() - started
        await dispatcher.release_lease()
        await bot.shutdown()
        await db.dispose()
        per_chat = server.messages_per_chat()
        first, last = server.first_send_at or 0.0, server.last_send_at or 0.0
        span = max(last - first, 1e-9)
        delivered = sum(per_chat.values())
        # n messages at the limit need (n - 1) / limit seconds between the first and the last.
        rate = (delivered - 1) / span
        return {
            "recipients": recipients, "limit": limit, "delivered": delivered,
            "duplicates": sum(c - 1 for c in per_chat.values() if c > 1),
            "losses": sum(1 for i in range(recipients) if per_chat[FIRST_CHAT + i] == 0),
            "rate": rate, "fraction": rate / limit, "span": span, "wall": wall,
            "refused_by_limit": server.rate_limited, "injected_429": len(injected_at),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=30, help="the fake's flood limit, messages per second")
    parser.add_argument("--injected-429", type=int, default=5, help="extra 429 answers spread over the run")
    parser.add_argument("--in-flight", type=int, default=8)
    args = parser.parse_args()
    result = asyncio.run(run(args.recipients, args.limit, args.injected_429, args.in_flight))
    print(f"machine: {machine()}")
    print(f"recipients {result['recipients']}, delivered {result['delivered']}, "
          f"duplicates {result['duplicates']}, losses {result['losses']}")
    print(f"achieved {result['rate']:.2f} msg/s over {result['span']:.1f} s = {result['fraction']:.3f} of the "
          f"{result['limit']}/s limit (target >= 0.95); wall {result['wall']:.1f} s")
    print(f"429 answers: {result['refused_by_limit']} from the flood limit, {result['injected_429']} injected")
    ok = result["fraction"] >= 0.95 and result["duplicates"] == 0 and result["losses"] == 0
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
