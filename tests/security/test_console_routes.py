"""Every route of the staff web console against every persona's session, table-driven (issue 13).

Like the chat matrix in test_routes_by_role.py: the expectation is written from the rule (the console
is for active staff only; the sign-in pages are public), and a console route added without a line
here fails ``test_every_console_route_is_classified``.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select

from bot.sandbox_client import Sandbox
from bot.services import FixedClock
from bot.webapp.app import create_web_app
from bot.webapp.console.auth import COOKIE
from storage.console import create_login_link, csrf_token, redeem_login_link
from storage.db import Database
from storage.models import Person, Role, Submission, SubmissionDocument, SubmissionVersion
from tests.security.routes import api_routes
from tests.security.support import PERSONAS, World, seed, snapshot

PUBLIC = "public"  # the sign-in pages: anyone, no session needed
STAFF = "staff"  # a live session of an active staff member, and a CSRF token for POST
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("POST", "/console/logout"): STAFF,
    ("GET", "/console/"): STAFF,
    ("GET", "/console/stations"): STAFF,
    ("GET", "/console/stations/{station_id}"): STAFF,
    ("GET", "/console/review"): STAFF,
    ("GET", "/console/review/{submission_id}"): STAFF,
    ("POST", "/console/review/{submission_id}/accept"): STAFF,
    ("POST", "/console/review/{submission_id}/return"): STAFF,
    ("GET", "/console/review/{submission_id}/files/{key}"): STAFF,
}


def console_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {(method, path) for path, route in api_routes(app.routes) if path.startswith("/console")
            for method in route.methods}


def test_every_console_route_is_classified(sandbox: Sandbox) -> None:
    found = console_routes(create_web_app(sandbox.app, sandbox.services))
    assert found - set(ROUTES) == set(), "classify the new console routes in ROUTES"
    assert set(ROUTES) - found == set(), "a classified console route no longer exists"
    assert len(found) == len(ROUTES) > 0


async def session_for(sandbox: Sandbox, clock: FixedClock, persona: str) -> str | None:
    """A console session bound to the persona's person (forged for non-staff: what a bug might leave)."""
    if persona == "stranger":
        return None
    async with sandbox.services.db.session() as session:
        person = (await session.exec(select(Person).where(Person.telegram_user_id == PERSONAS[persona].id))).one()
        role = person.role
        person.role = Role.staff.value
        token = await create_login_link(session, person, clock())
        signed = await redeem_login_link(session, token, f"ip:{persona}", clock())
        person.role = role
        session.add(person)
        await session.commit()
    assert not isinstance(signed, str)
    return signed.session_token


async def awaiting_review(db: Database, world: World) -> tuple[int, int, int]:
    """Two submissions of station A awaiting review and the printed document of the first."""
    async with db.session() as session:
        person = (await session.exec(select(Person).where(Person.telegram_user_id == PERSONAS["manager_a"].id))).one()
        subs = [Submission(station_id=world.station_a.id, kind="change_report") for _ in range(2)]
        session.add_all(subs)
        await session.flush()
        assert person.id is not None and subs[0].id is not None and subs[1].id is not None
        session.add_all([SubmissionVersion(submission_id=s.id, version=1, answers={}, submitted_by_person_id=person.id)
                         for s in subs if s.id is not None])
        doc = SubmissionDocument(submission_id=subs[0].id, version=1, kind="change_report",
                                 policy_profile="gd-quality", station_id=world.station_a.id, status="sent",
                                 filename="report.docx", content=b"PK document")
        session.add(doc)
        await session.commit()
        assert doc.id is not None
        return subs[0].id, subs[1].id, doc.id


@pytest.mark.parametrize("persona", sorted(PERSONAS))
async def test_console_routes_by_persona(sandbox: Sandbox, clock: FixedClock, persona: str) -> None:
    world = await seed(sandbox.services.db)
    to_review = await awaiting_review(sandbox.services.db, world)
    app = create_web_app(sandbox.app, sandbox.services)
    problems: list[str] = []
    for (method, path), rule in sorted(ROUTES.items()):
        if rule == PUBLIC:
            continue
        # accept and return each get a submission of their own: both are fresh when staff decide
        url = (path.replace("{station_id}", str(world.station_a.id))
               .replace("{submission_id}", str(to_review[1 if path.endswith("/return") else 0]))
               .replace("{key}", f"d{to_review[2]}"))
        for with_csrf in ((False, True) if method == "POST" else (True,)):
            token = await session_for(sandbox, clock, persona)
            before = await snapshot(sandbox.services.db)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1") as c:
                if token is not None:
                    c.cookies.set(COOKIE, token, domain="127.0.0.1", path="/console")
                data = {"csrf": csrf_token(token)} if with_csrf and token else {}
                data |= {"version": "1", "comment": "Please add the stamp."} if method == "POST" else {}
                answer = await (c.post(url, data=data) if method == "POST" else c.get(url))
            label = f"{persona} {method} {url}{'' if with_csrf else ' without CSRF'}"
            if persona == "stranger":
                expected = 401
            elif persona != "staff":
                expected = 403
            else:
                expected = 200 if with_csrf else 403
            if answer.status_code != expected:
                problems.append(f"{label}: {answer.status_code}, expected {expected}")
            if expected != 200 and await snapshot(sandbox.services.db) != before:
                problems.append(f"{label}: refused, yet the database changed")
    assert problems == []
