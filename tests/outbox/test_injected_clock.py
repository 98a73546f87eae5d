"""Rows are stamped with the bot's injected clock, not the wall clock (model defaults, outbox rows)."""

from __future__ import annotations

from sqlmodel import select

from bot.handlers import broadcasts
from bot.services import FixedClock
from bot.settings import Settings
from storage.datetimes import db_time
from storage.db import Database
from storage.models import Broadcast, OutboxMessage
from testing.client import Sandbox, joined
from tests.conftest import STAFF
from tests.helpers import add_station
from tests.outbox.support import add_person


async def test_broadcast_list_shows_when_it_was_made_by_the_bots_clock(settings: Settings, db: Database,
                                                                      clock: FixedClock) -> None:
    """The fixed clock says 2027-02-01 10:00: /broadcasts shows that moment, and the broadcast and its outbox
    rows carry it (outbox rows were stamped with the wall clock)."""
    station = await add_station(db, "Foshan station", region="佛山")
    await add_person(db, 3001, station_id=station.id)
    box = Sandbox(settings, db, clock, extensions=[broadcasts.extend])
    box.services.background_jobs = False
    async with box:
        await box.send(STAFF, "/broadcast")
        await box.send(STAFF, "Plans are due before March.")
        await box.press_data(STAFF, "bc:a:all_managers")
        assert "1 位接收人" in joined(await box.press_data(STAFF, "bc:send"))
        report = joined(await box.send(STAFF, "/broadcasts"))
    assert "2027年2月1日 10:00" in report, report
    async with db.session() as session:
        made = (await session.exec(select(Broadcast))).one()
        queued = (await session.exec(select(OutboxMessage))).all()
    assert db_time(made.created_at) == db_time(clock())
    assert queued and {db_time(row.created_at) for row in queued} == {db_time(clock())}
