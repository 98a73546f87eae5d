"""Yearly duties in the shell: which duty a draft files, which year its form offers, what is owed.

Duties are data (``annual_submissions`` of the profile, plus the society's policy override),
so nothing here names a duty: a sixth profile's duties work through the same code.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from rules.deadlines import filing_year
from rules.profile import AnnualSubmission, Profile
from storage.datetimes import local, zone_of
from storage.ledger import submitted_pairs
from storage.models import Draft, Station, Submission
from storage.policy import effective_profile

CHANGE_REPORT = "change_report"


async def station_profile(session: AsyncSession, station: Station) -> Profile:
    """The station's profile as its society runs it (the regulation plus the stored override)."""
    return await effective_profile(session, station.policy_profile)


class Started(Protocol):
    """What ``started_on`` reads of a station (a ``Station`` row, or the sweep's columns)."""

    @property
    def founded_on(self) -> dt.date | None: ...
    @property
    def created_at(self) -> dt.datetime: ...


def started_on(station: Started, now: dt.datetime) -> dt.date | None:
    """When the station's duties begin: its founding date, else the day it was added to the bot.

    ``now`` is the services clock, aware in ``TIMEZONE``: the added day is read in that zone. An added
    day after today (a clock that tests or replays set back) says nothing about the station's age, so
    nothing is assumed then.
    """
    if station.founded_on is not None:
        return station.founded_on
    added = local(station.created_at, zone_of(now)).date()
    return added if added <= now.date() else None


def duty_subject(profile: Profile, spec: AnnualSubmission) -> str:
    """A draft's subject key for a duty: "" for the first duty filed with its form, else ``duty:<id>``."""
    first = next((s for s in profile.annual_submissions if s.form == spec.form), spec)
    return "" if first.id == spec.id else f"duty:{spec.id}"


async def draft_duty(session: AsyncSession, draft: Draft, profile: Profile) -> AnnualSubmission | None:
    """The duty a draft files: named in its subject, taken from the returned submission, or by its form."""
    if draft.subject_key.startswith("duty:"):
        return profile.submission(draft.subject_key.split(":", 1)[1])
    if draft.subject_key.startswith("submission:"):
        submission = await session.get(Submission, int(draft.subject_key.split(":", 1)[1]))
        return profile.submission(submission.kind) if submission is not None else None
    return next((s for s in profile.annual_submissions if s.form == draft.form_id), None)


async def offered_year(session: AsyncSession, station: Station, profile: Profile, spec: AnnualSubmission,
                       now: dt.datetime) -> int:
    """The year the duty's form suggests (rules.deadlines.filing_year with what the station filed)."""
    assert station.id is not None
    filed = {year for kind, year in await submitted_pairs(session, station.id) if kind == spec.id}
    return filing_year(spec, now.date(), started_on(station, now), filed)


def form_of_kind(kind: str, profile: Profile) -> str | None:
    """The form a submission of ``kind`` was filed with (for staff cards and reopening)."""
    if kind == CHANGE_REPORT:
        return CHANGE_REPORT
    spec = profile.submission(kind)
    return spec.form if spec is not None else None
