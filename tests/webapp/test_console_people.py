"""Console people pages (issue 13 §6): invitations redeemed in chat, deactivation, moving a manager, API tokens."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select

from bot.webapp.app import create_web_app
from bot.webapp.console.auth import COOKIE
from storage.models import ApiToken, AuditLog, ConsoleSession, Invite, Person, Role, Station, StationStatus
from testing.client import Sandbox, User, joined
from testing.outbox_flush import render_pending
from tests.security.support import CONTACT, MANAGER_A, MANAGER_B, STAFF_EN, World, seed
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link

__all__ = ["browser_like"]
START_LINK = re.compile(r"https://t\.me/\w*\?start=([A-Za-z0-9_-]+)")
STELLA = User(3100, "Stella", "en")


async def person_of(box: Sandbox, user: User) -> Person:
    async with box.services.db.session() as session:
        return (await session.exec(select(Person).where(Person.telegram_user_id == user.id)
                                   .order_by(Person.id))).first()  # type: ignore[arg-type,return-value]


def confirmed(client: httpx.AsyncClient) -> dict[str, str]:
    """The second press: the confirmation page's form (CSRF token and ``confirm=yes``)."""
    return {"csrf": csrf_of(client), "confirm": "yes"}


async def signed_in(box: Sandbox, client: httpx.AsyncClient, user: User = STAFF_EN) -> None:
    assert (await sign_in(client, await web_link(box, user))).status_code == 303


async def test_an_invite_made_in_the_console_is_redeemed_once_in_chat(web_box: Sandbox,
                                                                       browser_like: httpx.AsyncClient) -> None:
    world = await seed(web_box.services.db)
    await signed_in(web_box, browser_like)
    listing = await browser_like.get("/console/people", params={"role": "manager"})
    assert listing.status_code == 200 and "Alice" in listing.text and "Bob" in listing.text
    assert "Carol" not in listing.text  # filtered by role
    made = await browser_like.post("/console/people/invite", data={"csrf": csrf_of(browser_like), "role": "liaison",
                                                                  "station": str(world.station_a.id)})
    assert made.status_code == 200 and "<svg" in made.text and "QR code of the same link" in made.text
    token = START_LINK.search(made.text).group(1)  # type: ignore[union-attr]
    async with web_box.services.db.session() as session:
        invite = (await session.exec(select(Invite).where(Invite.purpose == "invite"))).one()
        staff = (await session.exec(select(Person).where(Person.telegram_user_id == STAFF_EN.id))).one()
        audit = (await session.exec(select(AuditLog).where(AuditLog.action == "invite_created"))).one()
    assert token not in invite.token_hash and invite.role == "liaison" and invite.station_id == world.station_a.id
    assert audit.person_id == staff.id and invite.created_by_person_id == staff.id

    newcomer, latecomer = User(5001, "Lin", "en"), User(5002, "Late", "en")
    welcome = joined(await web_box.send(newcomer, f"/start {token}"))
    assert world.station_a.name in welcome
    liaison = await person_of(web_box, newcomer)
    assert (liaison.role, liaison.station_id, liaison.active) == (Role.liaison.value, world.station_a.id, True)
    refused = joined(await web_box.send(latecomer, f"/start {token}"))
    assert "already been used" in refused
    async with web_box.services.db.session() as session:
        assert (await session.exec(select(Person).where(Person.telegram_user_id == latecomer.id))).first() is None


