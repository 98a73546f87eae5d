"""The jobs are installed on the Application: start-up sweep, daily reminders, Monday digest, dispatcher."""

from __future__ import annotations

import datetime as dt

from bot.handlers import broadcasts
from bot.services import FixedClock
from bot.settings import Settings
from storage.db import Database
from storage.models import OutboxStatus, Role
from testing.client import Sandbox
from tests.conftest import SHANGHAI
from tests.helpers import add_station
from tests.outbox.support import add_person, rows


async def test_start_up_sweep_and_dispatcher_job(settings: Settings, db: Database, clock: FixedClock) -> None:
    station = await add_station(db)
    await add_person(db, 6001, station_id=station.id, language="en")
    clock.set(dt.datetime(2027, 2, 21, 10, 0, tzinfo=SHANGHAI))
    async with Sandbox(settings, db, clock, extensions=[broadcasts.extend]) as box:
        assert box.app.job_queue is not None
        names = {job.name for job in box.app.job_queue.jobs()}
        assert {"outbox-dispatcher", "reminders-daily", "staff-digest"} <= names
        assert {r.idempotency_key for r in await rows(db)} == {
            f"plan-due:2027:station-{station.id}:T-7:person-1", f"summary-due:2026:station-{station.id}:T-7:person-1"}
        (send,) = box.app.job_queue.get_jobs_by_name("outbox-dispatcher")
        await send.run(box.app)
        texts = [c.text for c in box.api.calls_to(6001)]
        # one per chat per second: the second reminder waits for the next run
        assert len(texts) == 1 and "in 7 days" in texts[0]
    assert sorted(r.status for r in await rows(db)) == [OutboxStatus.pending, OutboxStatus.sent]


async def test_jobs_can_be_switched_off(settings: Settings, db: Database, clock: FixedClock) -> None:
    await add_person(db, 6101, role=Role.staff.value)
    box = Sandbox(settings, db, clock, extensions=[broadcasts.extend])
    box.services.background_jobs = False
    async with box:
        assert box.app.job_queue is not None and box.app.job_queue.jobs() == ()
    assert await rows(db) == []
