"""A dispatcher as its own process (the crash test kills it with SIGKILL): run until the outbox is empty.

Usage: python tests/outbox/dispatch_proc.py <database url> <rate per second> <lease seconds> <max in flight>
The Bot API address comes from TELEGRAM_BASE_URL, as for the bot itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.outbox import Dispatcher, DispatcherConfig
from storage.db import Database


async def main(url: str, rate: float, lease: float, in_flight: int) -> None:
    base_url = os.environ["TELEGRAM_BASE_URL"]
    bot = Bot("123456:CRASHTEST", base_url=base_url,
              request=HTTPXRequest(connection_pool_size=in_flight + 2, read_timeout=30.0))
    await bot.initialize()
    db = Database(url)
    config = DispatcherConfig(rate_per_second=rate, per_chat_seconds=1.0, lease_seconds=lease,
                              renew_every_seconds=lease / 4, max_in_flight=in_flight)
    dispatcher = Dispatcher(db, bot, config, clock=lambda: dt.datetime.now(dt.UTC))
    await dispatcher.run_forever(idle_seconds=0.2, until_empty=True)
    await dispatcher.release_lease()
    await db.dispose()
    await bot.shutdown()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])))
