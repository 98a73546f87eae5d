"""Exit with the plaque returned (gd-quality, seed 000 第二十二条) and the open round on /dashboard."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.services import FixedClock
from storage.models import AuditLog
from storage.models import Station as StationRow
from storage.reminders_queries import station_rows
from testing.client import Sandbox, joined
from testing.outbox_flush import send_and_deliver
from tests.assessment.support import inbox, station
from tests.conftest import SHANGHAI, STAFF


async def test_seed000_art22_exit_is_proposed_confirmed_by_staff_and_the_plaque_returned(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 5, 10, 10, 0, tzinfo=SHANGHAI))
    leaving = await station(sandbox, 31, "佛山科技服务站", "gd-quality")
    await sandbox.send(STAFF, "/start")
    proposal = joined(await sandbox.send(STAFF, f"/exit {leaving.id}"))
    assert "第二十二条" in proposal and "佛山科技服务站" in proposal
    async with sandbox.services.db.session() as session:
        assert (await session.get(StationRow, leaving.id)).status == "active"  # a proposal changes nothing
    await sandbox.press(STAFF, "确认")
    async with sandbox.services.db.session() as session:
        row = await session.get(StationRow, leaving.id)
        audit = (await session.exec(select(AuditLog).where(AuditLog.action == "station_status"))).all()
        live = {r.station.id for r in await station_rows(session, (2027,))}
    assert row is not None and row.status == "exited"
    assert [(a.detail["from"], a.detail["to"], a.detail["article"]) for a in audit] == [
        ("active", "exited", "seed 000 第二十二条")]
    assert leaving.id not in live, "an exited station gets no more reminders"
    told = await inbox(sandbox, leaving)
    assert "第二十二条" in told and "plaque" in told
    again = joined(await sandbox.send(STAFF, f"/exit {leaving.id}"))
    assert "no longer active" in again or "不再" in again or "已不" in again


async def test_exit_is_refused_where_the_regulation_describes_none(sandbox: Sandbox, clock: FixedClock) -> None:
    """quzhou (seed 004) knows revocation (第十八条) but no exit on request."""
    clock.set(dt.datetime(2027, 5, 10, 10, 0, tzinfo=SHANGHAI))
    quzhou = await station(sandbox, 32, "衢州学会服务站", "quzhou")
    await sandbox.send(STAFF, "/start")
    answer = joined(await sandbox.send(STAFF, f"/exit {quzhou.id}"))
    assert "衢州学会服务站" in answer
    async with sandbox.services.db.session() as session:
        assert (await session.get(StationRow, quzhou.id)).status == "active"
    assert "用法" in joined(await sandbox.send(STAFF, "/exit")) or "/exit 12" in joined(await sandbox.send(STAFF, "/exit"))


async def test_the_open_round_shows_on_the_dashboard(sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    await station(sandbox, 33, "衢州一站", "quzhou")
    await station(sandbox, 34, "衢州二站", "quzhou")
    await sandbox.send(STAFF, "/start")
    await sandbox.send(STAFF, "/assess quzhou 2026 2027-03-20")
    calls = await send_and_deliver(sandbox, STAFF, "/dashboard")
    photo = next(c for c in calls if c.method == "sendPhoto")
    assert "quzhou 2026" in photo.text and "0" in photo.text and "2" in photo.text
