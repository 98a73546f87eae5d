"""The station page's ratings, status history and documents (issue 13 §2), read with the chat's and the API's
own queries: the aggregate is ``rating_aggregates`` (as /status and the API), individual ratings are the API's
``list_ratings`` (staff see each rating and its comment), documents are ``storage.documents.of_station``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.webapp.console.overview import target_wording
from bot.webapp.params import form_int
from locales import N_, T, Translator, render
from rules.calendar import YEAR_MAX, YEAR_MIN
from rules.profile import load_profile
from storage.console_queries import status_history, units_of_requests
from storage.datetimes import local
from storage.documents import of_station
from storage.listings import count_ratings, list_ratings
from storage.models import Station
from storage.rating_aggregates import station_satisfaction

RATINGS_PAGE = 20
# The reasons ``bot.handlers.consequences`` gives ``set_station_status``, in words.
REASONS = {"assessment failed": N_("assessment failed: rectification confirmed"),
           "rectification closed": N_("rectification accepted and closed"),
           "revocation confirmed": N_("revocation confirmed"),
           "exit confirmed": N_("exit confirmed")}


@dataclass(frozen=True)
class StatusChange:
    at: dt.datetime
    old: str
    new: str
    reason: str
    article: str
    by: str


def _year(value: str | None, default: int) -> int:
    year = form_int(value)
    return year if year is not None and YEAR_MIN <= year <= YEAR_MAX else default


async def station_sections(session: AsyncSession, station: Station, query: Mapping[str, str], tr: Translator,
                           tz: dt.tzinfo, today: dt.date) -> dict[str, Any]:
    """Template context for the ratings, status history and documents sections of one station's page."""
    assert station.id is not None
    year = _year(query.get("ratings_year"), today.year)
    number = query.get("ratings_page", "1")
    ratings_page = max(form_int(number, 1), 1)
    spec = load_profile(station.policy_profile).rating
    satisfaction = await station_satisfaction(session, station, year, tz=tz)
    total = await count_ratings(session, [station.id], year, tz=tz)
    ratings = await list_ratings(session, [station.id], year, limit=RATINGS_PAGE,
                                 offset=(ratings_page - 1) * RATINGS_PAGE, tz=tz)
    units = await units_of_requests(session, [r.request_id for r in ratings])
    history = [StatusChange(local(entry.at, tz), str(entry.detail.get("from", "")), str(entry.detail.get("to", "")),
                            tr.gettext(REASONS[reason]) if (reason := str(entry.detail.get("reason", ""))) in REASONS
                            else reason, str(entry.detail.get("article", "")), name or "")
               for entry, name in await status_history(session, station.id)]
    return {
        "ratings_year": year, "ratings_total": total, "ratings": ratings, "units": units,
        "ratings_pages": max((total + RATINGS_PAGE - 1) // RATINGS_PAGE, 1), "ratings_page": ratings_page,
        "ratings_link": lambda n: "?" + urlencode({"ratings_year": year, "ratings_page": n}) + "#ratings",
        "dimensions": [(d.id, render(T(d.label), tr)) for d in spec.dimensions],
        "satisfaction": satisfaction,
        "target": render(target_wording(spec), tr),
        "history": history, "documents": await of_station(session, station.id),
        "local": lambda value: local(value, tz) if value is not None else None,
    }
