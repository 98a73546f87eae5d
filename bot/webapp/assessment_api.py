"""Staff API for the yearly assessment: rounds, their tables, manual-row scores and the score sheet.

Reading needs the ``aggregates`` scope; opening a round and writing scores need ``write``. Writes are
validated exactly as in chat (``rules.manual_scores``): nothing is stored unless every value is valid,
and a refusal lists each problem (line and column for a sheet).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from bot.round_table import round_table, table_xlsx
from bot.score_sheet import MAX_SHEET_BYTES, SheetUnreadable, read_sheet, write_sheet
from bot.webapp.auth import require_scope, require_token, services_of
from bot.webapp.params import IdPath, YearPath, row_or_404
from locales import normalise_locale, translator
from rules.manual_scores import check_sheet, manual_items
from rules.profile import all_profiles, load_profile
from services import rounds
from services.manual_scores import score
from storage.manual_scores import manual_points, scorable_stations, set_many
from storage.models import AssessmentRound, Station
from storage.rounds import RoundExists, entries_of
from storage.rounds import rounds as list_rounds

router = APIRouter(prefix="/api/v1/assessment", tags=["assessment"], dependencies=[Depends(require_token)])
WRITE = [Depends(require_scope("write"))]
NO_ROUND = "no such round"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(row: AssessmentRound) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude={"opened_by_person_id"})


@router.get("/rounds")
async def get_rounds(request: Request) -> dict[str, Any]:
    async with services_of(request).db.session() as session:
        return {"items": [_round(r) for r in await list_rounds(session, limit=500)]}


@router.get("/rounds/{round_id}")
async def get_round(request: Request, round_id: IdPath) -> dict[str, Any]:
    """The round and each station: frozen inputs, points, grade, rank, tier, and the published result."""
    async with services_of(request).db.session() as session:
        rnd = await row_or_404(session, AssessmentRound, round_id, NO_ROUND)
        ev = await rounds.evaluate(session, rnd, tz=services_of(request).settings.tz)
        entries = []
        for entry in await entries_of(session, round_id):
            verdict = ev.outcome.verdicts[entry.station_id]
            points = ev.points[entry.station_id]
            entries.append({"station_id": entry.station_id, "station": ev.name(entry.station_id),
                            "snapshot": entry.snapshot, "missing": [list(m) for m in ev.missing[entry.station_id]],
                            "took_part": ev.took_part[entry.station_id], "total": points.total,
                            "unscored": points.unscored, "grade": verdict.grade, "rank": verdict.rank,
                            "tier": verdict.tier, "waiting": verdict.waiting, "result": entry.result or None})
        return {**_round(rnd), "ties": [dataclasses.asdict(t) for t in ev.outcome.ties], "entries": entries}


class OpenRound(BaseModel):
    profile: str = Field(max_length=50)
    year: int = Field(ge=2000, le=2100, description="the last year of the period")
    deadline: dt.date = Field(description="deadline for material still missing")


@router.post("/rounds", dependencies=WRITE, status_code=201)
async def post_round(request: Request, body: OpenRound) -> dict[str, Any]:
    """Open a round as ``/assess`` does: the snapshot is frozen and each manager is told (outbox)."""
    profile = all_profiles().get(body.profile)
    if profile is None or profile.assessment is None:
        raise HTTPException(422, detail=f"unknown profile {body.profile!r}")
    services = services_of(request)
    async with services.db.transaction() as session:
        try:
            rnd, ev, told = await rounds.open_and_tell(session, profile_id=body.profile, period_end=body.year,
                                                       deadline=body.deadline, person_id=None, now=services.now())
        except RoundExists as exists:
            raise HTTPException(409, detail=f"round {exists.existing.id} of this period exists") from None
        return {**_round(rnd), "stations": len(ev.entries), "managers_told": told}


@router.get("/rounds/{round_id}/table.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}}})
async def get_table(request: Request, round_id: IdPath, lang: Annotated[str, Query(max_length=10)] = "zh_Hans"
                    ) -> Response:
    """The round's table in the profile's layout (one column per row of its table)."""
    tr = translator(normalise_locale(lang))
    async with services_of(request).db.session() as session:
        rnd = await row_or_404(session, AssessmentRound, round_id, NO_ROUND)
        content = table_xlsx(await round_table(session, rnd, tr, services_of(request).settings.tz), tr)
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="assessment-{round_id}.xlsx"'})


def _profiles_with_rows() -> list[str]:
    return sorted(pid for pid, p in all_profiles().items() if manual_items(p))


@router.get("/manual-scores/{year}")
async def get_manual_scores(request: Request, year: YearPath) -> dict[str, Any]:
    async with services_of(request).db.session() as session:
        return {"year": year, "scores": {str(k): v for k, v in (await manual_points(session, year)).items()}}


@router.put("/manual-scores/{year}/{station_id}", dependencies=WRITE)
async def put_manual_scores(request: Request, year: YearPath, station_id: IdPath,
                            body: Annotated[dict[str, float | str], Body()]) -> dict[str, Any]:
    """``{"facilities": 8, ...}``: every value checked against its row's maximum; all stored or none."""
    services = services_of(request)
    async with services.db.transaction() as session:
        station = await session.get(Station, station_id)
        items = {i.id: i for i in manual_items(load_profile(station.policy_profile))} if station else {}
        if station is None or not items:
            raise HTTPException(404, detail="no station with rows scored by staff")
        scored = await score(session, year=year, typed={station_id: {k: str(v) for k, v in body.items()}},
                             person_id=None, now=services.now(), source="api", all_or_nothing=True)
        if scored.problems:
            raise HTTPException(422, detail=[
                {"row": p.item_id, "kind": p.kind, "expected": sorted(items)} if p.kind == "item_unknown"
                else {"row": p.item_id, "kind": p.kind, "maximum": p.maximum} for p in scored.problems])
        await session.commit()
        return {"year": year, "station_id": station_id,
                "scores": (await manual_points(session, year, [station_id])).get(station_id, {})}


@router.get("/score-sheet/{year}.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def get_score_sheet(request: Request, year: YearPath,
                          lang: Annotated[str, Query(max_length=10)] = "zh_Hans") -> Response:
    async with services_of(request).db.session() as session:
        stations = await scorable_stations(session, _profiles_with_rows())
        scored = await manual_points(session, year, [s.id for s in stations if s.id is not None])
    content = write_sheet(stations, scored, translator(normalise_locale(lang)))
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="score-sheet-{year}.xlsx"'})


@router.post("/score-sheet/{year}", dependencies=WRITE)
async def post_score_sheet(request: Request, year: YearPath) -> dict[str, Any]:
    """The filled-in sheet as the request body (xlsx): imported only when every row is valid."""
    content = await request.body()
    if len(content) > MAX_SHEET_BYTES:
        raise HTTPException(413, detail="too large for a score sheet")
    try:
        rows = read_sheet(content)
    except SheetUnreadable:
        raise HTTPException(422, detail="not an xlsx score sheet") from None
    services = services_of(request)
    async with services.db.transaction() as session:
        stations = await scorable_stations(session, _profiles_with_rows())
        values, problems = check_sheet(rows, {s.id: load_profile(s.policy_profile)
                                              for s in stations if s.id is not None})
        if problems:
            raise HTTPException(422, detail=[dataclasses.asdict(p) for p in problems])
        written = await set_many(session, year=year, values=values, person_id=None, now=services.now(),
                                 source="import")
    return {"year": year, "rows": written, "stations": len(values)}
