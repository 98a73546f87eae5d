"""How long the staff API holds a client for a round's zip: the old in-request work beside the new 202, one run.

    .venv/bin/python bench/round_zip_api.py --stations 10 --pairs 2

A quzhou round of ``--stations`` stations (each gets its 《绩效考核表》, converted to PDF by LibreOffice) through
the real Application and web app on a scratch SQLite database. Side by side, alternating, each on a fresh
database (kept PDFs would make a second conversion free):

* **old**: the work the route did inside the request before (``round_zip`` with the kept-PDF maker), so the
  client's wait was all of it;
* **new**: ``GET …/documents.zip`` answers 202 (the client's wait), then the background job runs to ``ready``.

Wall and CPU time (this process, and its children: LibreOffice), the load average and the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.documents import soffice
from bot.handlers.documents import downloader, pdf_maker
from bot.round_documents import round_zip
from bot.services import FixedClock
from bot.settings import Settings
from bot.webapp.app import create_web_app
from storage.api_tokens import create_api_token
from storage.db import Database
from storage.models import AssessmentRound
from testing.client import Sandbox
from tests.assessment.support import station
from tests.conftest import SHANGHAI, STAFF


def cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def cpu_model() -> str:
    found = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    return next((line.split(":", 1)[1].strip() for line in found.splitlines() if line.startswith("Model name")), "?")


async def one(stations: int, mode: str, folder: Path) -> str:
    db = Database(f"sqlite+aiosqlite:///{folder / f'{mode}.db'}")
    await db.upgrade()
    clock = FixedClock(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    settings = Settings(_env_file=None, telegram_bot_token="123456:SANDBOX", staff_telegram_ids=[STAFF.id],
                        database_url="sqlite+aiosqlite:///:memory:")
    box = Sandbox(settings, db, clock)
    box.services.background_jobs = False
    async with box:
        for n in range(stations):
            await station(box, n + 1, f"衢州学会服务站{n + 1}", "quzhou")
        await box.send(STAFF, "/start")
        await box.send(STAFF, "/assess quzhou 2026 2027-03-20")
        async with db.session() as session:
            token, _ = await create_api_token(session, "bench", clock(), "aggregates")
            await session.commit()
        app = create_web_app(box.app, box.services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as web:
            auth = {"Authorization": f"Bearer {token}"}
            round_id = (await web.get("/api/v1/assessment/rounds", headers=auth)).json()["items"][0]["id"]
            load = os.getloadavg()[0]
            own, children, start = *cpu(), time.perf_counter()
            if mode == "old":
                async with db.session() as session:
                    rnd = await session.get(AssessmentRound, round_id)
                    assert rnd is not None
                    made = await round_zip(session, rnd, settings.tz, downloader(box.services),
                                           pdfs=pdf_maker(box.services))
                answered = ready = time.perf_counter() - start
                pdfs = made.pdfs
            else:
                asked = await web.get(f"/api/v1/assessment/rounds/{round_id}/documents.zip", headers=auth)
                answered = time.perf_counter() - start
                assert asked.status_code == 202, asked.text
                await box.services.background.idle()
                ready = time.perf_counter() - start
                polled = (await web.get(asked.json()["url"], headers=auth)).json()
                assert polled["status"] == "ready", polled
                pdfs = -1
            own2, children2 = cpu()
    await db.dispose()
    return (f"| {mode} | {stations} | {answered * 1000:.0f} ms | {ready:.2f} s | {own2 - own:.2f} s | "
            f"{children2 - children:.2f} s | {load:.1f} |" + (f" {pdfs} PDFs" if pdfs >= 0 else ""))


async def main(stations: int, pairs: int) -> None:
    assert soffice(), "needs LibreOffice"
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| mode | stations | client waits | zip ready | CPU here | CPU LibreOffice | load |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for pair in range(pairs):
            for mode in (("old", "new") if pair % 2 == 0 else ("new", "old")):
                folder = Path(tmp) / f"{pair}-{mode}"
                folder.mkdir()
                print(await one(stations, mode, folder), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=2)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.stations, arguments.pairs))
