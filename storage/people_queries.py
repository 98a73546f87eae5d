"""Read queries behind the console's people page: people by station and role, searched and paged."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ApiToken, Person, Role, Station
from storage.station_search import cleaned, matching

PEOPLE_PAGE = 50


@dataclass(frozen=True)
class PeopleFilter:
    role: str = ""
    station_id: int | None = None
    search: str = ""
    active: str = "active"  # active | inactive | all
    page: int = 1


async def find_people(session: AsyncSession, wanted: PeopleFilter) -> tuple[list[tuple[Person, str]], int]:
    """One page of (person, station name), ordered by station then role then name, and the total."""
    query = select(Person, Station.name).join(Station, col(Person.station_id) == Station.id, isouter=True)
    if wanted.role:
        query = query.where(Person.role == wanted.role)
    if wanted.station_id is not None:
        query = query.where(Person.station_id == wanted.station_id)
    if wanted.active != "all":
        query = query.where(col(Person.active).is_(wanted.active != "inactive"))
    if wanted.search:
        like = f"%{wanted.search}%"
        query = query.where(or_(col(Person.name).ilike(like), col(Person.phone).ilike(like),
                                col(Station.name).ilike(like)))
    total = int((await session.exec(select(func.count()).select_from(query.subquery()))).one())
    rows = (await session.exec(query.order_by(col(Station.name), col(Person.role), col(Person.name), col(Person.id))
                               .offset((wanted.page - 1) * PEOPLE_PAGE).limit(PEOPLE_PAGE))).all()
    return [(person, name or "") for person, name in rows], total


async def station_choices(session: AsyncSession) -> list[tuple[int, str]]:
    """Every station's id and name, for a select (a few hundred rows at most in a network)."""
    rows = (await session.exec(select(Station.id, Station.name).order_by(col(Station.name)))).all()
    return [(i or 0, n) for i, n in rows]


async def api_tokens_newest_first(session: AsyncSession) -> list[ApiToken]:
    return list((await session.exec(select(ApiToken).order_by(col(ApiToken.id).desc()))).all())


async def stations_with_manager(session: AsyncSession, search: str,
                                limit: int) -> tuple[list[tuple[Station, str | None]], int]:
    """Stations whose number is ``search`` or that the console's station search finds for it
    (``storage.station_search``), each with the name of its active manager (None when the seat is free),
    ordered by name; and how many match in all."""
    text = cleaned(search)
    if not text:
        return [], 0
    matches = matching(text, (await session.connection()).dialect.name)
    if text.isdigit() and len(text) < 10:
        matches = or_(col(Station.id) == int(text), matches)
    manager = (select(Person.station_id, func.min(Person.name).label("manager"))
               .where(Person.role == Role.manager.value, col(Person.active).is_(True))
               .group_by(col(Person.station_id)).subquery())
    query = (select(Station, manager.c.manager).join(manager, manager.c.station_id == Station.id, isouter=True)
             .where(matches))
    total = int((await session.exec(select(func.count()).select_from(Station).where(matches))).one())
    rows = (await session.exec(query.order_by(col(Station.name), col(Station.id)).limit(limit))).all()
    return [(station, name) for station, name in rows], total
