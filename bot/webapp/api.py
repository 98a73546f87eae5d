"""Staff API ``/api/v1``: read-only JSON for dashboards elsewhere; every list is paginated."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AfterValidator, BaseModel

from bot.webapp.auth import require_scope, require_token, services_of
from bot.webapp.params import (
    Filter,
    IdPath,
    IdQuery,
    Limit,
    Offset,
    YearPath,
    YearQuery,
    YearRequired,
    no_nul,
    row_or_404,
)
from locales import normalise_locale, translator
from services import scores as station_scores
from storage import listings
from storage.api_tokens import scope_allows
from storage.models import Activity, ApiToken, Rating, Station, Submission
from storage.rating_aggregates import rating_aggregates

router = APIRouter(prefix="/api/v1", tags=["staff"], dependencies=[Depends(require_token)])

DEFAULT_LIMIT = 100


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def _station(row: Station) -> dict[str, Any]:
    return row.model_dump(mode="json")


def _submission(row: Submission) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude={"reviewed_by_person_id"})


def _activity(row: Activity) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude={"answers", "attachments", "logged_by_person_id"})


def _rating(row: Rating) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude={"person_id", "answers"})


@router.get("/stations", response_model=Page)
async def stations(request: Request, profile: Filter = None, region: Filter = None,
                   status: Filter = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Page:
    async with services_of(request).db.session() as session:
        total = await listings.count_stations(session, profile, region, status)
        rows = await listings.list_stations(session, profile, region, status, limit=limit, offset=offset)
    return Page(items=[_station(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/stations/{station_id}")
async def station(request: Request, station_id: IdPath) -> dict[str, Any]:
    async with services_of(request).db.session() as session:
        return _station(await row_or_404(session, Station, station_id, "no such station"))


@router.get("/submissions", response_model=Page)
async def submissions(request: Request, year: YearQuery = None, limit: Limit = DEFAULT_LIMIT,
                      offset: Offset = 0) -> Page:
    async with services_of(request).db.session() as session:
        total = await listings.count_submissions(session, year)
        rows = await listings.list_submissions(session, year, limit=limit, offset=offset)
    return Page(items=[_submission(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/activities", response_model=Page)
async def activities(request: Request, station_id: IdQuery = None, year: YearQuery = None,
                     type: Filter = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Page:
    ids = [station_id] if station_id is not None else None
    async with services_of(request).db.session() as session:
        total = await listings.count_activities(session, ids, year, type)
        rows = await listings.list_activities(session, ids, year, type, limit=limit, offset=offset)
    return Page(items=[_activity(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/ratings/summary", response_model=Page)
async def ratings_summary(request: Request, year: YearRequired, limit: Limit = DEFAULT_LIMIT,
                          offset: Offset = 0) -> Page:
    """Per station: ``count``, and ``average`` (0–100) and ``met`` only from 3 ratings on (null below: one or
    two ratings would identify the rater)."""
    services = services_of(request)
    async with services.db.session() as session:
        found = await rating_aggregates(session, year, tz=services.settings.tz)
    items = [{"station_id": s.station_id, "station_name": s.station_name, "count": s.count,
              "average": s.aggregate.average, "met": s.aggregate.met, "target": s.target} for s in found]
    return Page(items=items[offset:offset + limit], total=len(items), limit=limit, offset=offset)


@router.get("/ratings", response_model=Page, dependencies=[Depends(require_scope("individual"))])
async def ratings(request: Request, station_id: IdQuery = None, year: YearQuery = None,
                  limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Page:
    ids = [station_id] if station_id is not None else None
    services = services_of(request)
    async with services.db.session() as session:
        total = await listings.count_ratings(session, ids, year, tz=services.settings.tz)
        rows = await listings.list_ratings(session, ids, year, limit=limit, offset=offset, tz=services.settings.tz)
    return Page(items=[_rating(r) for r in rows], total=total, limit=limit, offset=offset)


def _score(score: station_scores.StationScore) -> dict[str, Any]:
    return {
        "station_id": score.station_id, "station_name": score.station_name, "profile": score.profile,
        "minimums_met": score.minimums_met,
        "minimums": [dataclasses.asdict(m) for m in score.minimums],
        "score_kind": score.score_kind,
        "quzhou_estimate": ({"low": score.score_total, "high": score.score_high,
                             "automatic": score.score_automatic, "manual_scored": score.score_manual,
                             "awaiting_staff": [line.id for line in score.awaiting_staff],
                             "passes": score.score_passes,
                             "lines": [{"id": line.id, "group": line.group, "points": line.points,
                                        "max_points": line.max_points, "actual": line.actual,
                                        "manual": line.manual} for line in score.lines]}
                            if score.score_kind == "table" else None),
        "wuhan_counters": [dataclasses.asdict(c) for c in score.counters] if score.counters else None,
    }


@router.get("/scores/{year}", response_model=Page)
async def scores(request: Request, year: YearPath, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Page:
    async with services_of(request).db.session() as session:
        total = await listings.count_stations(session)
        rows = await station_scores.year_scores(session, year, limit=limit, offset=offset)
    return Page(items=[_score(s) for s in rows], total=total, limit=limit, offset=offset)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/exports/{year}.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "the year's workbook"}})
async def export(request: Request, year: YearPath,
                 lang: Annotated[str, Query(max_length=20), AfterValidator(no_nul)] = "zh_Hans",
                 token: ApiToken = Depends(require_token)) -> Response:
    """The year's workbook; a token without the individual scope gets per-dimension rating averages."""
    from bot.exports import export_year

    services = services_of(request)
    async with services.db.session() as session:
        content = await export_year(session, year, translator(normalise_locale(lang)), tz=services.settings.tz,
                                    individual_ratings=scope_allows(token.scope, "individual"), in_child=services.db.url)
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="stationbot-{year}.xlsx"'})

