"""A station's year scored against its profile: the ledger and staff's manual points read from storage, the
minimums and the points estimate computed by the pure rules (``rules.scoring``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.profile import load_profile
from rules.scoring import LedgerTotals, MinimumStatus, ScoreLine, estimate_score, minimums_status
from storage.ledger import totals_by_station, year_totals
from storage.listings import list_stations
from storage.manual_scores import manual_points
from storage.models import Society, Station


@dataclass(frozen=True)
class CounterLine:
    id: str
    label: str
    actual: float
    target: int


@dataclass
class StationScore:
    """One station's year against its profile: minimums, the points estimate, the counters."""

    station_id: int
    station_name: str
    profile: str
    minimums: list[MinimumStatus] = field(default_factory=list)
    score_kind: str | None = None
    score_total: float | None = None  # the low end of the range: points known so far
    score_high: float | None = None  # low + the maxima of the rows awaiting staff
    score_automatic: float | None = None
    score_manual: float | None = None
    awaiting_staff: list[ScoreLine] = field(default_factory=list)
    score_passes: bool | None = None  # None while the range straddles the pass mark
    counters: list[CounterLine] = field(default_factory=list)
    lines: list[ScoreLine] = field(default_factory=list)  # the profile's whole table, row by row (exports)

    @property
    def minimums_met(self) -> bool:
        return all(m.met for m in self.minimums)


async def staff_scored(session: AsyncSession, station_id: int, year: int) -> Mapping[str, float]:
    """Points staff gave to the manual rows of a station's year (row id -> points; absent = not scored)."""
    return (await manual_points(session, year, [station_id])).get(station_id, {})


async def station_score(session: AsyncSession, station: Station, year: int,
                        totals: LedgerTotals | None = None,
                        manual: Mapping[str, float] | None = None) -> StationScore:
    """``totals`` (``totals_by_station``) and ``manual`` (``manual_points``) precomputed when scoring many
    stations at once; without ``manual`` the station's staff scores are read here."""
    assert station.id is not None
    profile = load_profile(station.policy_profile)
    society = await session.get(Society, station.society_id) if station.society_id else None
    level = society.level if society else "provincial"
    if totals is None:
        totals = await year_totals(session, station.id, year)
    result = StationScore(station.id, station.name, station.policy_profile)
    result.minimums = minimums_status(totals, profile, level)
    if manual is None:
        manual = await staff_scored(session, station.id, year)
    estimate = estimate_score(totals, profile, manual)
    if estimate is not None:
        result.score_kind = estimate.kind
        result.lines = list(estimate.lines)
        if estimate.kind == "table":
            result.score_total = round(estimate.low, 2)
            result.score_high = round(estimate.high, 2)
            result.score_automatic = round(estimate.automatic, 2)
            result.score_manual = round(estimate.manual_scored, 2)
            result.awaiting_staff = list(estimate.awaiting)
            result.score_passes = estimate.passes
        result.counters = [CounterLine(line.id, line.label, line.actual or 0.0, line.target)
                           for line in estimate.lines if line.target is not None]
    return result


async def year_scores(session: AsyncSession, year: int, station_ids: Sequence[int] | None = None,
                      limit: int | None = None, offset: int = 0) -> list[StationScore]:
    stations = await list_stations(session, station_ids=station_ids, limit=limit, offset=offset)
    ids = [s.id for s in stations if s.id is not None]
    totals = await totals_by_station(session, year, ids)
    manual = await manual_points(session, year, ids)
    return [await station_score(session, station, year, totals.get(station.id or 0, LedgerTotals(year=year)),
                                manual.get(station.id or 0, {}))
            for station in stations]
