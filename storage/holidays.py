"""The official holiday / 调休 schedule loaded by staff: day-by-day overrides on top of chinese-calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.calendar import WorkdayCalendar, main_year
from rules.deadlines import deadline_for, lateness
from rules.profile import ProfileError, load_profile
from storage.models import HolidayDay, Station, Submission, SubmissionVersion
from storage.policy import effective_profiles


async def store_holidays(session: AsyncSession, days: Sequence[tuple[dt.date, bool, str]],
                         year: int | None = None) -> list[int]:
    """Replace the stored schedule of ``year`` (the file's own year, by default the year most days are in)
    and set every listed day.

    Days of other years in the file (a December bridge day in next year's schedule) replace only
    those same days: another year's stored schedule is never wiped. Returns the years touched.
    """
    if year is None:
        year = main_year(list(days))
    old = await session.exec(
        select(HolidayDay).where(HolidayDay.day >= dt.date(year, 1, 1), HolidayDay.day <= dt.date(year, 12, 31))
    )
    listed = {day for day, _, _ in days}
    for stale in old.all():
        if stale.day not in listed:
            await session.delete(stale)
    for day, is_workday, name in days:
        row = await session.get(HolidayDay, day)
        if row is None:
            session.add(HolidayDay(day=day, is_workday=is_workday, name=name))
        else:
            row.is_workday, row.name = is_workday, name
            session.add(row)
    await session.flush()
    return sorted({day.year for day in listed} | {year})


async def load_overrides(session: AsyncSession) -> tuple[dict[dt.date, bool], set[int]]:
    rows = (await session.exec(select(HolidayDay))).all()
    return {r.day: r.is_workday for r in rows}, {r.day.year for r in rows}


async def list_loaded_years(session: AsyncSession) -> list[tuple[int, int]]:
    rows = (await session.exec(select(HolidayDay))).all()
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.day.year] = counts.get(row.day.year, 0) + 1
    return sorted(counts.items())


async def recompute_change_deadlines(session: AsyncSession, cal: WorkdayCalendar, tz: ZoneInfo,
                                     years: Sequence[int]) -> int:
    """Recompute deadline and working-day lateness of stored change reports touching ``years``.

    A report's deadline and lateness were counted with the calendar known when it came in (often
    the Monday–Friday guess); after a schedule is loaded they follow it. Returns how many changed.
    """
    first, last = dt.date(min(years) - 1, 12, 1), dt.date(max(years), 12, 31)
    reports = (await session.exec(
        select(Submission, Station.policy_profile).join(Station, col(Station.id) == col(Submission.station_id))
        .where(Submission.kind == "change_report", col(Submission.event_on).is_not(None),
               col(Submission.event_on) <= last)
    )).all()
    changed = 0
    profiles = await effective_profiles(session)  # change-report limits a society's override sets count too
    for report, profile in reports:
        assert report.event_on is not None and report.id is not None
        submitted_on = report.submitted_at.astimezone(tz).date()
        if submitted_on < first and report.event_on < first:
            continue
        version = (await session.exec(
            select(SubmissionVersion).where(SubmissionVersion.submission_id == report.id)
            .order_by(col(SubmissionVersion.version).desc())
        )).first()
        kind = version.answers.get("kind") if version is not None else None
        if not isinstance(kind, str):
            continue
        try:
            due_on = deadline_for(kind, report.event_on, profiles.get(profile) or load_profile(profile), cal)
        except (KeyError, ProfileError):
            continue
        late = lateness(due_on, submitted_on, cal)
        if (due_on, late) != (report.due_on, report.late_workdays):
            report.due_on, report.late_workdays = due_on, late
            session.add(report)
            changed += 1
    await session.flush()
    return changed
