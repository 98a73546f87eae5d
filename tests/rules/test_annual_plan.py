"""The sweep works a profile's yearly duties out once (``annual_plan``); a station's owed items stay what the
per-duty rules say: ``owed`` from the start date, last year's only while missing (seed 000 第十二条 and the
other profiles' dates, read through each profile's ``annual_submissions``)."""

from __future__ import annotations

import datetime as dt

from rules.deadlines import (
    DueItem,
    StationFacts,
    _due_date,
    _item,
    annual_plan,
    covered_year,
    due_items,
    owed,
)
from rules.profile import Profile, all_profiles


def reference_annual(profile: Profile, today: dt.date, submitted: set[tuple[str, int]],
                     founded_on: dt.date | None) -> list[DueItem]:
    """The yearly items as the sweep computed them per station before the plan (duty by duty)."""
    items = []
    for due_year in (today.year - 1, today.year):
        for spec in profile.duties:
            due_on = _due_date(spec, due_year)
            year = covered_year(spec, due_year)
            done = (spec.id, year) in submitted
            if not owed(spec, year, founded_on):
                continue
            if due_year < today.year and (done or due_on is None):
                continue
            source = spec.due.source if spec.due is not None else spec.source
            items.append(_item(spec.id, f"{spec.id}:{year}", spec.label, year, due_on, today, done, source))
    return sorted(items, key=lambda item: (item.due_on or dt.date.max, item.key))


def test_a_profiles_plan_gives_every_station_the_items_worked_out_duty_by_duty() -> None:
    compared = 0
    for profile in all_profiles().values():
        for today in (dt.date(2026, 1, 5), dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 10, 31),
                      dt.date(2026, 12, 15), dt.date(2027, 2, 1)):
            plan = annual_plan(profile, today)
            kinds = [spec.id for spec in profile.duties]
            for founded in (None, dt.date(2020, 5, 1), dt.date(today.year - 1, 11, 1), dt.date(today.year, 2, 1),
                            today, dt.date(today.year, 12, 31)):
                for filed in (set(), {(k, today.year) for k in kinds}, {(k, today.year - 1) for k in kinds},
                              {(k, y) for k in kinds[:1] for y in (today.year - 2, today.year - 1)}):
                    facts = StationFacts(profile.id, founded_on=founded, submitted=frozenset(filed))
                    expected = reference_annual(profile, today, filed, founded)
                    assert due_items(facts, today, profile, plan=plan) == expected, (profile.id, today, founded)
                    assert due_items(facts, today, profile) == expected
                    compared += 1
    assert compared > 500


def test_a_plan_for_another_day_or_profile_is_not_used() -> None:
    profiles = list(all_profiles().values())
    first, other = profiles[0], profiles[1]
    today = dt.date(2026, 12, 15)
    facts = StationFacts(first.id)
    assert due_items(facts, today, first, plan=annual_plan(first, dt.date(2025, 12, 15))) == \
        due_items(facts, today, first)
    assert due_items(facts, today, first, plan=annual_plan(other, today)) == due_items(facts, today, first)
    assert due_items(facts, today, first)  # the profile owes something that day: the comparison is not empty