async def test_a_station_invite_needs_a_station_and_staff_invites_need_none(web_box: Sandbox,
                                                                           browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await signed_in(web_box, browser_like)
    csrf = csrf_of(browser_like)
    missing = await browser_like.post("/console/people/invite", data={"csrf": csrf, "role": "manager", "station": ""})
    assert missing.status_code == 409 and "no station with that number" in missing.text
    bad_role = await browser_like.post("/console/people/invite", data={"csrf": csrf, "role": "demand_contact"})
    assert bad_role.status_code == 400
    staff = await browser_like.post("/console/people/invite", data={"csrf": csrf, "role": "staff", "station": "1"})
    assert staff.status_code == 200 and "all stations (staff)" in staff.text
    async with web_box.services.db.session() as session:
        invites = (await session.exec(select(Invite).where(Invite.purpose == "invite"))).all()
    assert [(i.role, i.station_id) for i in invites] == [("staff", None)]


async def test_deactivating_a_staff_member_ends_their_console_session_at_once(web_box: Sandbox,
                                                                             browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    async with web_box.services.db.session() as session:
        session.add(Person(telegram_user_id=STELLA.id, chat_id=STELLA.id, name="Stella", role=Role.staff, language="en"))
        await session.commit()
    await signed_in(web_box, browser_like)
    app = create_web_app(web_box.app, web_box.services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1") as stella:
        await signed_in(web_box, stella, STELLA)
        assert (await stella.get("/console/people")).status_code == 200
        target = await person_of(web_box, STELLA)
        no_csrf = await browser_like.post(f"/console/people/{target.id}/deactivate", data={"confirm": "yes"})
        assert no_csrf.status_code == 403 and (await person_of(web_box, STELLA)).active
        asked = await browser_like.post(f"/console/people/{target.id}/deactivate", data={"csrf": csrf_of(browser_like)})
        assert asked.status_code == 200 and "Deactivate Stella (Staff member)?" in asked.text
        assert 'name="confirm" value="yes"' in asked.text and (await person_of(web_box, STELLA)).active
        done = await browser_like.post(f"/console/people/{target.id}/deactivate", data=confirmed(browser_like))
        assert done.status_code == 200 and "Stella is deactivated" in done.text
        async with web_box.services.db.session() as session:
            sessions = (await session.exec(select(ConsoleSession).where(ConsoleSession.person_id == target.id))).all()
        assert sessions and all(s.ended_at is not None for s in sessions)
        assert (await stella.get("/console/people")).status_code == 401  # out at her very next request
        assert stella.cookies.get(COOKIE, path="/console")  # the cookie is still there; the server refuses it
    me = await person_of(web_box, STAFF_EN)
    yourself = await browser_like.post(f"/console/people/{me.id}/deactivate", data=confirmed(browser_like))
    assert yourself.status_code == 409 and (await person_of(web_box, STAFF_EN)).active


async def test_a_deactivated_manager_is_no_longer_a_manager_in_chat(web_box: Sandbox,
                                                                    browser_like: httpx.AsyncClient) -> None:
    world = await seed(web_box.services.db)
    await signed_in(web_box, browser_like)
    before = joined(await web_box.send(MANAGER_A, "/status"))
    assert world.station_a.name in before
    alice = await person_of(web_box, MANAGER_A)
    done = await browser_like.post(f"/console/people/{alice.id}/deactivate", data=confirmed(browser_like))
    assert done.status_code == 200
    after = joined(await web_box.send(MANAGER_A, "/status"))
    assert world.station_a.name not in after
    again = await browser_like.post(f"/console/people/{alice.id}/deactivate", data=confirmed(browser_like))
    assert again.status_code == 409 and "already deactivated" in again.text
    listed = await browser_like.get("/console/people", params={"active": "inactive"})
    assert "Alice" in listed.text and "Bob" not in listed.text


async def test_moving_a_manager_to_another_station_takes_a_free_live_seat(web_box: Sandbox,
                                                                         browser_like: httpx.AsyncClient) -> None:
    """One manager per station (every seed's staffing names one 站长): the seat must be free first."""
    world: World = await seed(web_box.services.db)
    async with web_box.services.db.session() as session:
        closed = Station(name="Closed Station", policy_profile="gd-quality", region="佛山",
                         status=StationStatus.revoked.value)
        session.add(closed)
        await session.commit()
    await signed_in(web_box, browser_like)
    csrf = csrf_of(browser_like)
    alice, bob, carol = [await person_of(web_box, u) for u in (MANAGER_A, MANAGER_B, CONTACT)]
    move = f"/console/people/{alice.id}/move"
    seat_taken = await browser_like.post(move, data={"csrf": csrf, "station": str(world.station_b.id)})
    assert seat_taken.status_code == 409 and "already has an active manager" in seat_taken.text
    assert (await browser_like.post(move, data={"csrf": csrf, "station": str(closed.id)})).status_code == 409
    assert (await browser_like.post(move, data={"csrf": csrf, "station": "99999"})).status_code == 409
    not_manager = await browser_like.post(f"/console/people/{carol.id}/move",
                                          data={"csrf": csrf, "station": str(world.station_b.id)})
    assert not_manager.status_code == 409
    assert (await person_of(web_box, MANAGER_A)).station_id == world.station_a.id

    await browser_like.post(f"/console/people/{bob.id}/deactivate", data={"csrf": csrf, "confirm": "yes"})
    moved = await browser_like.post(move, data={"csrf": csrf, "station": str(world.station_b.id)})
    assert moved.status_code == 200 and f"Alice now manages {world.station_b.name}" in moved.text
    assert (await person_of(web_box, MANAGER_A)).station_id == world.station_b.id
    async with web_box.services.db.session() as session:
        audit = (await session.exec(select(AuditLog).where(AuditLog.action == "manager_moved"))).one()
    assert audit.detail == {"from_station_id": world.station_a.id, "to_station_id": world.station_b.id}
    assert audit.subject == f"person:{alice.id}" and audit.person_id == (await person_of(web_box, STAFF_EN)).id
    told = joined(await render_pending(web_box, MANAGER_A.id))
    assert (f"Staff have moved you from {world.station_a.name} to {world.station_b.name}: "
            f"you now manage {world.station_b.name}") in told, told
    status = joined(await web_box.send(MANAGER_A, "/status"))
    assert world.station_b.name in status and world.station_a.name not in status


async def test_an_api_token_is_shown_once_works_and_stops_when_revoked(web_box: Sandbox,
                                                                      browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await signed_in(web_box, browser_like)
    csrf = csrf_of(browser_like)
    made = await browser_like.post("/console/tokens", data={"csrf": csrf, "name": "city dashboard",
                                                           "scope": "aggregates"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    token = re.search(r'<code id="token-value">(sbt_[A-Za-z0-9_-]+)</code>', made.text).group(1)  # type: ignore[union-attr]
    listing = await browser_like.get("/console/tokens")
    assert "city dashboard" in listing.text and token not in listing.text  # shown once
    async with web_box.services.db.session() as session:
        row = (await session.exec(select(ApiToken))).one()
    assert row.scope == "aggregates" and token not in row.token_hash
    app = create_web_app(web_box.app, web_box.services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1",
                                 headers={"Authorization": f"Bearer {token}"}) as api:
        assert (await api.get("/api/v1/stations")).status_code == 200
        assert (await api.get("/api/v1/ratings?station_id=1")).status_code == 403  # the scope is kept
        asked = await browser_like.post(f"/console/tokens/{row.id}/revoke", data={"csrf": csrf})
        assert "Revoke token" in asked.text and (await api.get("/api/v1/stations")).status_code == 200
        revoked = await browser_like.post(f"/console/tokens/{row.id}/revoke", data={"csrf": csrf, "confirm": "yes"})
        assert revoked.status_code == 200 and "is revoked" in revoked.text
        assert (await api.get("/api/v1/stations")).status_code == 401
    bad = await browser_like.post("/console/tokens", data={"csrf": csrf, "name": "x", "scope": "root"})
    assert bad.status_code == 400
    async with web_box.services.db.session() as session:
        assert len((await session.exec(select(ApiToken))).all()) == 1
        actions = [a.action for a in (await session.exec(select(AuditLog).order_by(AuditLog.id))).all()]  # type: ignore[arg-type]
    assert "api_token_created" in actions and "api_token_revoked" in actions


async def test_people_are_searched_and_paged(web_box: Sandbox, browser_like: httpx.AsyncClient) -> None:
    world = await seed(web_box.services.db)
    async with web_box.services.db.session() as session:
        session.add_all([Person(telegram_user_id=6000 + n, name=f"Liaison {n:02d}", role=Role.liaison,
                                station_id=world.station_a.id) for n in range(55)])
        await session.commit()
    await signed_in(web_box, browser_like)
    first = await browser_like.get("/console/people", params={"role": "liaison"})
    assert first.text.count('<tr id="person-') == 50 and "Page 1 of 2" in first.text
    second = await browser_like.get("/console/people", params={"role": "liaison", "page": "2"})
    assert second.text.count('<tr id="person-') == 5 and "Liaison 54" in second.text and "Liaison 00" not in second.text
    one = await browser_like.get("/console/people", params={"q": "Liaison 07"})
    assert one.text.count('<tr id="person-') == 1
    by_station = await browser_like.get("/console/people", params={"q": "Bravo"})  # a station's name finds its people
    assert "Bob" in by_station.text and "Alice" not in by_station.text
    at_b = await browser_like.get("/console/people", params={"station": str(world.station_b.id)})
    assert at_b.text.count('<tr id="person-') == 1 and "Bob" in at_b.text


async def test_staff_named_in_the_settings_are_not_deactivated_behind_their_back(
        web_box: Sandbox, browser_like: httpx.AsyncClient) -> None:
    """The bot makes STAFF_TELEGRAM_IDS staff again at their next message: the console says to change the setting."""
    await seed(web_box.services.db)
    assert STAFF_EN.id in web_box.services.settings.staff_telegram_ids
    async with web_box.services.db.session() as session:
        session.add(Person(telegram_user_id=STELLA.id, chat_id=STELLA.id, name="Stella", role=Role.staff, language="en"))
        await session.commit()
    await signed_in(web_box, browser_like, STELLA)
    configured = await person_of(web_box, STAFF_EN)
    refused = await browser_like.post(f"/console/people/{configured.id}/deactivate", data=confirmed(browser_like))
    assert refused.status_code == 409 and "STAFF_TELEGRAM_IDS" in refused.text
    assert (await person_of(web_box, STAFF_EN)).active
