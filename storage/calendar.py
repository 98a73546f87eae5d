"""The working-day calendar with the staff-loaded official schedule applied."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import WorkdayCalendar
from storage.holidays import load_overrides


async def workday_calendar(session: AsyncSession) -> WorkdayCalendar:
    overrides, years = await load_overrides(session)
    return WorkdayCalendar(overrides, years)
