"""The one recipient query per group (issue 15): who counts as active staff, station managers, demand contacts."""

from __future__ import annotations

from storage.db import Database
from storage.models import Person, Role
from storage.recipients import active_staff, demand_contacts, once_per_person, station_managers
from tests.helpers import add_station
from tests.outbox.support import add_person


async def test_each_group_is_active_bindings_with_a_chat_and_reachable_unless_asked(db: Database) -> None:
    a = await add_station(db, "A")
    b = await add_station(db, "B")
    assert a.id is not None and b.id is not None
    await add_person(db, 1, station_id=a.id)
    await add_person(db, 2, station_id=b.id, role=Role.liaison.value)
    await add_person(db, 1, station_id=b.id)  # the same person managing a second station
    blocked = await add_person(db, 3, station_id=a.id)
    gone = await add_person(db, 4, station_id=a.id)
    await add_person(db, 5, role=Role.staff.value)
    await add_person(db, 6, role=Role.demand_contact.value)
    async with db.session() as session:
        for person, change in ((blocked, {"reachable": False}), (gone, {"active": False})):
            row = await session.get(Person, person.id)
            assert row is not None
            for key, value in change.items():
                setattr(row, key, value)
            session.add(row)
        session.add(Person(telegram_user_id=7, chat_id=None, role=Role.staff.value))  # never opened the bot
        await session.commit()
        assert [p.chat_id for p in await station_managers(session)] == [1, 2, 1]
        assert [p.chat_id for p in await station_managers(session, [a.id])] == [1]
        assert [p.chat_id for p in await station_managers(session, [a.id], reachable_only=False)] == [1, 3]
        assert [p.chat_id for p in once_per_person(await station_managers(session))] == [1, 2]
        assert [p.chat_id for p in await active_staff(session)] == [5]
        assert [p.chat_id for p in await demand_contacts(session)] == [6]
        assert await station_managers(session, []) == []
