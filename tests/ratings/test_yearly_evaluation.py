"""guiyang-kczg: the demand side evaluates the station's year; same reach rules as service ratings."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import select

from bot.services import FixedClock
from storage.models import Activity, DemandUnit, Person, Rating, RatingRequest, Role
from testing.client import Sandbox, User, joined
from testing.outbox_flush import render_pending
from tests.conftest import SHANGHAI, STAFF
from tests.forms.conftest import seat

BOUND = User(6101, "Contact", "en")
NEWCOMER = User(6102, "新联系人", "zh-CN")


async def setup(box: Sandbox) -> int:
    manager = await seat(box.services.db, User(6100, "贵阳站长", "zh-CN"), "贵阳某学会工作站", "guiyang-kczg")
    other = await seat(box.services.db, User(6199, "Other", "en"), "Foshan Station", "gd-quality")
    async with box.services.db.session() as session:
        bound_unit, open_unit = DemandUnit(name="Guiyang Aluminium Co."), DemandUnit(name="贵阳某种业公司")
        session.add_all([bound_unit, open_unit])
        await session.flush()
        session.add(Person(telegram_user_id=BOUND.id, chat_id=BOUND.id, role=Role.demand_contact, language="en",
                           demand_unit_id=bound_unit.id))
        for unit in (bound_unit, open_unit, bound_unit):
            session.add(Activity(station_id=manager.station.id or 0, activity_type="tackling", title="攻关",
                                 started_on=dt.date(2027, 5, 1), demand_unit_id=unit.id,
                                 logged_by_person_id=manager.person.id or 0))
        session.add(Activity(station_id=other.station.id or 0, activity_type="training", title="not evaluated",
                             started_on=dt.date(2027, 5, 1), demand_unit_id=open_unit.id,
                             logged_by_person_id=other.person.id or 0))
        await session.commit()
    return manager.user.id


async def test_yearly_evaluation_reaches_bound_and_unbound_units(sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 11, 20, 10, 0, tzinfo=SHANGHAI))
    manager_chat = await setup(sandbox)
    await sandbox.send(STAFF, "/start")
    launched = joined(await sandbox.send(STAFF, "/evaluation 2027"))
    assert "2 个新请求" in launched or "2 new requests" in launched, launched
    again = joined(await sandbox.send(STAFF, "/evaluation 2027"))
    assert "0 个新请求" in again or "0 new requests" in again, "running it twice creates no second request per unit"

    asked = await render_pending(sandbox, BOUND.id)
    assert any("evaluation of its work in 2027" in c.text for c in asked)
    await sandbox.press(BOUND, "★4")
    await sandbox.send(BOUND, "Solved two casting defects.")
    await sandbox.press(BOUND, "Yes")
    done = joined(await sandbox.press(BOUND, "Nothing to add"))
    assert "Thank you" in done

    link_message = await render_pending(sandbox, manager_chat)
    token = re.search(r"start=([A-Za-z0-9_-]+)", " ".join(c.text for c in link_message))
    assert token is not None
    first = joined(await sandbox.send(NEWCOMER, f"/start {token.group(1)}"))
    assert "贵阳某学会工作站" in first
    await sandbox.press(NEWCOMER, "★2")
    await sandbox.send(NEWCOMER, "帮助不大")
    await sandbox.press(NEWCOMER, "否")
    await sandbox.send(NEWCOMER, "希望多来现场")
    async with sandbox.services.db.session() as session:
        ratings = (await session.exec(select(Rating).order_by(Rating.id))).all()
        requests = (await session.exec(select(RatingRequest))).all()
        contact = (await session.exec(select(Person).where(Person.telegram_user_id == NEWCOMER.id))).one()
    assert [r.kind for r in requests] == ["yearly", "yearly"]
    assert [r.score for r in ratings] == [80.0, 40.0]  # 4 stars = 满意 = 80, 2 stars = 40
    assert ratings[0].answers == {"overall": 4, "achievements": "Solved two casting defects.", "continue": True,
                                  "comment": ""}
    assert ratings[1].answers["continue"] is False and ratings[1].comment == "希望多来现场"
    assert contact.role == "demand_contact", "opening the link binds the unit's contact for next time"


async def test_evaluation_buttons_are_checked(sandbox: Sandbox, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 11, 20, 10, 0, tzinfo=SHANGHAI))
    await setup(sandbox)
    await sandbox.send(STAFF, "/start")
    await sandbox.send(STAFF, "/evaluation 2027")
    async with sandbox.services.db.session() as session:
        request_ids = [r.id for r in (await session.exec(select(RatingRequest))).all()]
    stranger_contact = User(6103, "Other contact", "en")
    async with sandbox.services.db.session() as session:
        session.add(Person(telegram_user_id=stranger_contact.id, chat_id=stranger_contact.id,
                           role=Role.demand_contact, language="en", demand_unit_id=None))
        await session.commit()
    for request_id in request_ids:
        reply = joined(await sandbox.press_data(stranger_contact, f"ev:{request_id}:0:5"))
        assert "no longer active" in reply
    await render_pending(sandbox, BOUND.id)
    skipped = joined(await sandbox.press_data(BOUND, f"ev:{request_ids[0]}:2:y"))
    assert "no longer active" in skipped, "a later question cannot be answered before the current one"
    async with sandbox.services.db.session() as session:
        assert (await session.exec(select(Rating))).all() == []
