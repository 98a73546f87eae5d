"""Days and times people read follow the TIMEZONE setting, not a hard-coded Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.duties import started_on
from bot.settings import Settings
from storage.models import Station, Submission
from testing.client import Sandbox, joined
from testing.outbox_flush import render_pending
from tests.conftest import STAFF
from tests.forms.conftest import Seat
from tests.ratings.conftest import log_service

# The fixed clock is 2027-02-01 10:00 in Shanghai = 2027-02-01 02:00 UTC = 2027-01-31 18:00 in Los Angeles.


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"timezone": "America/Los_Angeles"})


async def test_rating_link_expiry_day_is_in_the_configured_zone(sandbox: Sandbox, alice: Seat) -> None:
    """The link lasts 14 days from 2027-02-01 02:00 UTC: Feb 14 in Los Angeles (Feb 15 in Shanghai)."""
    calls = await log_service(sandbox, alice, "Training", "Unit in LA time")
    text = joined(calls)
    assert "The link works once, until Feb 14, 2027" in text, text


async def test_export_times_are_in_the_configured_zone(sandbox: Sandbox) -> None:
    await sandbox.send(STAFF, "/start")
    async with sandbox.services.db.session() as session:
        station = Station(name="LA Station", policy_profile="gd-quality", region="佛山")
        session.add(station)
        await session.flush()
        session.add(Submission(station_id=station.id or 0, kind="plan", year=2027,
                               submitted_at=dt.datetime(2027, 2, 1, 2, 0, tzinfo=dt.UTC)))
        await session.commit()
    await sandbox.send(STAFF, "/export 2027")
    await sandbox.services.background.idle()  # the workbook is made after the update and sent by the outbox
    calls = await render_pending(sandbox, STAFF.id)
    documents = [c for c in calls if c.method == "sendDocument"]
    assert len(documents) == 1, joined(calls)
    book = openpyxl.load_workbook(io.BytesIO(next(iter(documents[0].files.values()))), read_only=True)
    moments = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
               if isinstance(cell, dt.datetime) and cell.year == 2027 and (cell.hour, cell.minute) != (0, 0)]
    assert moments == [dt.datetime(2027, 1, 31, 18, 0)], moments


def test_a_stations_added_day_is_read_in_the_configured_zone() -> None:
    """Duties start on the day a station without a founding date was added, read in TIMEZONE (was the
    profile's hard-coded Asia/Shanghai): 2027-02-01 02:00 UTC is Jan 31 in Los Angeles, Feb 1 in Shanghai."""
    station = Station(name="Added", policy_profile="gd-quality", created_at=dt.datetime(2027, 2, 1, 2, 0, tzinfo=dt.UTC))
    later = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
    assert started_on(station, later.astimezone(ZoneInfo("America/Los_Angeles"))) == dt.date(2027, 1, 31)
    assert started_on(station, later.astimezone(ZoneInfo("Asia/Shanghai"))) == dt.date(2027, 2, 1)
