"""Console: people by station and role, invitations (link and QR), deactivation, moving a manager, API tokens.

Every change calls the use case chat and the CLI call (``services.people``); this module only reads
forms and renders pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from bot.webapp.auth import services_of
from bot.webapp.console.auth import Staff, changing, console_staff
from bot.webapp.console.render import page
from bot.webapp.params import form_int
from conversations.onboarding import ROLE_TITLES
from locales import N_
from services.people import (
    DEACTIVATE_QUESTION,
    DEACTIVATED,
    INVITE_ROLES,
    MOVED,
    PROBLEM_TEXTS,
    PeopleProblem,
    create_token,
    deactivate_person,
    invite_person,
    move_manager,
    revoke_token,
)
from services.qr import qr_svg
from storage.api_tokens import SCOPES
from storage.models import ApiToken, Person, Role, Station
from storage.people_queries import PEOPLE_PAGE, PeopleFilter, api_tokens_newest_first, find_people

router = APIRouter(prefix="/console", include_in_schema=False)

SCOPE_NAMES = {"aggregates": N_("aggregates (counts, averages, scores)"),
               "individual": N_("individual (also single ratings and their comments)"),
               "write": N_("write (everything, and changes)")}


def _refused(request: Request, staff: Staff, problem: PeopleProblem) -> HTMLResponse:
    status = 404 if problem in (PeopleProblem.no_person, PeopleProblem.no_token) else 409
    if problem in (PeopleProblem.bad_role, PeopleProblem.bad_name, PeopleProblem.bad_scope):
        status = 400
    return page(request, "people_done.html", staff.tr, status_code=status, staff=staff, message=PROBLEM_TEXTS[problem],
                back="/console/tokens" if problem in (PeopleProblem.bad_name, PeopleProblem.bad_scope,
                                                      PeopleProblem.no_token) else "/console/people")


def _confirm(request: Request, staff: Staff, action: str, back: str, question: str,
             args: dict[str, Any]) -> HTMLResponse:
    """A page asking to confirm a change: its form posts again with ``confirm=yes``."""
    return page(request, "people_confirm.html", staff.tr, staff=staff, action=action, back=back, message=question,
                args=args)


@router.get("/people", response_class=HTMLResponse)
async def people(request: Request, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    services = services_of(request)
    query = request.query_params
    role = query.get("role", "")
    active = query.get("active", "active")
    wanted = PeopleFilter(role=role if role in ROLE_TITLES else "", station_id=form_int(query.get("station")),
                          search=query.get("q", "").strip()[:100],
                          active=active if active in ("active", "inactive", "all") else "active",
                          page=max(form_int(query.get("page")) or 1, 1))
    async with services.db.session() as session:
        rows, total = await find_people(session, wanted)
    pages = max((total + PEOPLE_PAGE - 1) // PEOPLE_PAGE, 1)
    kept = {k: v for k, v in query.items() if k != "page" and v}

    def link(**changes: Any) -> str:
        return "/console/people?" + urlencode({**kept, **changes})

    return page(request, "people.html", staff.tr, staff=staff, rows=rows, total=total, wanted=wanted, pages=pages,
                link=link, role_names=ROLE_TITLES, invite_roles=INVITE_ROLES, invite_days=services.settings.invite_days)


@router.post("/people/invite", response_class=HTMLResponse)
async def invite(request: Request, signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    """The same invitation as chat /invite; the link and its QR code are shown on this page only."""
    staff, form = signed
    services = services_of(request)
    role = form.get("role", "")
    async with services.db.transaction() as session:
        station_id = form_int(form.get("station", "").strip())
        station = await session.get(Station, station_id) if station_id is not None else None
        if role in (Role.manager.value, Role.liaison.value) and station is None:
            return _refused(request, staff, PeopleProblem.no_station)
        made = await invite_person(session, role=role, station=station, by=staff.person, now=services.now(),
                                   days=services.settings.invite_days)
        if isinstance(made, PeopleProblem):
            return _refused(request, staff, made)
    token, row = made
    link = services.deep_link(token)
    return page(request, "people_invite.html", staff.tr, staff=staff, link=link, qr=qr_svg(link),
                role_name=ROLE_TITLES[role], station=station if row.station_id else None,
                days=services.settings.invite_days)


@router.post("/people/{person_id}/deactivate", response_class=HTMLResponse)
async def deactivate(request: Request, person_id: int,
                     signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    staff, form = signed
    services = services_of(request)
    if form.get("confirm") != "yes":  # one click on a long list is too easy: ask first, with what it means
        async with services.db.session() as session:
            person = await session.get(Person, person_id)
            station = await session.get(Station, person.station_id) if person and person.station_id else None
        if person is None:
            return _refused(request, staff, PeopleProblem.no_person)
        return _confirm(request, staff, f"/console/people/{person_id}/deactivate", "/console/people",
                        DEACTIVATE_QUESTION,
                        {"name": person.name, "role": staff.tr.gettext(ROLE_TITLES.get(person.role, person.role)),
                         "place": f", {station.name}" if station else ""})
    async with services.db.transaction() as session:
        done = await deactivate_person(session, person_id, staff.person, services.now(),
                                       services.settings.staff_telegram_ids)
        if isinstance(done, PeopleProblem):
            return _refused(request, staff, done)
    return page(request, "people_done.html", staff.tr, staff=staff, back="/console/people",
                message=DEACTIVATED,
                args={"name": done.name, "role": staff.tr.gettext(ROLE_TITLES.get(done.role, done.role))})


@router.post("/people/{person_id}/move", response_class=HTMLResponse)
async def move(request: Request, person_id: int,
               signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    staff, form = signed
    services = services_of(request)
    station_id = form_int(form.get("station", "").strip())
    async with services.db.transaction() as session:
        done = (await move_manager(session, person_id, station_id, staff.person, services.now())
                if station_id is not None else PeopleProblem.no_station)
        if isinstance(done, PeopleProblem):
            return _refused(request, staff, done)
        station = await session.get(Station, station_id)
    assert station is not None
    return page(request, "people_done.html", staff.tr, staff=staff, back="/console/people",
                message=MOVED, args={"name": done.name, "station": station.name})


@router.get("/tokens", response_class=HTMLResponse)
async def tokens(request: Request, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    async with services_of(request).db.session() as session:
        rows = await api_tokens_newest_first(session)
    return page(request, "people_tokens.html", staff.tr, staff=staff, rows=rows, scopes=SCOPES,
                scope_names=SCOPE_NAMES, created=None)


@router.post("/tokens", response_class=HTMLResponse)
async def create(request: Request, signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    """A new API token, shown on this response only (only its hash is kept)."""
    staff, form = signed
    services = services_of(request)
    async with services.db.transaction() as session:
        made = await create_token(session, form.get("name", ""), form.get("scope", ""), staff.person, services.now())
        if isinstance(made, PeopleProblem):
            return _refused(request, staff, made)
        await session.commit()
        rows = await api_tokens_newest_first(session)
    token, row = made
    response = page(request, "people_tokens.html", staff.tr, staff=staff, rows=rows, scopes=SCOPES,
                    scope_names=SCOPE_NAMES, created=(token, row))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke(request: Request, token_id: int,
                 signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    staff, form = signed
    services = services_of(request)
    if form.get("confirm") != "yes":
        async with services.db.session() as session:
            token = await session.get(ApiToken, token_id)
        if token is None:
            return _refused(request, staff, PeopleProblem.no_token)
        return _confirm(request, staff, f"/console/tokens/{token_id}/revoke", "/console/tokens",
                        N_("Revoke token {number} ({name})? Whatever uses it is refused from then on."),
                        {"number": token.id, "name": token.name})
    async with services.db.transaction() as session:
        done = await revoke_token(session, token_id, staff.person, services.now())
        if isinstance(done, PeopleProblem):
            return _refused(request, staff, done)
    return page(request, "people_done.html", staff.tr, staff=staff, back="/console/tokens",
                message=N_("Token {number} ({name}) is revoked: the API refuses it from now on."),
                args={"number": done.id, "name": done.name})

