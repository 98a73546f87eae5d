"""Every command, button prefix and menu button against every persona: allowed or refused, table-driven.

The expectation below is written from the product's rules (ARCHITECTURE.md, "Roles are checked at
one door"), not copied from the routes: a stranger can only redeem an invitation; forms, /status
and the form buttons are for station managers; invitations, review queues and broadcasts are
for staff; review buttons for staff and for managers reopening their own returned submissions;
language and /back /skip /cancel for anyone the bot knows. A route added without a line here
fails the test, so every new command is classified on purpose.
"""

from __future__ import annotations

import pytest

from storage.db import Database
from testing.client import Sandbox, User
from testing.sandbox import Call
from tests.security.support import PERSONAS, seed, snapshot

EVERYONE = frozenset(PERSONAS)
KNOWN = EVERYONE - {"stranger"}
MANAGERS = frozenset({"manager_a", "manager_b"})
STAFF_ONLY = frozenset({"staff"})
CONTACTS = frozenset({"contact"})

COMMANDS: dict[str, frozenset[str]] = {
    "start": EVERYONE, "help": EVERYONE, "menu": EVERYONE,
    "language": KNOWN, "back": KNOWN, "skip": KNOWN, "cancel": KNOWN,
    "report": MANAGERS, "plan": MANAGERS, "summary": MANAGERS, "log": MANAGERS, "resume": MANAGERS,
    "status": MANAGERS,
    "invite": STAFF_ONLY, "stations": STAFF_ONLY, "pending": STAFF_ONLY, "broadcast": STAFF_ONLY,
    "broadcasts": STAFF_ONLY, "evaluation": STAFF_ONLY, "dashboard": STAFF_ONLY,
    # The staff web console's one-time sign-in link (issue 13).
    "web": STAFF_ONLY,
    # Managers see their own station's aggregates and pack; staff see everything.
    "ratings": MANAGERS | STAFF_ONLY, "export": MANAGERS | STAFF_ONLY,
    # The yearly assessment (issue 11): scoring the table's manual rows is staff work.
    "scoring": STAFF_ONLY, "scoresheet": STAFF_ONLY, "assess": STAFF_ONLY,
    # A manager files the rectification report of their own station.
    "rectify": MANAGERS,
    "exit": STAFF_ONLY,
    # Station applications: staff publish the link and decide; /apply is for applicants only (none here);
    # anyone the bot knows may read running 公示 and object.
    "apply_link": STAFF_ONLY, "applications": STAFF_ONLY, "apply": frozenset(),
    "notices": KNOWN, "object": KNOWN,
    # A manager corrects "outside the province" on the own station's roster (seed 003 三（三）7).
    "experts": MANAGERS,
    # Paper documents (issue 12): downloads and stamped copies of every station are staff's.
    "documents": STAFF_ONLY,
    # Deactivating a person or moving a manager (the console's use cases) is staff work.
    "people": STAFF_ONLY,
}
BUTTONS: dict[str, frozenset[str]] = {
    "lang": KNOWN, "f": MANAGERS, "fs": MANAGERS, "du": MANAGERS, "rv": MANAGERS | STAFF_ONLY, "inv": STAFF_ONLY,
    "bc": STAFF_ONLY,
    # Rating and evaluation answers come only from demand-unit contacts; resending a link is the manager's.
    "rate": CONTACTS, "ev": CONTACTS, "rlink": MANAGERS, "st": MANAGERS,
    "ms": STAFF_ONLY, "as": STAFF_ONLY,
    "apl": STAFF_ONLY, "ap": STAFF_ONLY, "ob": STAFF_ONLY,
    "ex": MANAGERS,
    "doc": STAFF_ONLY,
    "pp": STAFF_ONLY,
}
NOT_ALLOWED = "You cannot do that with your current role"
INVITATION_ONLY = "invitation only"


def visible(calls: list[Call]) -> str:
    """Everything the person saw: messages, edits and the pop-up of an answered button."""
    return "\n".join(c.text if c.method != "answerCallbackQuery" else str(c.params.get("text") or "")
                     for c in calls)


async def check(sandbox: Sandbox, db: Database, persona: str, allowed_to: frozenset[str], label: str,
                act: object) -> str | None:
    """Run one action; return a description of what went wrong, or None."""
    await sandbox.services.background.idle()  # an earlier action's file, still being made, is not this one's change
    before = await snapshot(db)
    calls: list[Call] = await act  # type: ignore[misc]
    seen = visible(calls)
    if not calls:
        return f"{label}: no answer at all"
    if persona == "stranger":
        if INVITATION_ONLY not in seen:
            return f"{label}: a stranger was not told it is by invitation only: {seen[:120]!r}"
    elif persona in allowed_to and NOT_ALLOWED in seen:
        return f"{label}: refused but should be allowed"
    elif persona not in allowed_to and NOT_ALLOWED not in seen:
        return f"{label}: allowed but should be refused: {seen[:120]!r}"
    if (persona == "stranger" or persona not in allowed_to) and await snapshot(db) != before:
        return f"{label}: refused, yet the database changed"
    return None


def test_every_route_is_classified(sandbox: Sandbox) -> None:
    router = sandbox.app.bot_data["router"]
    assert set(router.commands) - set(COMMANDS) == set(), "classify the new commands in COMMANDS"
    assert set(router.buttons) - set(BUTTONS) == set(), "classify the new button prefixes in BUTTONS"


@pytest.mark.parametrize("persona", sorted(PERSONAS))
async def test_commands_buttons_and_menu_buttons_by_role(sandbox: Sandbox, persona: str) -> None:
    db = sandbox.services.db
    await seed(db)
    user: User = PERSONAS[persona]
    router = sandbox.app.bot_data["router"]
    problems: list[str] = []
    for command in sorted(router.commands):
        allowed_to = COMMANDS.get(command, frozenset())
        for label, act in ((f"/{command}", sandbox.send(user, f"/{command}")),
                           (f"menu m:{command}", sandbox.press_data(user, f"m:{command}"))):
            problem = await check(sandbox, db, persona, allowed_to, label, act)
            if problem:
                problems.append(problem)
        await sandbox.send(user, "/cancel")
    for prefix in sorted(router.buttons):
        problem = await check(sandbox, db, persona, BUTTONS.get(prefix, frozenset()), f"button {prefix}:",
                              sandbox.press_data(user, f"{prefix}:0:0"))
        if problem:
            problems.append(problem)
    assert problems == []
