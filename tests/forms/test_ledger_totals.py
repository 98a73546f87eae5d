"""A station's year added up in SQL (``storage.ledger.totals_by_station``) against figures worked out by hand.

The December reminder sweep used to stream a year of ledger into Python; the database now groups by
station. Each metric is checked on both databases, with the edges: an activity spanning the year's
end (counted in the year it started), the rows just outside the year or ``until``, roster experts
who came twice, counters that are not counts (a boolean, a decimal), and a station without rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import event
from sqlmodel import select

from rules.scoring import LedgerTotals, totals_from_rows
from storage.db import Database
from storage.ledger import totals_by_station, year_totals
from storage.models import Activity, ActivityExpert, DemandUnit, Expert, Need, Person, Station
from storage.roster import expert_years


@dataclass
class Ledger:
    busy: int
    last_year_only: int
    empty: int


async def ledger(db: Database) -> Ledger:
    """Station "busy" has four activities in 2027 and one each in 2026 and 2028; the others none in 2027."""
    async with db.session() as session:
        busy, last_year_only, empty = (Station(name=n, policy_profile="guiyang-kczg") for n in ("busy", "old", "empty"))
        session.add_all([busy, last_year_only, empty])
        await session.flush()
        assert busy.id is not None and last_year_only.id is not None and empty.id is not None
        person = Person(role="manager", station_id=busy.id)
        units = [DemandUnit(name=f"U{n}", created_by_station_id=busy.id) for n in range(3)]
        session.add_all([person, *units])
        await session.flush()
        needs = [Need(station_id=busy.id, demand_unit_id=units[n].id or 0, title=f"N{n}") for n in range(3)]
        far, near = Expert(station_id=busy.id, name="far", outside_province=True), Expert(station_id=busy.id, name="near")
        session.add_all([*needs, far, near])
        await session.flush()

        def row(kind: str, day: dt.date, unit: int | None, need: int | None, days: int, participants: int,
                outcomes: dict[str, object], station: int = busy.id or 0, ended: dt.date | None = None) -> Activity:
            return Activity(station_id=station, activity_type=kind, title="t", started_on=day, ended_on=ended,
                            demand_unit_id=None if unit is None else units[unit].id,
                            need_id=None if need is None else needs[need].id, expert_days=days,
                            participants=participants, outcomes=outcomes, logged_by_person_id=person.id or 0)

        first = row("training", dt.date(2027, 1, 1), 0, 0, 4, 10,
                    {"problems_solved": 2, "big": 3, "flag": True, "ratio": 1.5})
        second = row("training", dt.date(2027, 6, 30), 0, 0, 3, 5, {"problems_solved": 1, "big": -1})
        third = row("tackling", dt.date(2027, 12, 31), 1, 1, 0, 7, {})
        spanning = row("training", dt.date(2027, 3, 1), None, None, 0, 0, {}, ended=dt.date(2028, 2, 1))
        before = row("tackling", dt.date(2026, 12, 31), 2, 2, 9, 100, {"problems_solved": 50},
                     ended=dt.date(2027, 1, 5))
        after = row("tackling", dt.date(2028, 1, 1), 2, 2, 1, 1, {"problems_solved": 1})
        old = row("training", dt.date(2026, 6, 1), None, None, 0, 3, {}, station=last_year_only.id)
        session.add_all([first, second, third, spanning, before, after, old])
        await session.flush()
        session.add_all([ActivityExpert(activity_id=first.id or 0, expert_id=far.id or 0, days=2),
                         ActivityExpert(activity_id=first.id or 0, expert_id=near.id or 0, days=2),
                         ActivityExpert(activity_id=second.id or 0, expert_id=far.id or 0, days=3),
                         ActivityExpert(activity_id=before.id or 0, expert_id=near.id or 0, days=9)])
        await session.commit()
        return Ledger(busy.id, last_year_only.id, empty.id)


def unit_ids(totals: LedgerTotals) -> dict[str, int]:
    return {kind: len(units) for kind, units in totals.units_by_type.items()}


async def test_year_totals_in_sql_match_figures_worked_out_by_hand(db: Database) -> None:
    stations = await ledger(db)
    async with db.session() as session:
        found = await totals_by_station(session, 2027)
        alone = await year_totals(session, stations.busy, 2027)
    assert set(found) == {stations.busy}, "stations without rows in 2027 are absent (callers default to zeros)"
    totals = found[stations.busy]
    assert totals == alone
    # 1 Jan, 30 Jun, 3 Mar (ends in 2028: counted in the year it started), 31 Dec; not 31 Dec 2026 nor 1 Jan 2028.
    assert (totals.activities, totals.by_type) == (4, {"training": 3, "tackling": 1})
    assert totals.needs_served == 2, "N0 served twice counts once; N2 only outside the year"
    assert unit_ids(totals) == {"training": 1, "tackling": 1}
    assert totals.outcomes == {"problems_solved": 3, "big": 2}, "a boolean and a decimal are not counts"
    assert (totals.expert_days, totals.participants) == (7, 22)
    assert totals.sums["participants"] == 22 and totals.metric("sum:participants") == 22
    assert totals.metric("participants") == 22 and totals.metric("expert_days") == 7
    # far: 2 + 3 days (outside the province); near: 2 days in 2027 (9 more in 2026 do not count).
    assert (totals.experts_distinct, totals.experts_outside_province, totals.expert_days_average) == (2, 1, 3.5)
    assert totals.metric("units:training+tackling") == 2 and totals.metric("outcome:problems_solved+big") == 5


async def test_totals_up_to_a_day_stop_at_that_day(db: Database) -> None:
    stations = await ledger(db)
    async with db.session() as session:
        found = await totals_by_station(session, 2027, [stations.busy, stations.empty], until=dt.date(2027, 3, 1))
    totals = found[stations.busy]
    assert (totals.activities, totals.by_type, totals.needs_served) == (2, {"training": 2}, 1)
    assert totals.outcomes == {"problems_solved": 2, "big": 3}
    assert (totals.expert_days, totals.participants) == (4, 10)
    assert (totals.experts_distinct, totals.experts_outside_province, totals.expert_days_average) == (2, 1, 2.0)
    assert stations.empty not in found


async def test_totals_limited_to_some_metrics_compute_exactly_those(db: Database) -> None:
    """The sweep asks only for what the minimums read; those figures are the full ones."""
    stations = await ledger(db)
    metrics = ["needs_served", "experts_distinct", "experts_outside_province", "units:tackling", "outcome:big",
               "sum:participants"]
    async with db.session() as session:
        some = (await totals_by_station(session, 2027, [stations.busy], metrics=metrics))[stations.busy]
        every = (await totals_by_station(session, 2027, [stations.busy]))[stations.busy]
    assert [some.metric(m) for m in metrics] == [every.metric(m) for m in metrics] == [2, 2, 1, 1, 2, 22]
    assert some.outcomes == {"big": 2} and "training" not in some.units_by_type, "what no metric reads is not computed"


async def test_sql_totals_equal_the_python_reference_over_the_same_rows(db: Database) -> None:
    stations = await ledger(db)
    async with db.session() as session:
        rows = (await session.exec(select(Activity).where(Activity.station_id == stations.busy,
                                                          Activity.started_on >= dt.date(2027, 1, 1),
                                                          Activity.started_on <= dt.date(2027, 12, 31)))).all()
        experts = (await expert_years(session, 2027, [stations.busy]))[stations.busy]
        in_sql = (await totals_by_station(session, 2027, [stations.busy]))[stations.busy]
    assert in_sql == totals_from_rows(rows, 2027, experts)


async def test_year_counts_needs_and_units_are_read_from_the_covering_index(db: Database) -> None:
    """Issue 14: the year's aggregates read ``ix_activity_totals`` alone, not the wide ledger rows.

    SQLite's planner would take the date index and then every row from the table (~3 s a scan at
    network scale); the figures themselves are held by the tests above on both databases.
    """
    stations = await ledger(db)
    statements: list[tuple[str, object]] = []

    def seen(_conn: object, _cursor: object, statement: str, parameters: object, *_rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "json_each" not in statement:
            statements.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with db.session() as session:
            found = await totals_by_station(session, 2027)
            some = await totals_by_station(session, 2027, [stations.busy], until=dt.date(2027, 3, 1))
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    assert found[stations.busy].activities == 4 and some[stations.busy].activities == 2
    aggregates = [(s, p) for s, p in statements if "FROM activity" in s and "JOIN" not in s.upper()]
    assert len(aggregates) == 6, aggregates  # counts and sums, needs, units; twice
    if not db.is_sqlite:
        return  # PostgreSQL's planner chooses by cost and statistics; nothing to pin at this size
    async with db.session() as session:
        connection = await session.connection()
        for statement, parameters in aggregates:
            plan = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)).all()
            used = " ".join(str(step[-1]) for step in plan)
            assert "COVERING INDEX ix_activity_totals" in used, (statement, used)
