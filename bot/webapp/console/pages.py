"""The console's routes. Sign-in pages are public; every other route depends on ``console_staff``."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select

from bot.webapp.auth import services_of
from bot.webapp.console.auth import (
    COOKIE,
    COOKIE_PATH,
    Staff,
    changing,
    console_staff,
    form_of,
    row_or_refused,
)
from bot.webapp.console.overview import ROUND_STATUS, month_of, open_rounds, target_of
from bot.webapp.console.render import page, request_translator
from bot.webapp.console.station_view import station_sections
from bot.webapp.params import form_int
from locales import N_, Raw, render
from rules.calendar import YEAR_MAX, YEAR_MIN
from services.dashboard import overdue_by_region, past_due_by_profile
from storage.console import IDLE_LIMIT, LinkProblem, SignedIn, end_session, redeem_login_link
from storage.console_queries import (
    PAGE_SIZE,
    SORTS,
    StationFilter,
    filter_choices,
    find_stations,
    satisfaction_by_profile,
    stations_by_profile_and_status,
    versions_of,
)
from storage.listings import count_activities, count_submissions, list_activities, list_submissions
from storage.models import Activity, Person, Society, Station, StationStatus
from storage.rating_aggregates import rating_aggregates

router = APIRouter(prefix="/console", include_in_schema=False)

LINK_PROBLEMS = {
    LinkProblem.unknown: N_("This sign-in link is not valid. Send /web to the bot for a new one."),
    LinkProblem.used: N_("This sign-in link has already been used. Each link works once: send /web for a new one."),
    LinkProblem.expired: N_("This sign-in link has expired (links last 10 minutes). Send /web for a new one."),
    LinkProblem.not_staff: N_("This sign-in link belongs to someone who is no longer staff."),
    LinkProblem.throttled: N_("Too many failed sign-in attempts from here. Wait 15 minutes, then use a new link."),
}
LEDGER_PAGE = 20
NOT_FOUND = N_("There is no such station.")


def client_of(request: Request) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, t: str = "") -> HTMLResponse:
    """The link from /web lands here; signing in takes a POST, so a chat's link preview cannot use it up."""
    return page(request, "login.html", request_translator(request), token=t[:100])


@router.post("/login")
async def login(request: Request) -> Response:
    services = services_of(request)
    form = await form_of(request)
    async with services.db.transaction() as session:
        outcome = await redeem_login_link(session, form.get("t", ""), client_of(request), services.now())
    tr = request_translator(request)
    if not isinstance(outcome, SignedIn):
        code = 429 if outcome is LinkProblem.throttled else 400
        return page(request, "message.html", tr, status_code=code, message=LINK_PROBLEMS[outcome])
    response = RedirectResponse("/console/", status_code=303)
    response.set_cookie(COOKIE, outcome.session_token, max_age=int(IDLE_LIMIT.total_seconds()), path=COOKIE_PATH,
                        secure=True, httponly=True, samesite="lax")
    return response


@router.post("/logout")
async def logout(request: Request, signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> Response:
    staff, _form = signed
    services = services_of(request)
    async with services.db.transaction() as session:
        row = await session.merge(staff.session)
        await end_session(session, row, services.now())
    response = page(request, "message.html", staff.tr, message=N_("You are signed out."))
    response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=True, httponly=True, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
async def overview(request: Request, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    """Stations, overdue items, this month, satisfaction and open rounds: each figure from the query the chat's
    /dashboard, /assess or the API uses, so the console never shows a second version of a number."""
    services = services_of(request)
    now = services.now()
    first, last = month_of(now.date())
    zone = services.settings.tz
    submitted = (dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC),
                 dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC))
    async with services.db.session() as session:
        by_profile = await stations_by_profile_and_status(session)
        overdue = await overdue_by_region(session, now.date())
        month = {"submissions": await count_submissions(session, submitted=submitted),
                 "ledger": await count_activities(session, days=(first, last))}
        satisfaction = satisfaction_by_profile(await rating_aggregates(session, now.year, tz=zone))
        progress = await open_rounds(session, now)
    statuses = [s.value for s in StationStatus]
    targets = [target_of(profile_id, satisfaction.get(profile_id), staff.tr) for profile_id in sorted(by_profile)]
    return page(request, "overview.html", staff.tr, staff=staff, by_profile=by_profile, statuses=statuses,
                overdue=sorted(overdue.items()), today=now.date(), month=month, month_first=first, month_last=last,
                satisfaction=targets, year=now.year, rounds=progress,
                round_status=lambda status: render(ROUND_STATUS.get(status, Raw(status)), staff.tr))


