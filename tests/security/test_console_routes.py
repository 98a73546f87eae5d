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

from bot.services import FixedClock
from bot.webapp.app import create_web_app
from bot.webapp.console.auth import COOKIE
from storage.console import create_login_link, csrf_token, redeem_login_link
from storage.downloads import finish, start_download
from storage.models import (
    Activity,
    ApiToken,
    Broadcast,
    Person,
    Role,
    Station,
    Submission,
    SubmissionDocument,
    SubmissionVersion,
)
from storage.rounds import open_round
from testing.client import Sandbox
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
    ("GET", "/console/documents/{document_id}.docx"): STAFF,
    ("GET", "/console/documents/{document_id}/stamped"): STAFF,
    ("GET", "/console/activities/{activity_id}/evidence/{n}"): STAFF,
    ("GET", "/console/broadcasts"): STAFF,
    ("POST", "/console/broadcasts"): STAFF,
    ("GET", "/console/broadcasts/count"): STAFF,
    ("GET", "/console/broadcasts/{broadcast_id}"): STAFF,
    ("POST", "/console/broadcasts/{broadcast_id}/cancel"): STAFF,
    ("GET", "/console/static/console.js"): PUBLIC,  # the grid's script: a static file, no data
    ("GET", "/console/rounds"): STAFF,
    ("GET", "/console/rounds/{round_id}"): STAFF,
    ("POST", "/console/rounds/{round_id}/scores"): STAFF,
    ("GET", "/console/rounds/{round_id}/verdicts"): STAFF,
    ("POST", "/console/rounds/{round_id}/verdicts"): STAFF,
    ("POST", "/console/rounds/{round_id}/publish"): STAFF,
    ("POST", "/console/rounds/{round_id}/consequences"): STAFF,
    ("GET", "/console/people"): STAFF,
    ("POST", "/console/people/invite"): STAFF,
    ("POST", "/console/people/{person_id}/deactivate"): STAFF,
    ("POST", "/console/people/{person_id}/move"): STAFF,
    ("GET", "/console/tokens"): STAFF,
    ("POST", "/console/tokens"): STAFF,
    ("POST", "/console/tokens/{token_id}/revoke"): STAFF,
    ("GET", "/console/exports"): STAFF,
    ("POST", "/console/exports"): STAFF,
    ("GET", "/console/exports/{download_id}"): STAFF,
    ("GET", "/console/exports/{download_id}/file"): STAFF,
    ("GET", "/console/review"): STAFF,
    ("GET", "/console/review/{submission_id}"): STAFF,
    ("POST", "/console/review/{submission_id}/accept"): STAFF,
    ("POST", "/console/review/{submission_id}/return"): STAFF,
    ("GET", "/console/review/{submission_id}/files/{key}"): STAFF,
}
# What staff's valid request to a route carries, and which row its path names (filled in by ``targets``).
FORMS: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/console/people/invite"): {"role": "staff"},
    ("POST", "/console/people/{person_id}/deactivate"): {"confirm": "yes"},
    ("POST", "/console/tokens/{token_id}/revoke"): {"confirm": "yes"},
    ("POST", "/console/people/{person_id}/move"): {"station": "{free_station}"},
    ("POST", "/console/tokens"): {"name": "matrix", "scope": "aggregates"},
    ("POST", "/console/exports"): {"what": "workbook", "year": "2026"},
    ("POST", "/console/review/{submission_id}/accept"): {"version": "1"},
    ("POST", "/console/review/{submission_id}/return"): {"version": "1", "comment": "Please add the stamp."},
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


async def a_sent_broadcast(sandbox: Sandbox) -> int:
    """A broadcast already on its way (so a staff cancel answers 200, "cannot be cancelled")."""
    async with sandbox.services.db.session() as session:
        staff = (await session.exec(select(Person).where(Person.role == Role.staff.value))).first()
        assert staff is not None and staff.id is not None
        item = Broadcast(created_by_person_id=staff.id, text="Hello", audience={"filters": [{"type": "staff"}]},
                         status="sending", recipients=0)
        session.add(item)
        await session.commit()
        assert item.id is not None
        return item.id


