"""A station's roster of experts and its demand units' needs: what the ledger's counts are of.

Seed 003 三（三）7 counts "服务的技术需求 N 项" and "进站专家 N 人（其中省外专家 N 人）": distinct
needs and distinct people. An activity therefore points at one need and at roster experts,
each with their days at the station for it (seed 004 在站时间 averages those days per expert).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import utcnow
from storage.models import Activity, ActivityExpert, Expert, Need

MAX_NEEDS = 12


@dataclass(frozen=True)
class NewExpert:
    name: str
    title: str = ""
    outside_province: bool = False


@dataclass
class ExpertYearRow:
    """One roster expert's days at a station in a year (``rules.scoring.ExpertYear``)."""

    expert_id: int
    outside_province: bool
    days: int


async def roster(session: AsyncSession, station_id: int) -> list[Expert]:
    """The station's experts in the order they joined (a stable order: form buttons index into it)."""
    query = select(Expert).where(Expert.station_id == station_id).order_by(col(Expert.id))
    return list((await session.exec(query)).all())


@dataclass(frozen=True)
class RosterEntry:
    """What a form's expert list shows of one roster expert (read as columns: the list only reads)."""

    id: int
    name: str
    title: str
    outside_province: bool


# Built once each (form steps that show or check these lists run them): building and hashing an
# expression cost more than running it; plain columns, since the lists only read.
_ROSTER: Any = (sa_select(col(Expert.id), col(Expert.name), col(Expert.title), col(Expert.outside_province))
           .where(col(Expert.station_id) == bindparam("station_id")).order_by(col(Expert.id)))
_UNIT_NEEDS: Any = (sa_select(col(Need.id), col(Need.title))
               .where(col(Need.station_id) == bindparam("station_id"),
                      col(Need.demand_unit_id) == bindparam("demand_unit_id"))
               .order_by(col(Need.id).desc()).limit(MAX_NEEDS))


async def roster_entries(session: AsyncSession, station_id: int) -> list[RosterEntry]:
    """``roster`` as plain rows, same order."""
    rows = (await session.exec(_ROSTER, params={"station_id": station_id})).all()
    return [RosterEntry(int(i), str(name), str(title or ""), bool(outside)) for i, name, title, outside in rows]


async def unit_needs(session: AsyncSession, station_id: int, demand_unit_id: int) -> list[tuple[int, str]]:
    """(id, title) of the needs of one demand unit this station has served, newest first."""
    rows = (await session.exec(_UNIT_NEEDS, params={"station_id": station_id, "demand_unit_id": demand_unit_id})).all()
    return [(int(need_id), str(title)) for need_id, title in rows]


_NEEDS = Need.__table__  # type: ignore[attr-defined]
_EXPERTS = Expert.__table__  # type: ignore[attr-defined]
_ACTIVITY_EXPERTS = ActivityExpert.__table__  # type: ignore[attr-defined]
# The submit step's writes, built once: plain inserts on the session's connection (same transaction),
# past the ORM's unit of work; nothing of them is read back as an object in the same step.
_NEW_NEED = insert(_NEEDS)
_NEW_EXPERT = insert(_EXPERTS)
_LINK = insert(_ACTIVITY_EXPERTS)


def _insert(session: Session, statement: Any, params: Any) -> Any:
    """One prebuilt insert; the new row's id when it is one row with an id of its own."""
    result = session.connection().execute(statement, params)
    return result.inserted_primary_key[0] if isinstance(params, dict) and result.inserted_primary_key else None


async def need_for(session: AsyncSession, station_id: int, demand_unit_id: int | None, choice: object,
                   new_title: str | None) -> int | None:
    """The need an activity addresses: a listed one of the unit (re-checked: callback data is never
    trusted) or a new one of the unit; None without a demand unit."""
    if demand_unit_id is None:
        return None
    if isinstance(choice, str) and choice.isdigit():
        need = await session.get(Need, int(choice))
        if need is not None and need.station_id == station_id and need.demand_unit_id == demand_unit_id:
            return need.id
    if not new_title:
        return None
    row = {"station_id": station_id, "demand_unit_id": demand_unit_id, "title": new_title[:300],
           "created_at": utcnow()}
    return int(await session.run_sync(_insert, _NEW_NEED, row))


async def roster_experts(session: AsyncSession, station_id: int, picked: Sequence[object],
                         added: Sequence[NewExpert]) -> list[RosterEntry]:
    """The picked roster experts, then the newly added ones (a name already on the roster is that
    expert, not a second one; new names join the roster), each once, in order."""
    experts: dict[int, RosterEntry] = {}
    ids = [int(choice) for choice in picked if isinstance(choice, str) and choice.isdigit()]
    names = [name for new in added if (name := new.name.strip()[:100])]
    found_ids: dict[int, RosterEntry] = {}
    found_names: dict[str, RosterEntry] = {}
    if ids or names:
        query = sa_select(col(Expert.id), col(Expert.name), col(Expert.title), col(Expert.outside_province)).where(
            col(Expert.station_id) == station_id, or_(col(Expert.id).in_(ids), col(Expert.name).in_(names)))
        for expert_id, name, title, outside in (await session.exec(query)).all():  # type: ignore[call-overload]
            row_entry = RosterEntry(int(expert_id), str(name), str(title or ""), bool(outside))
            found_ids[row_entry.id] = row_entry
            found_names[row_entry.name] = row_entry
    for expert_id in ids:
        if expert_id in found_ids:
            experts.setdefault(expert_id, found_ids[expert_id])
    for new in added:
        name = new.name.strip()[:100]
        if not name:
            continue
        entry = found_names.get(name)
        if entry is None:
            row = {"station_id": station_id, "name": name, "title": new.title[:200],
                   "outside_province": new.outside_province, "created_at": utcnow()}
            new_id = int(await session.run_sync(_insert, _NEW_EXPERT, row))
            entry = found_names[name] = RosterEntry(new_id, name, new.title[:200], new.outside_province)
        experts.setdefault(entry.id, entry)
    return list(experts.values())


async def link_experts(session: AsyncSession, activity_id: int, experts: Sequence[RosterEntry], days: int) -> None:
    """Attach the experts to the activity, ``days`` each (one statement)."""
    if experts:
        rows = [{"activity_id": activity_id, "expert_id": e.id, "days": days} for e in experts]
        await session.run_sync(_insert, _LINK, rows)


async def expert_years(session: AsyncSession, year: int, station_ids: Sequence[int] | None = None,
                       until: dt.date | None = None) -> dict[int, list[ExpertYearRow]]:
    """Per station, each roster expert who worked there in ``year`` with their days (summed in SQL:
    one row per station and expert, however long the ledger)."""
    start, end = dt.date(year, 1, 1), until or dt.date(year, 12, 31)
    query = (select(Activity.station_id, ActivityExpert.expert_id, Expert.outside_province,
                    func.sum(col(ActivityExpert.days)))
             .join(Activity, col(Activity.id) == col(ActivityExpert.activity_id))
             .join(Expert, col(Expert.id) == col(ActivityExpert.expert_id))
             .where(col(Activity.started_on) >= start, col(Activity.started_on) <= end)
             .group_by(col(Activity.station_id), col(ActivityExpert.expert_id), col(Expert.outside_province)))
    if station_ids is not None:
        query = query.where(col(Activity.station_id).in_(list(station_ids)))
    found: dict[int, list[ExpertYearRow]] = {}
    for station_id, expert_id, outside, days in (await session.exec(query)).all():
        found.setdefault(int(station_id), []).append(ExpertYearRow(int(expert_id), bool(outside), int(days or 0)))
    return found
