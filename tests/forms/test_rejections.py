"""Every field type's rejected inputs, through the real Application: a clear answer, the draft unchanged."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.sandbox_client import Sandbox, joined
from storage.models import Draft
from tests.forms.conftest import Seat

ACTIVITY_TO_UNIT = ["/log", "!Quality training and consulting", "Title", "2027-01-20", "!Skip"]
NEW_UNIT = [*ACTIVITY_TO_UNIT, "!➕ Add a new one", "Unit name"]
TO_EXPERT_DAYS = [*NEW_UNIT, "!Skip", "Wang Wu", "13800138000", "Kiln energy use", "!➕ Add experts to the roster",
                  "!Confirm", "Chen Yi", "Professor", "!No", "!Done"]
TO_EVIDENCE = [*TO_EXPERT_DAYS, "1", "12", "!None of these (all 0)"]
TO_BUDGET_AMOUNT = ["/plan", "2028", "Goals", "!Quality training and consulting", "2", "!Done", "!Expert travel",
                    "Travel"]
TO_EXPLANATION = ["/report", "!Address change", "2027-01-20", "No. 1 Road", "!Skip"]
EMOJI = "十二🎉"
HUGE = "字" * 10_000

CASES = [
    ("choice", ["/log"], ["a kind that does not exist", EMOJI], "press one of the buttons"),
    ("short text", ["/log", "!Quality training and consulting"], [HUGE, "   "], ""),
    ("date", ACTIVITY_TO_UNIT[:3], ["2027-02-30", "2099-01-01", EMOJI, "yesterday-ish"], "2027"),
    ("end date before start", ACTIVITY_TO_UNIT[:4], ["2027-01-10"], ""),
    ("credit code", NEW_UNIT, ["91350100M000100Y42", "123", "91350100M000100YI3"], ""),
    ("phone", [*NEW_UNIT, "!Skip", "Wang Wu"], ["+1 415 555 0100", "12345", EMOJI], ""),
    ("integer", TO_EXPERT_DAYS, [EMOJI, "3.5", "12a", "-4"], ""),
    ("attachment", TO_EVIDENCE, ["here is the file"], "file"),
    ("money", TO_BUDGET_AMOUNT, ["abc", "-5", "1.234", EMOJI], ""),
    ("long text", TO_EXPLANATION, [HUGE * 1], "4"),
]


async def walk(box: Sandbox, who: Seat, steps: list[str]) -> None:
    for step in steps:
        if step.startswith("!"):
            await box.press(who.user, step[1:])
        else:
            await box.send(who.user, step)


@pytest.mark.parametrize(("field", "path", "bad_inputs", "hint"), CASES, ids=[c[0] for c in CASES])
async def test_rejected_input_is_explained_and_changes_nothing(sandbox: Sandbox, alice: Seat, field: str,
                                                               path: list[str], bad_inputs: list[str],
                                                               hint: str) -> None:
    await walk(sandbox, alice, path)
    async with sandbox.services.db.session() as session:
        before = (await session.exec(select(Draft))).one()
    for bad in bad_inputs:
        calls = await sandbox.send(alice.user, bad)
        reply = joined(calls)
        assert reply, f"{field}: no answer to {bad[:30]!r}"
        assert "Example" in reply or "expect" in reply.lower() or "please" in reply.lower() or hint in reply, reply
        if hint:
            assert hint in reply, reply
        async with sandbox.services.db.session() as session:
            after = (await session.exec(select(Draft))).one()
        assert (after.rev, after.state) == (before.rev, before.state), f"{field}: {bad[:30]!r} changed the draft"


async def test_a_command_in_the_middle_of_a_form_keeps_the_draft(sandbox: Sandbox, alice: Seat) -> None:
    await walk(sandbox, alice, ACTIVITY_TO_UNIT[:3])
    async with sandbox.services.db.session() as session:
        before = (await session.exec(select(Draft))).one()
    assert "What is due" in joined(await sandbox.send(alice.user, "/status"))
    await sandbox.send(alice.user, "/help")
    async with sandbox.services.db.session() as session:
        after = (await session.exec(select(Draft))).one()
    assert (after.rev, after.state) == (before.rev, before.state)
    assert "Step 4 of" in joined(await sandbox.send(alice.user, "2027-01-20"))
