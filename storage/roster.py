"""A station's roster of experts and its demand units' needs: what the ledger's counts are of.

Seed 003 三（三）7 counts "服务的技术需求 N 项" and "进站专家 N 人（其中省外专家 N 人）": distinct
needs and distinct people. An activity therefore points at one need and at roster experts,
each with their days at the station for it (seed 004 在站时间 averages those days per expert).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

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


async def unit_needs(session: AsyncSession, station_id: int, demand_unit_id: int) -> list[Need]:
    """The needs of one demand unit this station has served, newest first."""
    query = (select(Need).where(Need.station_id == station_id, Need.demand_unit_id == demand_unit_id)
             .order_by(col(Need.id).desc()).limit(MAX_NEEDS))
    return list((await session.exec(query)).all())


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
    need = Need(station_id=station_id, demand_unit_id=demand_unit_id, title=new_title[:300])
    session.add(need)
    await session.flush()
    return need.id


async def link_experts(session: AsyncSession, station_id: int, activity_id: int, picked: Sequence[object],
                       added: Sequence[NewExpert], days: int) -> list[Expert]:
    """Attach the picked roster experts and the newly added ones (a name already on the roster is
    that expert, not a second one) to the activity, ``days`` each; returns them in order."""
    experts: list[Expert] = []
    for choice in picked:
        if isinstance(choice, str) and choice.isdigit():
            known = await session.get(Expert, int(choice))
            if known is not None and known.station_id == station_id and known not in experts:
                experts.append(known)
    for new in added:
        name = new.name.strip()[:100]
        if not name:
            continue
        existing = (await session.exec(select(Expert).where(Expert.station_id == station_id,
                                                            Expert.name == name))).first()
        if existing is None:
            existing = Expert(station_id=station_id, name=name, title=new.title[:200],
                              outside_province=new.outside_province)
            session.add(existing)
            await session.flush()
        if existing not in experts:
            experts.append(existing)
    for expert in experts:
        assert expert.id is not None
        session.add(ActivityExpert(activity_id=activity_id, expert_id=expert.id, days=days))
    await session.flush()
    return experts


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
