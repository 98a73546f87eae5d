"""An open round's progress counted by the database: one aggregate over the round's entries.

The overview needs counts (stations fully scored, rows scored, grades chosen, material missing), not the
ranking: evaluating a round of 2,000 stations in Python (every snapshot decoded, every table scored) took
seconds. The inputs are the ones ``services.rounds.evaluate`` reads (the entries' frozen founding date, staff
scores of the round's year, submissions by the material deadline), so the counts equal the round's own pages;
``services.rounds.progress`` passes in what the rules decide (which rows staff score, which material is owed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, cast, false, func, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import AssessmentEntry, ManualScore, Submission


@dataclass(frozen=True)
class RoundCounts:
    stations: int
    unscored_stations: int  # taking part and with a staff-scored row still empty (``Evaluation.unscored``)
    rows_scored: int
    rows_total: int
    graded: int  # entries with a grade staff chose
    missing_material: int  # entries with owed material not in by the deadline


async def round_counts(session: AsyncSession, round_id: int, *, year: int, manual_ids: Sequence[str],
                       owed: Sequence[tuple[str, int]], report_kinds: Sequence[str],
                       material_end: dt.datetime) -> RoundCounts:
    """The round's counts in one statement (the entries joined to their stations' scores and material, grouped
    once each: no per-entry subquery).

    ``year``: the round's last year (its staff scores); ``manual_ids``: the rows staff score; ``owed``: every
    ``(kind, year)`` of yearly material of the period (a year before the entry's founding is not owed, as in
    ``rules.assessment.missing_material``); ``report_kinds``: material of ``year`` that makes a station take part
    when staff have not decided (none: everyone takes part); ``material_end``: the end of the deadline day.
    """
    members = sa_select(col(AssessmentEntry.station_id)).where(col(AssessmentEntry.round_id) == round_id)
    scores = (sa_select(col(ManualScore.station_id).label("station_id"), func.count().label("n"))
              .where(col(ManualScore.station_id).in_(members), col(ManualScore.year) == year,
                     col(ManualScore.item_id).in_(list(manual_ids) or [""]))
              .group_by(col(ManualScore.station_id)).subquery())
    kinds = sorted({kind for kind, _ in owed} | set(report_kinds))
    years = [y for _, y in owed] + [year]

    def filed(kinds_of: Sequence[str], of_year: int) -> Any:
        return func.max(case((and_(col(Submission.kind).in_(list(kinds_of)), col(Submission.year) == of_year), 1),
                             else_=0))

    flags = [filed([kind], of_year).label(f"f{n}") for n, (kind, of_year) in enumerate(owed)]
    reported_flag = filed(report_kinds or [""], year).label("reported")
    material = (sa_select(col(Submission.station_id).label("station_id"), reported_flag, *flags)
                .where(col(Submission.station_id).in_(members), col(Submission.kind).in_(kinds or [""]),
                       col(Submission.year) >= min(years), col(Submission.year) <= max(years),
                       col(Submission.submitted_at) < db_time(material_end))
                .group_by(col(Submission.station_id)).subquery())
    founded = col(AssessmentEntry.snapshot)["founded_on"].as_string()
    # Each entry's snapshot is decoded once (a CTE the planner may not inline into every use of the year).
    entries = (sa_select(col(AssessmentEntry.station_id).label("station_id"),
                         col(AssessmentEntry.took_part).label("took_part"),
                         col(AssessmentEntry.staff_grade).label("staff_grade"),
                         func.coalesce(cast(func.substr(func.nullif(founded, ""), 1, 4), Integer), 0).label("founded"))
               .where(col(AssessmentEntry.round_id) == round_id).cte("entries").prefix_with("MATERIALIZED"))
    scored = func.coalesce(scores.c.n, 0)
    reported = func.coalesce(material.c.reported, 0) == 1 if report_kinds else true()
    took_part = or_(entries.c.took_part.is_(True), and_(entries.c.took_part.is_(None), reported))
    missing = or_(false(), *[and_(entries.c.founded <= of_year, func.coalesce(material.c[f"f{n}"], 0) == 0)
                             for n, (_, of_year) in enumerate(owed)])
    graded = and_(entries.c.staff_grade.is_not(None), entries.c.staff_grade != "")
    unscored = and_(scored < len(manual_ids), took_part) if manual_ids else false()

    def tally(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (sa_select(func.count(), func.coalesce(func.sum(scored), 0), tally(unscored), tally(graded),
                       tally(missing))
             .select_from(entries)
             .outerjoin(scores, scores.c.station_id == entries.c.station_id)
             .outerjoin(material, material.c.station_id == entries.c.station_id))
    connection = await session.connection()
    stations, rows_scored, unscored_n, graded_n, missing_n = (await connection.execute(query)).one()
    return RoundCounts(int(stations), int(unscored_n), int(rows_scored), int(stations) * len(manual_ids),
                       int(graded_n), int(missing_n))
