"""Ledger queries shared by /status, reminders and exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.columns import column_values
from conversations.formspec import FormSpec
from rules.scoring import LedgerTotals, totals_from_rows
from storage.models import Activity, DemandUnit, Submission, SubmissionStatus
from storage.roster import expert_years


def activity_columns(form: FormSpec, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The ledger row's columns the form file declares; a column the table lacks fails loudly."""
    values = column_values(form, answers)
    unknown = sorted(set(values) - set(Activity.__table__.columns.keys()))  # type: ignore[attr-defined]
    if unknown:
        raise LookupError(f"form {form.id!r} declares ledger columns the table lacks: {unknown}")
    return values


async def year_totals(session: AsyncSession, station_id: int, year: int) -> LedgerTotals:
    """One station's year, added up (columns only; see ``totals_by_station``)."""
    return (await totals_by_station(session, year, [station_id])).get(station_id, LedgerTotals(year=year))


async def submitted_pairs(session: AsyncSession, station_id: int) -> set[tuple[str, int]]:
    """``(kind, covered year)`` of every yearly submission the station has made (a returned one is owed again)."""
    query = select(Submission.kind, Submission.year).where(Submission.station_id == station_id,
                                                           col(Submission.year).is_not(None),
                                                           Submission.status != SubmissionStatus.returned)
    return {(kind, int(year)) for kind, year in (await session.exec(query)).all() if year is not None}


async def month_counts(session: AsyncSession, station_id: int, year: int) -> dict[int, int]:
    """Activities per month of one station's year (for the manager's chart)."""
    month = func.extract("month", col(Activity.started_on))
    query = (select(month, func.count())
             .where(Activity.station_id == station_id, Activity.started_on >= dt.date(year, 1, 1),
                    Activity.started_on <= dt.date(year, 12, 31))
             .group_by(month))
    return {int(m): int(n) for m, n in (await session.exec(query)).all()}


async def ledger_counts(session: AsyncSession, station_id: int, year: int) -> dict[str, int]:
    """Activities per type of one station's year (the yearly summary shows them)."""
    query = (
        select(Activity.activity_type, func.count())
        .where(Activity.station_id == station_id, Activity.started_on >= dt.date(year, 1, 1),
               Activity.started_on <= dt.date(year, 12, 31))
        .group_by(col(Activity.activity_type))
    )
    return {kind: int(n) for kind, n in (await session.exec(query)).all()}


RECENT_ACTIVITIES = 50


async def recent_demand_units(session: AsyncSession, station_id: int, limit: int) -> list[DemandUnit]:
    """Demand units this station created or served lately, newest first (one statement).

    Only the station's latest ledger rows (an index range), never the whole ledger.
    """
    recent = (
        select(Activity.demand_unit_id)
        .where(Activity.station_id == station_id, col(Activity.demand_unit_id).is_not(None))
        .order_by(col(Activity.id).desc())
        .limit(RECENT_ACTIVITIES)
        .scalar_subquery()
    )
    query = (
        select(DemandUnit)
        .where(or_(col(DemandUnit.created_by_station_id) == station_id, col(DemandUnit.id).in_(recent)))
        .order_by(col(DemandUnit.id).desc())
        .limit(limit)
    )
    return list((await session.exec(query)).all())


LEDGER_COLUMNS = ("station_id", "activity_type", "demand_unit_id", "need_id", "expert_days", "participants",
                  "outcomes")


async def totals_by_station(session: AsyncSession, year: int, station_ids: Sequence[int] | None = None,
                            until: dt.date | None = None) -> dict[int, LedgerTotals]:
    """Every station's year (up to ``until``) in one streamed pass (columns only, station by station),
    with the roster experts' days of that year (one aggregated query).

    An export or the API's score list covers thousands of stations: one query per station
    loading whole ORM rows took minutes; this keeps one station's rows in memory at a time.
    """
    table = Activity.__table__  # type: ignore[attr-defined]
    query = (sa_select(*(table.c[name] for name in LEDGER_COLUMNS))
             .where(table.c.started_on >= dt.date(year, 1, 1), table.c.started_on <= (until or dt.date(year, 12, 31)))
             .order_by(table.c.station_id)
             .execution_options(yield_per=5000))
    if station_ids is not None:
        query = query.where(table.c.station_id.in_(list(station_ids)))
    experts = await expert_years(session, year, station_ids, until)
    found: dict[int, LedgerTotals] = {}
    current: int | None = None
    batch: list[Any] = []
    async for row in await session.stream(query):
        if row.station_id != current and batch:
            assert current is not None
            found[current] = totals_from_rows(batch, year, experts.get(current, ()))
            batch = []
        current = row.station_id
        batch.append(row)
    if batch and current is not None:
        found[current] = totals_from_rows(batch, year, experts.get(current, ()))
    return found
