"""A staff broadcast end to end through the sandbox: compose, audience, deduplicated preview, send, report."""

from __future__ import annotations

import datetime as dt
import itertools

from bot.handlers import broadcasts
from bot.services import FixedClock
from bot.settings import Settings
from storage.db import Database
from storage.models import Role
from testing.client import Sandbox, User, joined
from tests.helpers import add_station
from tests.outbox.support import FakeTime, add_person, dispatcher, rows

STAFF = User(900001, "Staff", "en")


async def test_broadcast_compose_preview_send_and_report(settings: Settings, db: Database, clock: FixedClock) -> None:
    foshan = await add_station(db, "Foshan station", region="佛山")
    foshan2 = await add_station(db, "Foshan second station", region="佛山")
    zhuhai = await add_station(db, "Zhuhai station", region="珠海")
    await add_person(db, 1001, station_id=foshan.id)
    await add_person(db, 1001, station_id=foshan2.id)  # one person managing two stations
    await add_person(db, 1002, station_id=foshan2.id, role=Role.liaison.value)
    await add_person(db, 1003, station_id=zhuhai.id, language="en")
    await add_person(db, 1004, role=Role.demand_contact.value)
    box = Sandbox(settings, db, clock, extensions=[broadcasts.extend])
    box.services.background_jobs = False
    async with box:
        assert "Send the text" in joined(await box.send(STAFF, "/broadcast"))
        assert "Who should receive it" in joined(await box.send(STAFF, "Plans are due before March."))
        calls = await box.press_data(STAFF, "bc:a:region")
        assert "Which one?" in joined(calls)
        calls = await box.press(STAFF, "佛山")
        assert "Recipients: 2" in joined(calls)
        await box.press_data(STAFF, "bc:more")
        calls = await box.press_data(STAFF, "bc:a:all_managers")
        assert "Recipients: 3 " in joined(calls)
        test_calls = await box.press_data(STAFF, "bc:test")
        assert "Plans are due before March." in joined(test_calls)
        calls = await box.press_data(STAFF, "bc:send")
        assert "3 recipients" in joined(calls)
        time = FakeTime(clock)
        outcome = await dispatcher(db, box.app.bot, clock, time).run_once()
        assert outcome.sent == 3
        for chat in (1001, 1002, 1003):
            assert [c.text for c in box.api.calls_to(chat)] == ["Plans are due before March."]
        assert box.api.calls_to(1004) == []
        report = joined(await box.send(STAFF, "/broadcasts"))
        assert "sent 3, waiting 0, failed 0, unreachable 0" in report and "· finished" in report


async def test_scheduled_broadcast_survives_and_can_be_cancelled(settings: Settings, db: Database,
                                                                  clock: FixedClock) -> None:
    station = await add_station(db, "Foshan station")
    await add_person(db, 2001, station_id=station.id)
    box = Sandbox(settings, db, clock, extensions=[broadcasts.extend])
    box.services.background_jobs = False
    async with box:
        await box.send(STAFF, "/broadcast")
        await box.send(STAFF, "Meeting on Friday.")
        await box.press_data(STAFF, "bc:a:all_managers")
        assert "Type the date and time" in joined(await box.press_data(STAFF, "bc:sched"))
        assert "already passed" in joined(await box.send(STAFF, "2027-01-20 09:30"))
        assert "scheduled for" in joined(await box.send(STAFF, "2027-02-20 09:30"))
    # a restart: a new Application on the same database still has the scheduled rows
    box = Sandbox(settings, db, clock, extensions=[broadcasts.extend])
    box._update_ids = itertools.count(1000)  # Telegram never reuses update ids across restarts
    box.services.background_jobs = False
    async with box:
        assert (await dispatcher(db, box.app.bot, clock, FakeTime()).run_once()).sent == 0
        report = joined(await box.send(STAFF, "/broadcasts"))
        assert "waiting 1" in report and "· scheduled" in report
        assert "is cancelled; 1 message will not be sent" in joined(await box.press(STAFF, "Cancel #1"))
        clock.advance(days=30)
        assert (await dispatcher(db, box.app.bot, clock, FakeTime()).run_once()).sent == 0
    assert [r.status for r in await rows(db)] == ["cancelled"]


async def test_broadcast_is_staff_only(settings: Settings, db: Database, clock: FixedClock) -> None:
    station = await add_station(db)
    await add_person(db, 3001, station_id=station.id)
    box = Sandbox(settings, db, clock, extensions=[broadcasts.extend])
    box.services.background_jobs = False
    async with box:
        calls = await box.send(User(3001, "M", "en"), "/broadcast")
        assert "不能执行此操作" in joined(calls)
        calls = await box.press_data(User(3001, "M", "en"), "bc:send")
        assert "不能执行此操作" in joined(calls)


async def test_broadcast_with_a_document_resends_its_file_id(settings: Settings, db: Database,
                                                             clock: FixedClock) -> None:
    station = await add_station(db, "Foshan station")
    await add_person(db, 4001, station_id=station.id)
    box = Sandbox(settings, db, clock, extensions=[broadcasts.extend])
    box.services.background_jobs = False
    async with box:
        await box.send(STAFF, "/broadcast")
        await box.send_document(STAFF, "template.pdf", caption="The 2027 plan template")
        calls = await box.press_data(STAFF, "bc:a:all_managers")
        assert "With the attached document." in joined(calls) and "Recipients: 1 " in joined(calls)
        await box.press_data(STAFF, "bc:send")
        await dispatcher(db, box.app.bot, clock, FakeTime(clock)).run_once()
        (call,) = box.api.calls_to(4001)
        assert call.method == "sendDocument" and call.params["document"].startswith(f"doc-{STAFF.id}-")
        assert call.text == "The 2027 plan template"



async def test_audiences_without_plan_and_with_overdue_items(settings: Settings, db: Database,
                                                             clock: FixedClock) -> None:
    from storage.models import Submission

    done = await add_station(db, "Plan done")
    late = await add_station(db, "Plan missing")
    await add_person(db, 5001, station_id=done.id)
    await add_person(db, 5002, station_id=late.id)
    async with db.session() as session:
        assert done.id is not None
        session.add(Submission(station_id=done.id, kind="plan", year=2027))
        session.add(Submission(station_id=done.id, kind="summary", year=2026))
        await session.commit()
    box = Sandbox(settings, db, clock, extensions=[broadcasts.extend])
    box.services.background_jobs = False
    async with box:
        await box.send(STAFF, "/broadcast")
        await box.send(STAFF, "Please send your plan.")
        assert "Recipients: 1 " in joined(await box.press_data(STAFF, "bc:a:no_plan"))
        await box.send(STAFF, "/broadcast")
        await box.send(STAFF, "Overdue!")
        assert "Recipients: 0 " in joined(await box.press_data(STAFF, "bc:a:overdue"))  # 1 Feb: nothing late yet
        clock.set(clock() + dt.timedelta(days=33))
        await box.send(STAFF, "/broadcast")
        await box.send(STAFF, "Overdue!")
        assert "Recipients: 1 " in joined(await box.press_data(STAFF, "bc:a:overdue"))
