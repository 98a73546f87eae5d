"""The staff dashboard's overdue picture: stations and submissions from storage, due dates from the rules."""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.deadlines import annual_due_date, covered_year, owed
from rules.profile import load_profile
from storage.dashboard import late_by_region, live_stations, submitted_triples
from storage.policy import effective_profiles


async def overdue_by_region(session: AsyncSession, today: dt.date) -> dict[str, dict[str, int]]:
    """``{region: {"missing": n, "late": m}}``: this year's yearly submissions past due and not in,
    and this year's submissions that came in late (``late_workdays`` > 0), per region of live stations.

    Items due before a station was founded are not owed (as in the reminders).
    """
    year = today.year
    done = await submitted_triples(session)
    found: dict[str, dict[str, int]] = {}
    profiles = await effective_profiles(session)
    for station in await live_stations(session):
        profile = profiles.get(station.policy_profile) or load_profile(station.policy_profile)
        counts = found.setdefault(station.region or "", {"missing": 0, "late": 0})
        for spec in profile.duties:
            due = annual_due_date(spec, year, profile)
            if due is None or due >= today or not owed(spec, covered_year(spec, year), station.founded_on):
                continue
            if (station.id, spec.id, covered_year(spec, year)) not in done:
                counts["missing"] += 1
    for region, n in (await late_by_region(session, year)).items():
        found.setdefault(region, {"missing": 0, "late": 0})["late"] = n
    return found
