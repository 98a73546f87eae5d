"""/people in chat (issue 13 §6, left for chat): staff find a person by typing, then deactivate them or move a
manager, each confirmed with a button, through the console's use cases (``services.people``): the same refusals
and the same audit lines. Buttons from old messages act on what is true now.
"""

from __future__ import annotations

import copy

from sqlmodel import select

from storage.models import AuditLog, OutboxMessage, Person, Station
from testing.client import Sandbox, joined
from testing.outbox_flush import render_pending
from tests.helpers import add_station
from tests.security.support import ALPHA, BRAVO, MANAGER_A, MANAGER_B, STAFF_EN, audit_count, seed, snapshot

CHARLIE = "Charlie Ceramics Station"
DELTA = "Delta Dyeworks Station"


async def person(box: Sandbox, telegram_id: int) -> Person:
    async with box.services.db.session() as session:
        return (await session.exec(select(Person).where(Person.telegram_user_id == telegram_id))).one()


async def audit(box: Sandbox, action: str) -> list[AuditLog]:
    async with box.services.db.session() as session:
        return list((await session.exec(select(AuditLog).where(AuditLog.action == action))).all())


async def free_stations(box: Sandbox) -> tuple[Station, Station]:
    """Two stations with no manager, to move a manager to."""
    return (await add_station(box.services.db, CHARLIE, region="佛山"),
            await add_station(box.services.db, DELTA, region="韶关"))


async def offer_bob_a_move(box: Sandbox, typed: str, station: str) -> None:
    """Staff find Bob, choose "Move…", type part of a station's name and pick it: the confirmation is shown."""
    await box.send(STAFF_EN, "/people Bob")
    await box.press(STAFF_EN, f"Bob · Station manager · {BRAVO}")
    await box.press(STAFF_EN, "Move to another station…")
    await box.send(STAFF_EN, typed)
    await box.press(STAFF_EN, station)


async def test_staff_find_a_manager_by_typing_and_deactivate_them_after_confirming(sandbox: Sandbox) -> None:
    await seed(sandbox.services.db)
    asked = joined(await sandbox.send(STAFF_EN, "/people"))
    assert "Type part of a name, a phone number or a station name" in asked
    assert "Nobody active matches “Zoe”" in joined(await sandbox.send(STAFF_EN, "Zoe"))  # still asking
    found = joined(await sandbox.send(STAFF_EN, "porcelain"))  # by the station's name
    assert "1 person matches “porcelain”:" in found, found
    card = joined(await sandbox.press(STAFF_EN, f"Alice · Station manager · {ALPHA}"))
    assert "Role: Station manager" in card and f"Station: {ALPHA}" in card
    question = joined(await sandbox.press(STAFF_EN, "Deactivate…"))
    assert f"Deactivate Alice (Station manager, {ALPHA})?" in question
    assert (await person(sandbox, MANAGER_A.id)).active, "nothing happens before the confirmation"
    done = joined(await sandbox.press(STAFF_EN, "Yes, deactivate"))
    assert "Alice is deactivated: the bot no longer treats them as Station manager" in done, done
    alice, staff = await person(sandbox, MANAGER_A.id), await person(sandbox, STAFF_EN.id)
    assert not alice.active
    [line] = await audit(sandbox, "person_deactivated")
    assert (line.person_id, line.subject, line.detail["station_id"]) == (staff.id, f"person:{alice.id}", alice.station_id)
    assert "Access is by invitation only" in joined(await sandbox.send(MANAGER_A, "/status")), "no longer a manager"
    # The confirmation pressed again (an old message, a double tap): the use case refuses, nothing more is logged.
    again = joined(await sandbox.press_data(STAFF_EN, f"pp:D:{alice.id}"))
    assert "This person is already deactivated." in again
    assert len(await audit(sandbox, "person_deactivated")) == 1


async def test_moving_a_manager_is_refused_to_a_station_with_a_manager_and_done_to_a_free_one(
        sandbox: Sandbox) -> None:
    await seed(sandbox.services.db)
    charlie, _ = await free_stations(sandbox)
    await sandbox.send(STAFF_EN, "/people Bob")
    await sandbox.press(STAFF_EN, f"Bob · Station manager · {BRAVO}")
    assert "Type part of its name or its number" in joined(await sandbox.press(STAFF_EN, "Move to another station…"))
    offered = joined(await sandbox.send(STAFF_EN, "Alpha"))
    assert "Where should Bob move?" in offered
    await sandbox.press(STAFF_EN, "manager: Alice")  # the list says the seat is taken; staff may still try
    refused = joined(await sandbox.press(STAFF_EN, "Yes, move"))
    assert "That station already has an active manager: deactivate or move them first." in refused, refused
    bob = await person(sandbox, MANAGER_B.id)
    assert bob.station_id != (await person(sandbox, MANAGER_A.id)).station_id and await audit(sandbox, "manager_moved") == []

    await sandbox.press(STAFF_EN, "Move to another station…")
    await sandbox.send(STAFF_EN, str(charlie.id))  # by its number
    sandbox.find_button(STAFF_EN, f"{charlie.id} · {CHARLIE} · no manager")  # the free seat is shown as free
    question = joined(await sandbox.press(STAFF_EN, "no manager"))
    assert f"Move Bob from {BRAVO} to {CHARLIE}?" in question
    done = joined(await sandbox.press(STAFF_EN, "Yes, move"))
    assert f"Bob now manages {CHARLIE}." in done and f"Station: {CHARLIE}" in done, done
    moved = await person(sandbox, MANAGER_B.id)
    [line] = await audit(sandbox, "manager_moved")
    assert moved.station_id == charlie.id
    assert line.detail == {"from_station_id": bob.station_id, "to_station_id": charlie.id}
    assert line.person_id == (await person(sandbox, STAFF_EN.id)).id
    told = joined(await render_pending(sandbox, MANAGER_B.id))
    assert f"Staff have moved you from {BRAVO} to {CHARLIE}: you now manage {CHARLIE}" in told, told
    assert await render_pending(sandbox, MANAGER_B.id) == [], "the move is told once"
    assert CHARLIE in joined(await sandbox.send(MANAGER_B, "/status")), "Bob now reports for Charlie"


