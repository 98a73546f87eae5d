"""Every field type's rejected inputs, through the real Application: a clear answer, the draft unchanged."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Draft
from testing.client import Sandbox, joined
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

# Each bad input with the part of the answer that explains that very mistake.
CASES: list[tuple[str, list[str], list[tuple[str, str]]]] = [
    ("choice", ["/log"], [("a kind that does not exist", "press one of the buttons, or type the number"),
                          (EMOJI, "press one of the buttons, or type the number")]),
    ("short text", ["/log", "!Quality training and consulting"],
     [(HUGE, "That is 10000 characters; the limit here is 100."), ("   ", "an empty message cannot be saved")]),
    ("date", ACTIVITY_TO_UNIT[:3], [("2027-02-30", "2027-02-30 is not a real date"),
                                    ("2099-01-01", "cannot be in the future: today is Feb 1, 2027"),
                                    (EMOJI, "Please type a date like 2027-02-01"),
                                    ("yesterday-ish", "Please type a date like 2027-02-01")]),
    ("end date before start", ACTIVITY_TO_UNIT[:4], [("2027-01-10", "must be on or after Jan 20, 2027")]),
    ("credit code", NEW_UNIT, [("91350100M000100Y42", "the last character should be 3, not 2"),
                               ("123", "has 18 characters; this one has 3"),
                               ("91350100M000100YI3", "The character I never appears in a credit code")]),
    ("phone", [*NEW_UNIT, "!Skip", "Wang Wu"], [(bad, "does not look like a mainland China phone number")
                                                for bad in ("+1 415 555 0100", "12345", EMOJI)]),
    ("integer", TO_EXPERT_DAYS, [(EMOJI, "whole number using digits only"), ("3.5", "without decimals"),
                                 ("12a", "whole number using digits only"), ("-4", "a number of at least 0")]),
    ("attachment", TO_EVIDENCE, [("here is the file", "send the file itself")]),
    ("money", TO_BUDGET_AMOUNT, [("abc", "amount in yuan using digits"), ("-5", "cannot be negative"),
                                 ("1.234", "at most two decimals"), (EMOJI, "amount in yuan using digits")]),
    ("long text", TO_EXPLANATION, [(HUGE, "the limit here is 4000")]),
]


async def walk(box: Sandbox, who: Seat, steps: list[str]) -> None:
    for step in steps:
        if step.startswith("!"):
            await box.press(who.user, step[1:])
        else:
            await box.send(who.user, step)


@pytest.mark.parametrize(("field", "path", "bad_inputs"), CASES, ids=[c[0] for c in CASES])
async def test_rejected_input_is_explained_and_changes_nothing(sandbox: Sandbox, alice: Seat, field: str,
                                                               path: list[str],
                                                               bad_inputs: list[tuple[str, str]]) -> None:
    await walk(sandbox, alice, path)
    async with sandbox.services.db.session() as session:
        before = (await session.exec(select(Draft))).one()
    for bad, explanation in bad_inputs:
        reply = joined(await sandbox.send(alice.user, bad))
        assert explanation in reply, f"{field}: {bad[:30]!r} got {reply[:300]!r}"
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
