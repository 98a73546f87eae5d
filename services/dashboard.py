"""The staff dashboard's overdue picture: due dates from the rules, what was filed from storage (in SQL)."""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.dashboard import late_by_region, live_regions, missing_by_region, past_due_by_profile


async def overdue_by_region(session: AsyncSession, today: dt.date) -> dict[str, dict[str, int]]:
    """``{region: {"missing": n, "late": m}}``: this year's yearly submissions past due and not in,
    and this year's submissions that came in late (``late_workdays`` > 0), per region of live stations.

    Items due before a station was founded are not owed (as in the reminders).
    """
    found: dict[str, dict[str, int]] = {region: {"missing": 0, "late": 0} for region in await live_regions(session)}
    for region, n in (await missing_by_region(session, await past_due_by_profile(session, today))).items():
        found.setdefault(region, {"missing": 0, "late": 0})["missing"] = n
    for region, n in (await late_by_region(session, today.year)).items():
        found.setdefault(region, {"missing": 0, "late": 0})["late"] = n
    return found


__all__ = ["overdue_by_region", "past_due_by_profile"]
