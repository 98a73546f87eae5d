"""Ledger queries shared by /status, reminders and exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Numeric, Text, bindparam, cast, func, literal_column, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.columns import column_values, ledger_sum_columns
from conversations.formspec import FormSpec
from rules.scoring import LEGACY_SUMS, LedgerTotals, add_experts, wanted_for
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


def _recent_demand_units_query() -> Any:
    recent = (
        sa_select(col(Activity.demand_unit_id))
        .where(col(Activity.station_id) == bindparam("station_id"), col(Activity.demand_unit_id).is_not(None))
        .order_by(col(Activity.id).desc())
        .limit(RECENT_ACTIVITIES)
        .scalar_subquery()
    )
    return (
        sa_select(col(DemandUnit.id), col(DemandUnit.name))
        .where(or_(col(DemandUnit.created_by_station_id) == bindparam("station_id"), col(DemandUnit.id).in_(recent)))
        .order_by(col(DemandUnit.id).desc())
        .limit(bindparam("limit"))
    )


# Built once (three steps of every activity form run it): building and hashing the expression cost
# more than running it. Columns, not entities: the form lists only show an id and a name.
RECENT_DEMAND_UNITS = _recent_demand_units_query()


async def recent_demand_units(session: AsyncSession, station_id: int, limit: int) -> list[tuple[int, str]]:
    """(id, name) of demand units this station created or served lately, newest first (one statement).

    Only the station's latest ledger rows (an index range), never the whole ledger.
    """
    rows = await session.exec(RECENT_DEMAND_UNITS, params={"station_id": station_id, "limit": limit})
    return [(int(unit_id), str(name)) for unit_id, name in rows.all()]


def _summed(value: Any) -> float:
    """A column's sum as Python adds it: an int stays an int, money (a Decimal) becomes a float."""
    if value is None:
        return 0
    return value if isinstance(value, int) else float(value)


def _outcome_sums(dialect: str, table: Any) -> tuple[Any, Any, Any]:
    """(key, summed value, filters) of the ``outcomes`` counters, one row per activity and key.

    Only JSON integers count, as in ``rules.scoring.totals_from_rows`` (a boolean or a decimal is
    not a count): SQLite's ``json_each`` types them; PostgreSQL's ``json`` keeps each number's text.
    """
    if dialect == "postgresql":
        each = func.json_each(table.c.outcomes).table_valued("key", "value").alias("o")
        text_value = cast(each.c.value, Text)
        return (each, func.sum(cast(text_value, Numeric)),
                [func.json_typeof(each.c.value) == "number", text_value.regexp_match("^-?[0-9]+$")])
    each = func.json_each(table.c.outcomes).table_valued("key", "value", "type").alias("o")
    return each, func.sum(each.c.value), [each.c.type == "integer"]


def _period(table: Any, day: Any, year: int, station_ids: Sequence[int] | None,
            until: dt.date | None) -> list[Any]:
    """The filters of the year's rows (up to ``until``) of the stations asked for (all when None)."""
    filters = [day >= dt.date(year, 1, 1), day <= (until or dt.date(year, 12, 31))]
    if station_ids is not None:
        filters.append(table.c.station_id.in_(list(station_ids)))
    return filters


def _covered_day(dialect: str, table: Any) -> Any:
    """``started_on`` as the aggregates filter it, so SQLite reads them from ``ix_activity_totals`` alone.

    SQLite's planner prefers ``ix_activity_started_on`` for a date range and then reads every row of
    the year from the table (the rows are wide: answers, attachments): ~3 s a scan at network scale
    against ~0.3-0.8 s from the covering index. ``+started_on`` (SQLite's no-op unary plus: same value,
    same type) keeps the range off the date index, so the covering index wins. PostgreSQL's planner
    chooses by cost on its own.
    """
    if dialect != "sqlite":
        return table.c.started_on
    return literal_column(f"+{table.name}.started_on", type_=table.c.started_on.type)


async def totals_by_station(session: AsyncSession, year: int, station_ids: Sequence[int] | None = None,
                            until: dt.date | None = None, metrics: Iterable[str] | None = None,
                            ) -> dict[int, LedgerTotals]:
    """Every station's year (up to ``until``), aggregated per station in SQL, with the roster experts.

    The same figures as ``rules.scoring.totals_from_rows`` over the year's rows (tests hold both to
    hand-computed values on both databases), but the database adds them up: streaming a year of
    ledger into Python to sum it was most of the December reminder sweep. ``metrics`` (names as in
    a profile) limits the work to what they read (the sweep's minimums); the other figures are then
    left at zero. A station without ledger rows in the period is absent (callers default to zeros).
    """
    wanted = wanted_for(metrics) if metrics is not None else None
    table = Activity.__table__  # type: ignore[attr-defined]
    connection = await session.connection()
    filters = _period(table, table.c.started_on, year, station_ids, until)
    covered = _period(table, _covered_day(connection.dialect.name, table), year, station_ids, until)
    found: dict[int, LedgerTotals] = {}

    def of(station_id: int) -> LedgerTotals:
        totals = found.get(station_id)
        if totals is None:
            totals = found[station_id] = LedgerTotals(year=year)
        return totals

    sums = sorted(set(LEGACY_SUMS) | ledger_sum_columns()) if wanted is None else sorted(wanted.sums)
    if wanted is None or wanted.counts or wanted.sums:
        query = (sa_select(table.c.station_id, table.c.activity_type, func.count(),
                           *(func.sum(table.c[name]) for name in sums))
                 .where(*covered).group_by(table.c.station_id, table.c.activity_type))
        for station_id, kind, count, *added in (await connection.execute(query)).all():
            totals = of(station_id)
            totals.activities += count
            totals.by_type[kind] = totals.by_type.get(kind, 0) + count
            for name, value in zip(sums, added, strict=True):
                totals.sums[name] = totals.sums.get(name, 0) + _summed(value)
        for totals in found.values():
            totals.expert_days = int(totals.sums.get("expert_days", 0))
            totals.participants = int(totals.sums.get("participants", 0))
    if wanted is None or wanted.needs:
        query = (sa_select(table.c.station_id, func.count(table.c.need_id.distinct()))
                 .where(*covered).group_by(table.c.station_id))
        for station_id, needs in (await connection.execute(query)).all():
            of(station_id).needs_served = needs
    units = None if wanted is None else wanted.units
    if units is None or units:
        query = (sa_select(table.c.station_id, table.c.activity_type, table.c.demand_unit_id).distinct()
                 .where(*covered, table.c.demand_unit_id.is_not(None)))
        if units is not None:
            query = query.where(table.c.activity_type.in_(sorted(units)))
        for station_id, kind, unit in (await connection.execute(query)).all():
            of(station_id).units_by_type.setdefault(kind, set()).add(unit)
    keys = None if wanted is None else wanted.outcomes
    if keys is None or keys:
        each, total, typed = _outcome_sums(connection.dialect.name, table)
        query = (sa_select(table.c.station_id, each.c.key, total).select_from(table.join(each, true()))
                 .where(*filters, *typed).group_by(table.c.station_id, each.c.key))
        if keys is not None:
            query = query.where(each.c.key.in_(sorted(keys)))
        for station_id, key, value in (await connection.execute(query)).all():
            of(station_id).outcomes[key] = int(value)
    if wanted is None or wanted.experts:
        for station_id, experts in (await expert_years(session, year, station_ids, until)).items():
            add_experts(of(station_id), experts)
    return found
