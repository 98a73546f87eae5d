"""/invite for staff: pick a role and a station (or pass them as arguments), get a link and a QR code."""

from __future__ import annotations

from bot.routing import STAFF, Route, Router, Turn
from conversations.onboarding import ROLE_TITLES
from conversations.types import Button, ButtonInput, CommandInput, OutgoingFile, Reply, keyboard
from locales import TN, Join, Raw, T
from services.people import INVITE_ROLES, PeopleProblem, invite_person
from services.qr import qr_png
from storage.ids import db_int
from storage.listings import list_stations
from storage.models import Role, Station

ROLE_LABELS = {role: T(ROLE_TITLES[role]) for role in INVITE_ROLES}
PAGE_SIZE = 8
USAGE = T("Usage: /invite <role> <station number>, e.g. /invite manager 12. Roles: manager, liaison, staff.")


async def issue_invite(turn: Turn, role: str, station: Station | None) -> list[Reply]:
    made = await invite_person(turn.session, role=role, station=station, by=turn.staff(), now=turn.now,
                               days=turn.services.settings.invite_days)
    if isinstance(made, PeopleProblem):
        return [Reply(USAGE)]
    token, _invite = made
    link = turn.services.deep_link(token)
    place = Raw(station.name) if station else T("all stations (staff)")
    text = Join((
        T("Invitation for {role} — {place}.", role=ROLE_LABELS[role], place=place),
        TN("Send this link to the person (valid for {days} day, single use):",
           "Send this link to the person (valid for {days} days, single use):", turn.services.settings.invite_days,
           days=turn.services.settings.invite_days),
        Raw(link),
    ))
    return [Reply(text), Reply(T("QR code of the same link"), file=OutgoingFile("invite.png", qr_png(link), kind="photo"))]


def station_page(stations: list[Station], role: str, page: int, more: bool) -> Reply:
    rows = [[Button(Raw(f"{s.id} · {s.name}"[:60]), f"inv:{role}:{s.id}")] for s in stations]
    nav = []
    if page > 0:
        nav.append(Button(T("‹ Previous"), f"inv:{role}:p{page - 1}"))
    if more:
        nav.append(Button(T("Next ›"), f"inv:{role}:p{page + 1}"))
    return Reply(T("Which station? (or type /invite {role} <station number>)", role=role),
                 keyboard(*rows, nav), edit=True)


def register(router: Router) -> None:
    async def invite(turn: Turn) -> list[Reply]:
        assert isinstance(turn.input, CommandInput)
        args = turn.input.args
        if not args:
            buttons = [Button(label, f"inv:{role}") for role, label in ROLE_LABELS.items()]
            return [Reply(Join((T("Whom do you want to invite?"), USAGE)), keyboard(buttons))]
        role = args[0].lower()
        if role not in ROLE_LABELS:
            return [Reply(USAGE)]
        if role == Role.staff.value:
            return await issue_invite(turn, role, None)
        station_id = db_int(args[1]) if len(args) >= 2 else None
        if station_id is None:
            return [Reply(USAGE)]
        station = await turn.session.get(Station, station_id)
        if station is None:
            return [Reply(T("There is no station number {number}. Send /stations to see the list.", number=args[1]))]
        return await issue_invite(turn, role, station)

    async def invite_button(turn: Turn) -> list[Reply]:
        assert isinstance(turn.input, ButtonInput)
        parts = turn.input.data.split(":")
        role = parts[1] if len(parts) > 1 else ""
        if role not in ROLE_LABELS:
            return [Reply(USAGE, notice=T("This button is no longer active."))]
        if role == Role.staff.value:
            return await issue_invite(turn, role, None)
        target = parts[2] if len(parts) > 2 else "p0"
        page = db_int(target[1:]) if target.startswith("p") else None
        if page is not None:
            stations = await list_stations(turn.session, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE)
            return [station_page(stations[:PAGE_SIZE], role, page, len(stations) > PAGE_SIZE)]
        station_id = db_int(target)
        station = await turn.session.get(Station, station_id) if station_id is not None else None
        if station is None:
            return [Reply(T("This button is no longer active."), notice=T("This button is no longer active."))]
        return await issue_invite(turn, role, station)

    async def stations(turn: Turn) -> list[Reply]:
        lines = [Raw(f"{s.id} · {s.name} · {s.policy_profile} · {s.region}")
                 for s in await list_stations(turn.session, limit=50)]
        if not lines:
            return [Reply(T("No stations yet. Add them with `stationbot station add` or `stationbot station import`."))]
        return [Reply(Join((T("Stations (first 50):"), *lines)))]

    router.add(Route("invite", STAFF, invite, menu_label=T("Invite a person"), menu_order=500))
    router.add(Route("inv", STAFF, invite_button, kind="button"))
    router.add(Route("stations", STAFF, stations, menu_label=T("List stations"), menu_order=510))