@router.get("/stations", response_class=HTMLResponse)
async def stations(request: Request, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    services = services_of(request)
    query = request.query_params
    wanted = StationFilter(profile=query.get("profile", ""), region=query.get("region", ""),
                           society_id=form_int(query.get("society")), status=query.get("status", ""),
                           overdue=query.get("overdue") == "1", search=query.get("q", "")[:100],
                           sort=query.get("sort", "name") if query.get("sort") in SORTS else "name",
                           descending=query.get("dir") == "desc", page=max(form_int(query.get("page"), 1) or 1, 1))
    async with services.db.session() as session:
        past_due = await past_due_by_profile(session, services.today()) if wanted.overdue else {}
        rows, total = await find_stations(session, wanted, past_due)
        choices = await filter_choices(session)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    kept = {k: v for k, v in query.items() if k != "page" and v}

    def link(**changes: Any) -> str:
        return "/console/stations?" + urlencode({**kept, **{k: v for k, v in changes.items()}})

    return page(request, "stations.html", staff.tr, staff=staff, rows=rows, total=total, wanted=wanted,
                choices=choices, statuses=[s.value for s in StationStatus], pages=pages, link=link, kept=kept)


@router.get("/stations/{station_id}", response_class=HTMLResponse)
async def station_page(request: Request, station_id: int, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    services = services_of(request)
    query = request.query_params
    ledger_page = max(form_int(query.get("ledger_page"), 1) or 1, 1)
    ledger_year = form_int(query.get("ledger_year"))
    ledger_year = ledger_year if ledger_year is not None and YEAR_MIN <= ledger_year <= YEAR_MAX else None
    ledger_type = query.get("ledger_type", "")[:50] or None
    async with services.db.session() as session:
        station = await row_or_refused(session, Station, station_id, NOT_FOUND, staff.tr)
        society = await session.get(Society, station.society_id) if station.society_id else None
        people = (await session.exec(select(Person).where(Person.station_id == station_id)
                                     .order_by(col(Person.id)))).all()
        ledger_total = await count_activities(session, station_ids=[station_id], year=ledger_year,
                                              activity_type=ledger_type)
        ledger = await list_activities(session, station_ids=[station_id], year=ledger_year, activity_type=ledger_type,
                                       limit=LEDGER_PAGE, offset=(ledger_page - 1) * LEDGER_PAGE)
        ledger_types = (await session.exec(select(Activity.activity_type).where(Activity.station_id == station_id)
                                           .distinct().order_by(col(Activity.activity_type)))).all()
        submissions_total = await count_submissions(session, station_ids=[station_id])
        submissions = await list_submissions(session, station_ids=[station_id], limit=200)
        versions = await versions_of(session, [s.id for s in submissions if s.id is not None])
        sections = await station_sections(session, station, query, staff.tr, services.settings.tz, services.today())
    return page(request, "station.html", staff.tr, staff=staff, station=station, society=society, people=people,
                ledger=ledger, ledger_total=ledger_total, ledger_page=ledger_page, ledger_types=list(ledger_types),
                ledger_year=ledger_year, ledger_type=ledger_type or "",
                ledger_link=lambda n: "?" + urlencode({k: v for k, v in (("ledger_type", ledger_type or ""),
                                                                         ("ledger_year", ledger_year or ""),
                                                                         ("ledger_page", n)) if v}),
                ledger_pages=max((ledger_total + LEDGER_PAGE - 1) // LEDGER_PAGE, 1),
                submissions=submissions, submissions_total=submissions_total, versions=versions, **sections)
