"""The official holiday / 调休 schedule loaded by staff; it takes precedence over chinese-calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import HolidayDay


async def store_holidays(session: AsyncSession, days: Sequence[tuple[dt.date, bool, str]]) -> list[int]:
    """Replace the stored schedule of every year present in ``days``; returns those years."""
    years = sorted({d.year for d, _, _ in days})
    for year in years:
        old = await session.exec(
            select(HolidayDay).where(HolidayDay.day >= dt.date(year, 1, 1), HolidayDay.day <= dt.date(year, 12, 31))
        )
        for row in old.all():
            await session.delete(row)
    await session.flush()
    for day, is_workday, name in days:
        session.add(HolidayDay(day=day, is_workday=is_workday, name=name))
    await session.flush()
    return years


async def load_overrides(session: AsyncSession) -> tuple[dict[dt.date, bool], set[int]]:
    rows = (await session.exec(select(HolidayDay))).all()
    return {r.day: r.is_workday for r in rows}, {r.day.year for r in rows}


async def list_loaded_years(session: AsyncSession) -> list[tuple[int, int]]:
    rows = (await session.exec(select(HolidayDay))).all()
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.day.year] = counts.get(row.day.year, 0) + 1
    return sorted(counts.items())
