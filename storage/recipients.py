"""Who receives proactive messages: one query per recipient group, used by every caller.

Reminders, notifications, broadcasts (chat and console) and the staff alerts all ask here, so "active
staff" or "the managers of these stations" means the same people everywhere. ``reachable_only``
(the default) leaves out people who blocked the bot: a notification to them only fails. Broadcasts
pass ``False`` so their delivery report names the unreachable recipients instead of hiding them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules import deadlines
from rules.profile import load_profile
from storage.dashboard import overdue_station_ids
from storage.models import LIVE_STATUSES, Person, Role, Society, Station, Submission
from storage.policy import effective_profiles

# Station bindings that run a station and receive its messages.
MANAGING = (Role.manager.value, Role.liaison.value)
# Station conditions an audience can combine (all must hold); the value is a string as typed or chosen.
STATION_CONDITIONS = ("profile", "region", "station_type", "society", "society_level", "no_plan", "no_summary",
                      "overdue")


def _people(*where: Any, reachable_only: bool) -> Any:
    query = select(Person).where(col(Person.active).is_(True), col(Person.chat_id).is_not(None), *where)
    if reachable_only:
        query = query.where(col(Person.reachable).is_(True))
    return query.order_by(col(Person.id))


async def active_staff(session: AsyncSession, *, reachable_only: bool = True) -> list[Person]:
    """Active staff bindings with a chat."""
    return list((await session.exec(_people(Person.role == Role.staff.value, reachable_only=reachable_only))).all())


async def station_managers(session: AsyncSession, station_ids: Collection[int] | None = None, *,
                           reachable_only: bool = True) -> list[Person]:
    """Active managers and liaisons with a chat, of the given stations (all stations when None)."""
    where: list[Any] = [col(Person.role).in_(MANAGING)]
    if station_ids is not None:
        where.append(col(Person.station_id).in_(sorted(station_ids)))
    return list((await session.exec(_people(*where, reachable_only=reachable_only))).all())


async def station_manager_chats(session: AsyncSession) -> list[tuple[int | None, int, int]]:
    """(station id, person id, chat id) of every reachable active manager and liaison, as ``station_managers``
    selects them: the daily sweep reads the whole network's, as columns rather than ORM objects."""
    query = _people(col(Person.role).in_(MANAGING), reachable_only=True)
    rows = (await (await session.connection()).execute(
        query.with_only_columns(col(Person.station_id), col(Person.id), col(Person.chat_id)))).all()
    return [(station_id, int(person_id), int(chat_id)) for station_id, person_id, chat_id in rows]


async def demand_contacts(session: AsyncSession, demand_unit_id: int | None = None, *,
                          reachable_only: bool = True) -> list[Person]:
    """Active demand-unit contacts with a chat, of one unit (all units when None)."""
    where: list[Any] = [Person.role == Role.demand_contact.value]
    if demand_unit_id is not None:
        where.append(Person.demand_unit_id == demand_unit_id)
    return list((await session.exec(_people(*where, reachable_only=reachable_only))).all())


def once_per_person(people: Iterable[Person]) -> list[Person]:
    """One binding per chat: a manager of two stations, or someone matched twice, is one person."""
    unique: dict[int, Person] = {}
    for person in people:
        if person.chat_id is not None:
            unique.setdefault(person.chat_id, person)
    return list(unique.values())


async def live_station_ids(session: AsyncSession, conditions: Mapping[str, str], today: dt.date) -> set[int]:
    """Live stations meeting every condition (``STATION_CONDITIONS``; empty values are ignored)."""
    wanted = {k: v for k, v in conditions.items() if k in STATION_CONDITIONS and v not in ("", None)}
    query = select(Station.id).where(col(Station.status).in_(LIVE_STATUSES))
    if "profile" in wanted:
        query = query.where(Station.policy_profile == wanted["profile"])
    if "region" in wanted:
        query = query.where(Station.region == wanted["region"])
    if "station_type" in wanted:
        query = query.where(Station.station_type == wanted["station_type"])
    if "society" in wanted:
        query = query.where(Station.society_id == (int(wanted["society"]) if wanted["society"].isdigit() else -1))
    if "society_level" in wanted:
        query = query.join(Society, col(Society.id) == col(Station.society_id)).where(
            Society.level == wanted["society_level"])
    ids = {int(i) for i in (await session.exec(query)).all() if i is not None}
    if "overdue" in wanted:
        ids &= await overdue_station_ids(session, today)
    for kind, duty in (("no_plan", "plan"), ("no_summary", "summary")):
        if kind in wanted and ids:
            ids = await _without_this_years(session, ids, duty, today)
    return ids


async def _without_this_years(session: AsyncSession, ids: set[int], duty: str, today: dt.date) -> set[int]:
    """The stations that have not filed this year's ``duty`` (a summary due this year covers last year)."""
    year = today.year
    done = set((await session.exec(select(Submission.station_id, Submission.kind, Submission.year)
                                   .where(Submission.kind == duty))).all())
    profiles = dict((await session.exec(select(Station.id, Station.policy_profile)
                                        .where(col(Station.id).in_(sorted(ids))))).all())
    effective = await effective_profiles(session)  # duties a society's override turned on count too
    selected = set()
    for station_id in ids:
        profile = effective.get(profiles[station_id]) or load_profile(profiles[station_id])
        for spec in profile.duties:
            if spec.id == duty and (station_id, spec.id, deadlines.covered_year(spec, year)) not in done:
                selected.add(station_id)
    return selected


async def station_choices(session: AsyncSession) -> dict[str, list[tuple[str, str]]]:
    """The values audience filters offer, as (value, label): live stations' profiles, regions, types, societies."""
    found: dict[str, list[tuple[str, str]]] = {}
    for kind, column in (("profile", Station.policy_profile), ("region", Station.region),
                         ("station_type", Station.station_type)):
        values = (await session.exec(select(column).where(col(Station.status).in_(LIVE_STATUSES)).distinct())).all()
        found[kind] = [(str(v), str(v)) for v in sorted(str(v) for v in values if v)]
    societies = (await session.exec(select(Society.id, Society.name).order_by(col(Society.name)))).all()
    found["society"] = [(str(i), str(name)) for i, name in societies]
    return found
