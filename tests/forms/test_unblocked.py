"""A person marked unreachable (the bot got 403) who writes to the bot again gets reminders and notices again."""

from __future__ import annotations

from storage.models import Person
from storage.recipients import station_managers
from testing.client import Sandbox
from tests.forms.conftest import Seat


async def test_writing_to_the_bot_after_unblocking_makes_a_person_reachable_again(sandbox: Sandbox,
                                                                                  alice: Seat) -> None:
    async with sandbox.services.db.session() as session:
        person = await session.get(Person, alice.person.id)
        assert person is not None
        person.reachable = False  # as after a 403 "bot was blocked by the user"
        session.add(person)
        await session.commit()
        assert alice.person.id not in [p.id for p in await station_managers(session, [alice.station.id or 0])]
    await sandbox.send(alice.user, "/status")
    async with sandbox.services.db.session() as session:
        person = await session.get(Person, alice.person.id)
        assert person is not None and person.reachable is True
        assert alice.person.id in [p.id for p in await station_managers(session, [alice.station.id or 0])]
