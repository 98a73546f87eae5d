"""Build a form's context: choices from the station's policy profile and its own data (read through storage),
read lazily when the pure engine reaches them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.fields import FormContext
from conversations.fields.base import Choice, ChoicesNeeded, DeferredChoices
from locales import Join, Raw, T, Translator
from rules.profile import Profile, all_profiles, load_profile
from storage.ids import db_int
from storage.ledger import ledger_counts, recent_demand_units
from storage.models import Station
from storage.roster import roster_entries, unit_needs

MAX_UNIT_CHOICES = 12
Result = TypeVar("Result")


def _catalogue(items: Sequence[Any]) -> list[Choice]:
    return [(item.id, T(item.label)) for item in items]


def _profile_catalogues(profile: Profile) -> dict[str, list[Choice]]:
    return {
        "activity_types": _catalogue(profile.activity_types),
        "change_kinds": _catalogue(profile.change_kinds),
        "budget_categories": _catalogue(profile.budget_categories),
        "phases": _catalogue(profile.phases),
        "outcome_fields": _catalogue(profile.outcome_fields),
        "station_types": _catalogue(profile.station_types),
        # the application form's lists (an application has no station yet; its paper form ticks these)
        "unit_types": _catalogue(profile.application.unit_types) if profile.application else [],
        "business_fields": _catalogue(profile.application.business_fields) if profile.application else [],
    }


# Every form step asks for its profile's catalogues: built once per loaded profile (profiles are
# read once at start and never change; an override's profile, made per call, is not kept).
_CATALOGUES: dict[str, tuple[Profile, dict[str, list[Choice]]]] = {}


def profile_choices(profile: Profile) -> dict[str, list[Choice]]:
    """The profile's catalogues as choice lists (a fresh dict of fresh lists: callers may add to them)."""
    cached = _CATALOGUES.get(profile.id)
    if cached is None or cached[0] is not profile:
        catalogues = _profile_catalogues(profile)
        if all_profiles().get(profile.id) is not profile:
            return catalogues
        cached = _CATALOGUES[profile.id] = (profile, catalogues)
    return {name: list(choices) for name, choices in cached[1].items()}


async def station_units(session: AsyncSession, station_id: int) -> list[Choice]:
    """Demand units this station created or served lately, newest first (read only on the step that offers them)."""
    return [(str(unit_id), Raw(name)) for unit_id, name in await recent_demand_units(session, station_id, MAX_UNIT_CHOICES)]


async def roster_choices(session: AsyncSession, station_id: int) -> list[Choice]:
    """The station's experts as "name (title, 🌏 outside the province)" in roster order."""
    choices: list[Choice] = []
    for expert in await roster_entries(session, station_id):
        details = [expert.title] if expert.title else []
        label = Raw(f"{expert.name} ({', '.join(details)})" if details else expert.name)
        choices.append((str(expert.id), Join((label, Raw("🌏")), " ") if expert.outside_province else label))
    return choices


async def need_choices(session: AsyncSession, station_id: int, answers: Mapping[str, Any] | None) -> list[Choice]:
    """The needs of the demand unit picked in the draft (none before one is picked, or for a new unit)."""
    unit = (answers or {}).get("demand_unit")
    unit_id = db_int(unit) if isinstance(unit, str) else None
    if unit_id is None:
        return []
    return [(str(need_id), Raw(title)) for need_id, title in await unit_needs(session, station_id, unit_id)]


def context_key(answers: Mapping[str, Any] | None) -> object:
    """What of a draft's answers the context depends on: when it changes, the screen is drawn again."""
    return (answers or {}).get("demand_unit")



# Choice lists read from the station's own data, by the name forms use in ``choices_from``.
STATION_LISTS: dict[str, Callable[[AsyncSession, int], Awaitable[list[Choice]]]] = {
    "demand_units": station_units,
    "experts": roster_choices,
}


async def form_context(session: AsyncSession, station: Station, today: dt.date, tr: Translator,
                       year_for_facts: int | None = None, answers: Mapping[str, Any] | None = None) -> FormContext:
    """Everything at once: for callers that run the engine once over a whole form (review, submit)."""
    profile = load_profile(station.policy_profile)
    choices: dict[str, Sequence[Choice]] = dict(profile_choices(profile))
    assert station.id is not None
    for name, load in STATION_LISTS.items():
        choices[name] = await load(session, station.id)
    choices["needs"] = await need_choices(session, station.id, answers)
    facts: dict[str, Any] = {}
    if year_for_facts is not None:
        facts["ledger_counts"] = await ledger_counts(session, station.id, year_for_facts)
    return FormContext(today=today, profile_id=profile.id, choices=choices, facts=facts, render=tr)


Loader = Callable[[], Awaitable[Any]]


def lazy_form_context(session: AsyncSession, station: Station, today: dt.date, tr: Translator,
                      facts: Mapping[str, Loader], answers: Mapping[str, Any] | None = None,
                      ) -> tuple[FormContext, dict[str, Loader]]:
    """A context whose station lists and ``facts`` are read only when an engine call reaches them.

    Returns the context and the loaders ``run_lazily`` needs; a plain step reads none of them.
    ``answers`` are the draft's, for lists that depend on them (the picked demand unit's needs).
    """
    assert station.id is not None
    station_id = station.id
    profile = load_profile(station.policy_profile)
    loaders: dict[str, Loader] = {name: functools.partial(load, session, station_id)
                                  for name, load in STATION_LISTS.items()}
    loaders["needs"] = functools.partial(need_choices, session, station_id, answers)
    ctx = FormContext(today=today, profile_id=profile.id,
                      choices=DeferredChoices(profile_choices(profile), loaders),
                      facts=DeferredChoices({}, facts), render=tr)
    return ctx, {**loaders, **facts}


async def run_lazily(ctx: FormContext, loaders: Mapping[str, Loader], call: Callable[[FormContext], Result]) -> Result:
    """Run a pure engine call; when it reaches a list or fact not read yet, read it and run it again."""
    for _ in range(len(loaders) + 1):
        try:
            return call(ctx)
        except ChoicesNeeded as need:
            value = await loaders[need.name]()
            if isinstance(ctx.choices, DeferredChoices) and need.name in ctx.choices:
                ctx = dataclasses.replace(ctx, choices=ctx.choices.with_value(need.name, value))
            else:
                assert isinstance(ctx.facts, DeferredChoices)
                ctx = dataclasses.replace(ctx, facts=ctx.facts.with_value(need.name, value))
    return call(ctx)
