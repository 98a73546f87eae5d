"""The overview's panels beyond plain counts: this month, satisfaction against target, open rounds' progress.

Each panel is composed from the use cases and queries the chat already runs (``rules.satisfaction`` through
``storage.rating_aggregates``, ``services.rounds.progress`` (the counts of ``evaluate``/``summary``), ``conversations.duties.source_text``),
never recomputed here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.assessment import STATUS as ROUND_STATUS
from conversations.assessment import period_text
from conversations.duties import source_text
from locales import T, Text, Translator, render
from rules.profile import Profile, RatingSpec, all_profiles, load_profile, source_article
from services import rounds as round_cases
from storage.console_queries import ProfileSatisfaction, consequence_counts
from storage.datetimes import zone_of
from storage.rounds import PUBLICITY, rounds

CONFIRMED = ("confirmed", "reported", "closed", "escalated")  # a consequence staff confirmed (then ran its course)


def month_of(today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of ``today``'s month (``today`` is the deployment's local day)."""
    return today.replace(day=1), today.replace(day=calendar.monthrange(today.year, today.month)[1])


def cited_profile(profile: Profile, source: str) -> Profile:
    """The profile whose regulation a source cites: gd-quality's target borrows seed 002's annex, which is
    wuhan-qis's regulation, so it is named by that regulation's short name and not by seed 000's."""
    cited = source_article(source)
    if cited is None or cited[0] == profile.regulation.seed:
        return profile
    return next((p for p in all_profiles().values() if p.regulation.seed == cited[0]), profile)


def target_wording(spec: RatingSpec) -> Text:
    """"above 80" / "at least 80", as the chat's /ratings words the target."""
    target = f"{spec.target:.0f}"
    return T("above {target}", target=target) if spec.target_comparison == "above" else T("at least {target}",
                                                                                          target=target)


@dataclass(frozen=True)
class TargetLine:
    profile: str
    label: str
    target: str  # "above 80" / "at least 80" as the chat words it
    source: str  # the article, or "society rule"
    rated: int
    shown: int
    met: int
    ratings: int


def target_of(profile_id: str, found: ProfileSatisfaction | None, tr: Translator) -> TargetLine:
    profile = load_profile(profile_id)
    spec = profile.rating
    source = spec.target_comparison_source
    return TargetLine(profile_id, render(T(profile.label), tr), render(target_wording(spec), tr),
                      render(source_text(cited_profile(profile, source), source), tr),
                      found.rated if found else 0, found.shown if found else 0, found.met if found else 0,
                      found.ratings if found else 0)


@dataclass(frozen=True)
class RoundProgress:
    round_id: int
    profile: str
    period: str
    status: str
    deadline: dt.date
    stations: int
    scored: int  # stations with nothing left for staff to score (``Evaluation.unscored``)
    rows_scored: int
    rows_total: int
    graded: int  # grades chosen by staff (profiles whose verdict is the staff's)
    staff_grades: bool
    missing_material: int
    proposed: int  # consequences of the verdicts awaiting a staff decision
    confirmed: int
    dismissed: int


async def open_rounds(session: AsyncSession, now: dt.datetime) -> list[RoundProgress]:
    """Rounds not yet published, oldest first, counted as the round's card and grid count them
    (``services.rounds.progress``: the database counts, the round is not evaluated here)."""
    live = [r for r in reversed(await rounds(session)) if r.status in ("open", PUBLICITY) and r.id is not None]
    decided = await consequence_counts(session, [r.id for r in live if r.id is not None])
    found: list[RoundProgress] = []
    for rnd in live:
        counts = await round_cases.progress(session, rnd, tz=zone_of(now))
        spec = round_cases.spec_of(load_profile(rnd.profile))
        decisions = decided.get(rnd.id or 0, {})
        found.append(RoundProgress(
            rnd.id or 0, rnd.profile, period_text(rnd.period_start, rnd.period_end).text, rnd.status,
            rnd.material_deadline, counts.stations, counts.stations - counts.unscored_stations,
            counts.rows_scored, counts.rows_total, counts.graded, spec.verdict == "staff",
            counts.missing_material, decisions.get("proposed", 0), sum(decisions.get(s, 0) for s in CONFIRMED),
            decisions.get("dismissed", 0)))
    return found


__all__ = ["ROUND_STATUS", "RoundProgress", "TargetLine", "month_of", "open_rounds", "target_of", "target_wording"]