async def targets(sandbox: Sandbox, clock: FixedClock, world: World) -> dict[str, str]:
    """Rows the parametrised paths name: a person for each change, a free station, a token, a ready download,
    a document with its stamped copy and a ledger row with evidence."""
    async with sandbox.services.db.session() as session:
        free = Station(name="Free Station", policy_profile="gd-quality", region="佛山")
        token = ApiToken(name="old", token_hash="0" * 64, created_at=clock())
        session.add_all([free, token])
        row = await start_download(session, kind="workbook", year=2026, detail="", language="en", person_id=None,
                                   now=clock())
        await finish(session, row, "stationbot-2026.xlsx", b"PK", clock())
        people = {p.telegram_user_id: p.id for p in (await session.exec(select(Person))).all()}
        submission = Submission(station_id=world.station_a.id, kind="plan", year=2026)
        session.add(submission)
        await session.flush()
        document = SubmissionDocument(submission_id=submission.id or 0, version=1, kind="plan",
                                      policy_profile="gd-quality", station_id=world.station_a.id, status="sent",
                                      filename="plan.docx", content=b"PK", scan={"file_id": "matrix-scan", "name": "s.pdf"})
        activity = Activity(station_id=world.station_a.id or 0, activity_type="training", title="Evidence",
                            started_on=clock().date(), logged_by_person_id=people[PERSONAS["manager_a"].id] or 0,
                            attachments=[{"file_id": "matrix-photo", "name": "p.jpg", "kind": "photo"}])
        session.add_all([document, activity])
        await session.commit()
    sandbox.api.uploads.update({"matrix-scan": b"%PDF", "matrix-photo": b"JPEG"})
    return {"{document_id}": str(document.id), "{activity_id}": str(activity.id), "{n}": "0",
            "{station_id}": str(world.station_a.id), "{free_station}": str(free.id), "{token_id}": str(token.id),
            "{download_id}": str(row.id), "{deactivated}": str(people[PERSONAS["contact"].id]),
            "{moved}": str(people[PERSONAS["manager_a"].id])}


async def awaiting_review(sandbox: Sandbox, world: World) -> dict[str, str]:
    """Two submissions of station A awaiting review (accept and return each get a fresh one) and a document."""
    async with sandbox.services.db.session() as session:
        person = (await session.exec(select(Person).where(Person.telegram_user_id == PERSONAS["manager_a"].id))).one()
        subs = [Submission(station_id=world.station_a.id, kind="change_report") for _ in range(2)]
        session.add_all(subs)
        await session.flush()
        assert person.id is not None
        session.add_all([SubmissionVersion(submission_id=s.id or 0, version=1, answers={},
                                           submitted_by_person_id=person.id) for s in subs])
        doc = SubmissionDocument(submission_id=subs[0].id or 0, version=1, kind="change_report",
                                 policy_profile="gd-quality", station_id=world.station_a.id, status="sent",
                                 filename="report.docx", content=b"PK document")
        session.add(doc)
        await session.commit()
    return {"{submission}": str(subs[0].id), "{submission_returned}": str(subs[1].id), "{key}": f"d{doc.id}"}


def filled(text: str, ids: dict[str, str]) -> str:
    for key, value in ids.items():
        text = text.replace(key, value)
    return text


@pytest.mark.parametrize("persona", sorted(PERSONAS))
async def test_console_routes_by_persona(sandbox: Sandbox, clock: FixedClock, persona: str) -> None:
    world = await seed(sandbox.services.db)
    broadcast_id = await a_sent_broadcast(sandbox)
    async with sandbox.services.db.session() as session:
        rnd, _ = await open_round(session, profile_id="gd-quality", period_end=2026, deadline=clock().date(),
                                  person_id=None, now=clock())
        await session.commit()
    app = create_web_app(sandbox.app, sandbox.services)
    ids = await targets(sandbox, clock, world) | await awaiting_review(sandbox, world)
    problems: list[str] = []
    for (method, path), rule in sorted(ROUTES.items()):
        if rule == PUBLIC:
            continue
        url = path.replace("{person_id}", "{deactivated}" if path.endswith("deactivate") else "{moved}")
        url = filled(url.replace("{submission_id}", "{submission_returned}" if url.endswith("/return") else "{submission}"),
                     ids)
        url = url.replace("{round_id}", str(rnd.id)).replace("{broadcast_id}", str(broadcast_id))
        for with_csrf in ((False, True) if method == "POST" else (True,)):
            token = await session_for(sandbox, clock, persona)
            before = await snapshot(sandbox.services.db)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1") as c:
                if token is not None:
                    c.cookies.set(COOKIE, token, domain="127.0.0.1", path="/console")
                data = {key: filled(value, ids) for key, value in FORMS.get((method, path), {}).items()}
                if with_csrf and token:
                    data["csrf"] = csrf_token(token)
                answer = await (c.post(url, data=data) if method == "POST" else c.get(url))
                await sandbox.services.background.idle()  # a file being prepared is part of the request's effect
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