async def test_a_move_button_from_an_old_message_does_not_move_a_manager_moved_since(sandbox: Sandbox) -> None:
    await seed(sandbox.services.db)
    charlie, delta = await free_stations(sandbox)
    await offer_bob_a_move(sandbox, "Charlie", CHARLIE)
    old_message, old_data = sandbox.find_button(STAFF_EN, "Yes, move")
    old_message = copy.deepcopy(old_message)  # the message as it was; the chat goes on below
    # Meanwhile Bob is moved to Delta (a colleague, or the same staff member in a second search).
    await offer_bob_a_move(sandbox, "Delta", DELTA)
    await sandbox.press(STAFF_EN, "Yes, move")
    assert (await person(sandbox, MANAGER_B.id)).station_id == delta.id
    stale = joined(await sandbox.press_data(STAFF_EN, old_data, old_message))
    assert "This button is no longer active." in stale and f"Station: {DELTA}" in stale, stale
    assert (await person(sandbox, MANAGER_B.id)).station_id == delta.id != charlie.id
    assert len(await audit(sandbox, "manager_moved")) == 1


async def test_people_is_refused_to_non_staff_and_forged_buttons_change_nothing(sandbox: Sandbox) -> None:
    await seed(sandbox.services.db)
    bob = await person(sandbox, MANAGER_B.id)
    before, logged = await snapshot(sandbox.services.db), await audit_count(sandbox.services.db)
    assert "You cannot do that with your current role" in joined(await sandbox.send(MANAGER_A, "/people Bob"))
    for data in (f"pp:D:{bob.id}", f"pp:M:{bob.id}:{bob.station_id}:{bob.station_id}", f"pp:s:{bob.id}"):
        calls = await sandbox.press_data(MANAGER_A, data)
        assert any("You cannot do that with your current role" in (c.params.get("text") or "") for c in calls), data
    assert await snapshot(sandbox.services.db) == before and await audit_count(sandbox.services.db) == logged
    # Staff themselves: never offered to deactivate themselves; a forged press is refused by the use case.
    staff = await person(sandbox, STAFF_EN.id)
    card = await sandbox.press_data(STAFF_EN, f"pp:s:{staff.id}")
    assert "Deactivate…" not in str([c.params.get("reply_markup") for c in card])
    assert "You cannot deactivate yourself" in joined(await sandbox.press_data(STAFF_EN, f"pp:D:{staff.id}"))
    assert "This button is no longer active." in joined(await sandbox.press_data(STAFF_EN, "pp:D:x"))
    assert (await person(sandbox, STAFF_EN.id)).active


async def test_a_broadcast_started_while_a_search_is_still_asking_gets_the_text_typed_next(sandbox: Sandbox) -> None:
    """A staff question left open (/people asking for a name) must not swallow the broadcast's text."""
    await seed(sandbox.services.db)
    assert "Type part of a name" in joined(await sandbox.send(STAFF_EN, "/people"))
    assert "Send the text of the broadcast" in joined(await sandbox.send(STAFF_EN, "/broadcast"))
    answer = joined(await sandbox.send(STAFF_EN, "The plan is due on Friday"))
    assert "Who should receive it?" in answer and "matches" not in answer, answer


async def test_a_moved_manager_who_reads_chinese_is_told_in_chinese_at_once(sandbox: Sandbox) -> None:
    """The notice goes out in the manager's own language, and is not held for quiet hours (what they file next goes
    to the new station)."""
    await seed(sandbox.services.db)
    await free_stations(sandbox)
    async with sandbox.services.db.session() as session:
        bob = (await session.exec(select(Person).where(Person.telegram_user_id == MANAGER_B.id))).one()
        bob.language, bob.language_chosen = "zh_Hans", True
        session.add(bob)
        await session.commit()
    await offer_bob_a_move(sandbox, "Charlie", CHARLIE)
    await sandbox.press(STAFF_EN, "Yes, move")
    async with sandbox.services.db.session() as session:
        [row] = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "manager_moved"))).all()
    assert (row.chat_id, row.respect_quiet_hours) == (MANAGER_B.id, False)
    told = joined(await render_pending(sandbox, MANAGER_B.id))
    assert f"工作人员已将您从 {BRAVO} 调至 {CHARLIE}：您现为 {CHARLIE} 的站长" in told, told
