"""People as use cases: invite, deactivate, move a manager, and staff API tokens.

Chat (/invite) and the web console call these same functions, so an invitation, a deactivation or a
move means the same thing wherever staff do it, and every one of them lands in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.types import Reply
from locales import N_, Raw, T
from storage.api_tokens import SCOPES, create_api_token, revoke_api_token, token_name_problem
from storage.datetimes import db_time
from storage.models import LIVE_STATUSES, ApiToken, AuditLog, ConsoleSession, Invite, Person, Role, Station
from storage.outbox import enqueue
from storage.tokens import create_invite

INVITE_ROLES = (Role.manager.value, Role.liaison.value, Role.staff.value)


class PeopleProblem(StrEnum):
    """Why a change to a person was refused (the shells word it for the reader)."""

    no_person = "no_person"
    already_inactive = "already_inactive"
    yourself = "yourself"
    not_a_manager = "not_a_manager"
    no_station = "no_station"
    same_station = "same_station"
    station_not_live = "station_not_live"
    station_has_manager = "station_has_manager"
    bad_role = "bad_role"
    bad_name = "bad_name"
    bad_scope = "bad_scope"
    no_token = "no_token"
    configured_staff = "configured_staff"


# What each refusal says, the same in chat and in the console (msgids; each shell translates them).
PROBLEM_TEXTS: dict[PeopleProblem, str] = {
    PeopleProblem.no_person: N_("There is no such person."),
    PeopleProblem.already_inactive: N_("This person is already deactivated."),
    PeopleProblem.yourself: N_("You cannot deactivate yourself: ask another staff member."),
    PeopleProblem.not_a_manager: N_("Only an active station manager can be moved to another station."),
    PeopleProblem.no_station: N_("There is no station with that number."),
    PeopleProblem.same_station: N_("The manager already runs that station."),
    PeopleProblem.station_not_live: N_("That station is revoked or has exited: it takes no new manager."),
    PeopleProblem.station_has_manager: N_("That station already has an active manager: deactivate or move them first."),
    PeopleProblem.bad_role: N_("Choose whom to invite: a station manager, a station liaison or a staff member."),
    PeopleProblem.bad_name: N_("Give the token a name of 1 to 100 printable characters (it shows in the list and the logs)."),
    PeopleProblem.bad_scope: N_("Choose one of the scopes offered."),
    PeopleProblem.no_token: N_("There is no such token."),
    PeopleProblem.configured_staff: N_("This staff member is named in the server's STAFF_TELEGRAM_IDS setting and "
                                       "would be staff again at their next message: remove them there first."),
}
# The question before a deactivation and what is said after it, or after a move (chat and console).
DEACTIVATE_QUESTION = N_("Deactivate {name} ({role}{place})? The bot will stop treating them as this role and "
                         "any console session of theirs ends. Their history stays.")
DEACTIVATED = N_("{name} is deactivated: the bot no longer treats them as {role}, and any console "
                 "session of theirs has ended.")
MOVED = N_("{name} now manages {station}.")


def _by(by: Person | None) -> int | None:
    return by.id if by is not None else None


async def invite_person(session: AsyncSession, *, role: str, station: Station | None, by: Person | None,
                        now: dt.datetime, days: int) -> tuple[str, Invite] | PeopleProblem:
    """A single-use invitation (the token is returned once; only its hash is kept), audited.

    Staff are invited for all stations; a manager or a liaison for one station.
    """
    if role not in INVITE_ROLES:
        return PeopleProblem.bad_role
    if role == Role.staff.value:
        station = None
    elif station is None or station.id is None:
        return PeopleProblem.no_station
    token, invite = await create_invite(session, role=role, now=now, days=days,
                                        station_id=station.id if station else None, created_by_person_id=_by(by))
    session.add(AuditLog(at=invite.created_at, person_id=_by(by), action="invite_created",
                         subject=f"invite:{invite.id}",
                         detail={"role": role, "station_id": station.id if station else None}))
    await session.flush()
    return token, invite


async def end_console_sessions(session: AsyncSession, person_id: int, now: dt.datetime) -> int:
    """End every open console session of ``person_id`` (their browser is signed out at its next request)."""
    result = await session.exec(update(ConsoleSession)
                                .where(col(ConsoleSession.person_id) == person_id,
                                       col(ConsoleSession.ended_at).is_(None))
                                .values(ended_at=db_time(now)))
    return int(result.rowcount or 0)


async def deactivate_person(session: AsyncSession, person_id: int, by: Person | None, now: dt.datetime,
                            configured_staff: Collection[int] = ()) -> Person | PeopleProblem:
    """Switch a role binding off: the bot stops treating them as that role, and a staff member's
    console sessions end at once. Their history (submissions, ledger, ratings) stays.

    Staff named in the deployment's STAFF_TELEGRAM_IDS (``configured_staff``) are refused: the bot
    makes them staff again at their next message, so the setting is where they are removed.
    """
    person = await session.get(Person, person_id)
    if person is None:
        return PeopleProblem.no_person
    if not person.active:
        return PeopleProblem.already_inactive
    if by is not None and person.id == by.id:
        return PeopleProblem.yourself
    if person.role == Role.staff.value and person.telegram_user_id in configured_staff:
        return PeopleProblem.configured_staff
    person.active = False
    session.add(person)
    ended = await end_console_sessions(session, person_id, now)
    session.add(AuditLog(at=db_time(now), person_id=_by(by), action="person_deactivated", subject=f"person:{person_id}",
                         detail={"role": person.role, "station_id": person.station_id, "console_sessions_ended": ended}))
    await session.flush()
    return person


async def move_manager(session: AsyncSession, person_id: int, station_id: int, by: Person | None,
                       now: dt.datetime) -> Person | PeopleProblem:
    """Bind an active manager to another live station that has no active manager of its own.

    A station has one manager (every seed's staffing rule names one 站长), so the seat must be free:
    deactivate or move the other manager first. Submissions and drafts stay with the old station.
    """
    person = await session.get(Person, person_id)
    if person is None:
        return PeopleProblem.no_person
    if person.role != Role.manager.value or not person.active:
        return PeopleProblem.not_a_manager
    station = await session.get(Station, station_id)
    if station is None:
        return PeopleProblem.no_station
    if station.id == person.station_id:
        return PeopleProblem.same_station
    if station.status not in LIVE_STATUSES:
        return PeopleProblem.station_not_live
    seated = (await session.exec(select(Person.id).where(Person.station_id == station.id,
                                                         Person.role == Role.manager.value,
                                                         col(Person.active).is_(True)))).first()
    if seated is not None:
        return PeopleProblem.station_has_manager
    before = person.station_id
    old = await session.get(Station, before) if before is not None else None
    person.station_id = station.id
    session.add(person)
    line = AuditLog(at=db_time(now), person_id=_by(by), action="manager_moved", subject=f"person:{person_id}",
                    detail={"from_station_id": before, "to_station_id": station.id})
    session.add(line)
    await session.flush()
    await _tell_moved_manager(session, person, station, old, line, now)
    return person


async def _tell_moved_manager(session: AsyncSession, person: Person, station: Station, old: Station | None,
                              line: AuditLog, now: dt.datetime) -> None:
    """The manager learns of the move from the bot, not from a /status that suddenly names another station.

    Sent at once (not held for quiet hours): what they file next goes to the new station. The audit line's id
    makes the key, so each move is told once even if the outbox write is retried.
    """
    if person.chat_id is None:
        return
    if old is None:
        text = T("Staff have made you the manager of {station}. /status shows its duties.", station=Raw(station.name))
    else:
        text = T("Staff have moved you from {old} to {station}: you now manage {station}, and /status shows its "
                 "duties. Submissions and drafts already made stay with {old}.",
                 old=Raw(old.name), station=Raw(station.name))
    await enqueue(session, key=f"manager-moved:{line.id}", chat_id=person.chat_id, reply=Reply(text),
                  kind="manager_moved", person_id=person.id, not_before=now, respect_quiet_hours=False)


async def create_token(session: AsyncSession, name: str, scope: str, by: Person | None,
                       now: dt.datetime) -> tuple[str, ApiToken] | PeopleProblem:
    """A staff API token (``storage.api_tokens``, as `stationbot token create`); shown once, audited."""
    if token_name_problem(name) is not None:
        return PeopleProblem.bad_name
    if scope not in SCOPES:
        return PeopleProblem.bad_scope
    token, row = await create_api_token(session, name, db_time(now), scope)
    session.add(AuditLog(at=db_time(now), person_id=_by(by), action="api_token_created", subject=f"api_token:{row.id}",
                         detail={"name": row.name, "scope": scope}))
    await session.flush()
    return token, row


async def revoke_token(session: AsyncSession, token_id: int, by: Person | None,
                       now: dt.datetime) -> ApiToken | PeopleProblem:
    """Revoke at once (the API checks every request against the table); revoking twice is harmless."""
    if not await revoke_api_token(session, token_id, db_time(now)):
        return PeopleProblem.no_token
    row = await session.get(ApiToken, token_id)
    assert row is not None
    session.add(AuditLog(at=db_time(now), person_id=_by(by), action="api_token_revoked", subject=f"api_token:{token_id}",
                         detail={"name": row.name}))
    await session.flush()
    return row
