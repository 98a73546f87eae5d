"""Station facts for reminders, loaded in a few bulk queries (never one query per station)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import (
    LIVE_STATUSES,
    Activity,
    AuditLog,
    Draft,
    OutboxMessage,
    Person,
    Rating,
    Society,
    Station,
    Submission,
    SubmissionStatus,
)
from storage.recipients import station_managers


@dataclass
class StationRows:
    station: Station
    society_level: str
    recipients: list[Person] = field(default_factory=list)
    submitted: set[tuple[str, int]] = field(default_factory=set)
    change_drafts: list[Draft] = field(default_factory=list)


async def station_rows(session: AsyncSession, years: tuple[int, ...]) -> list[StationRows]:
    """Live stations with their reachable managers/liaisons, annual submissions, open change drafts.

    Whether a station has logged anything is asked separately (``stations_with_activity``), only for
    the few stations an inactivity warning could concern: a DISTINCT over the whole ledger took ~1 s.
    """
    stations = (await session.exec(select(Station).where(col(Station.status).in_(LIVE_STATUSES))
                                   .order_by(col(Station.id)))).all()
    levels = {s.id: s.level for s in (await session.exec(select(Society))).all()}
    by_id = {s.id: StationRows(s, levels.get(s.society_id, "")) for s in stations}
    people = await station_managers(session)
    for person in people:
        if person.station_id in by_id:
            by_id[person.station_id].recipients.append(person)
    # Every yearly duty is data (the profile's annual_submissions), so any kind but change reports; a
    # returned submission is owed again.
    submissions = (await session.exec(select(Submission.station_id, Submission.kind, Submission.year).where(
        Submission.kind != "change_report", col(Submission.year).in_(years),
        Submission.status != SubmissionStatus.returned))).all()
    for station_id, kind, year in submissions:
        if station_id in by_id and year is not None:
            by_id[station_id].submitted.add((kind, year))
    drafts = (await session.exec(select(Draft).where(Draft.form_id == "change_report",
                                                     col(Draft.submission_id).is_(None)))).all()
    owners = {p.id: p for p in people}
    for draft in drafts:
        if draft.station_id in by_id and draft.person_id in owners:
            by_id[draft.station_id].change_drafts.append(draft)
    return list(by_id.values())


async def stations_with_activity(session: AsyncSession, station_ids: Sequence[int]) -> set[int]:
    """Which of these stations have logged any activity (an index lookup each, never the whole ledger)."""
    found: set[int] = set()
    for offset in range(0, len(station_ids), KEYS_PER_QUERY):
        chunk = list(station_ids[offset:offset + KEYS_PER_QUERY])
        found.update((await session.exec(select(Activity.station_id).distinct()
                                         .where(col(Activity.station_id).in_(chunk)))).all())
    return found


async def recent_ratings(session: AsyncSession, since: dt.datetime) -> list[tuple[int, float]]:
    rows: Any = (await session.exec(select(Rating.station_id, Rating.score)
                                    .where(Rating.created_at >= db_time(since)))).all()
    return [(int(station_id), float(score)) for station_id, score in rows]



KEYS_PER_QUERY = 500
PROGRESS_CHECK = "progress_notes"


async def existing_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """The outbox idempotency keys among ``keys`` already used (an index lookup per chunk)."""
    found: set[str] = set()
    for offset in range(0, len(keys), KEYS_PER_QUERY):
        chunk = list(keys[offset:offset + KEYS_PER_QUERY])
        found.update((await session.exec(select(OutboxMessage.idempotency_key)
                                         .where(col(OutboxMessage.idempotency_key).in_(chunk)))).all())
    return found


def progress_subject(profile_id: str, year: int, label: str) -> str:
    """The audit subject of one progress-note date of a profile: ``progress:guiyang-kczg:2027-07-01``."""
    return f"progress:{profile_id}:{year}-{label}"


async def progress_checked(session: AsyncSession, subjects: set[str]) -> set[str]:
    """The progress-note dates (``progress_subject``) whose minimums a sweep has already checked."""
    if not subjects:
        return set()
    query = select(AuditLog.subject).where(AuditLog.action == PROGRESS_CHECK, col(AuditLog.subject).in_(subjects))
    return set((await session.exec(query)).all())


def record_progress_check(session: AsyncSession, subject: str, now: dt.datetime, behind: list[int]) -> None:
    """Record that the sweep checked a progress-note date, with the stations it found behind (noted)."""
    session.add(AuditLog(at=db_time(now), action=PROGRESS_CHECK, subject=subject, detail={"behind": behind}))
