"""Dates in the right year (issue 10 section 5): which year a duty's form offers, and duties start with the station."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.services import FixedClock
from rules.deadlines import StationFacts, due_items, filing_year
from rules.profile import load_profile
from storage.models import Person, Role, Station, Submission
from testing.client import Sandbox, User, joined
from tests.conftest import SHANGHAI
from tests.duties.support import fill_and_submit
from tests.forms.conftest import seat

D = dt.date
GD = load_profile("gd-quality")


def test_plan_offers_this_year_until_filed_then_next_year_seed000_article12() -> None:
    plan = GD.submission("plan")
    assert plan is not None
    started = D(2025, 6, 1)
    assert filing_year(plan, D(2027, 1, 15), started, set()) == 2027, "the January–February window"
    assert filing_year(plan, D(2027, 11, 20), started, set()) == 2027, "overdue: still this year's"
    assert filing_year(plan, D(2027, 1, 15), started, {2027}) == 2028, "filed: next year's"
    assert filing_year(plan, D(2027, 11, 20), started, {2027}) == 2028


def test_summary_offers_last_year_until_filed_then_this_year_seed000_article12() -> None:
    summary = GD.submission("summary")
    assert summary is not None
    assert filing_year(summary, D(2027, 2, 1), D(2025, 6, 1), set()) == 2026
    assert filing_year(summary, D(2027, 2, 1), D(2025, 6, 1), {2026}) == 2027
    assert filing_year(summary, D(2027, 2, 1), D(2027, 1, 10), set()) == 2027, "no 2026 summary before it existed"


def test_a_station_added_in_november_is_not_late_for_februarys_plan() -> None:
    """Seed 000 第十二条: the plan is due before March; a station started on 10 November never owed 2026's."""
    facts = StationFacts("gd-quality", founded_on=D(2026, 11, 10))
    items = {i.key: i for i in due_items(facts, D(2026, 12, 1), GD)}
    assert "plan:2026" not in items and "summary:2025" not in items
    assert not [i for i in items.values() if i.status == "overdue"]
    plan = GD.submission("plan")
    assert plan is not None and filing_year(plan, D(2026, 12, 1), D(2026, 11, 10), set()) == 2027
    later = {i.key: i for i in due_items(facts, D(2027, 2, 1), GD)}
    assert later["plan:2027"].status == "due_soon" and later["summary:2026"].status == "due_soon"


async def test_plan_form_offers_the_owed_year_through_the_bot_seed000_article12(
        sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 2, 1, 10, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5400, "Year", "en"), "Year Station")
    opened = joined(await sandbox.send(manager.user, "/plan"))
    assert "Which year is this plan for?" in opened and "Example: 2027" in opened
    assert "Submitted" in await fill_and_submit(sandbox, manager.user, "annual_plan", GD, 2027)
    again = joined(await sandbox.send(manager.user, "/plan"))
    assert "Example: 2028" in again, "2027's plan is filed: next year's is offered"
    await sandbox.send(manager.user, "/summary")
    summary = joined(await sandbox.press(manager.user, "Discard it and start the new one"))
    assert "Example: 2026" in summary, "last year's summary is not filed yet"
    async with sandbox.services.db.session() as session:
        filed = (await session.exec(select(Submission))).one()
    assert (filed.kind, filed.year, filed.due_on) == ("plan", 2027, D(2027, 2, 28))


async def test_station_added_in_november_sees_nothing_overdue_seed000_article12(
        sandbox: Sandbox, clock: FixedClock) -> None:
    """No founding date: the day the station was added counts. Not "272 days overdue" for February's plan."""
    clock.set(dt.datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI))
    user = User(5401, "New", "en")
    async with sandbox.services.db.session() as session:
        station = Station(name="November Station", policy_profile="gd-quality",
                          created_at=dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC))
        session.add(station)
        await session.flush()
        session.add(Person(telegram_user_id=user.id, chat_id=user.id, name="New", role=Role.manager,
                           station_id=station.id, language="en"))
        await session.commit()
    status = joined(await sandbox.send(user, "/status"))
    assert "overdue" not in status and "Nothing is due at the moment." in status
    opened = joined(await sandbox.send(user, "/plan"))
    assert "Example: 2027" in opened, "2026's plan was never owed: the form offers 2027"
