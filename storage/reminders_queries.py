"""Station facts for reminders, loaded in a few bulk queries (never one query per station)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, any_, bindparam
from sqlalchemy import select as columns
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import (
    LIVE_STATUSES,
    Activity,
    AuditLog,
    Draft,
    OutboxMessage,
    Rating,
    Society,
    Station,
    Submission,
    SubmissionStatus,
)
from storage.recipients import station_manager_chats


@dataclass(frozen=True, slots=True)
class SweepStation:
    """What the sweep reads of a station: loaded as columns (10,000 ORM objects were ~13 % of a sweep)."""

    id: int
    name: str
    policy_profile: str
    society_id: int | None
    founded_on: dt.date | None
    created_at: dt.datetime
    manager_certificate_expiry: dt.date | None
    agreement_end: dt.date | None


@dataclass(frozen=True, slots=True)
class Reachable:
    """A reachable manager or liaison of a station: the person and their chat."""

    id: int
    chat_id: int


@dataclass(frozen=True, slots=True)
class OpenDraft:
    """An unsubmitted change-report draft: its answers say the event and its kind."""

    id: int
    person_id: int
    state: dict[str, Any] | None


@dataclass
class StationRows:
    station: SweepStation
    society_level: str
    recipients: list[Reachable] = field(default_factory=list)
    submitted: set[tuple[str, int]] = field(default_factory=set)
    change_drafts: list[OpenDraft] = field(default_factory=list)


async def station_rows(session: AsyncSession, years: tuple[int, ...]) -> list[StationRows]:
    """Live stations with their reachable managers/liaisons, annual submissions, open change drafts.

    Whether a station has logged anything is asked separately (``stations_with_activity``), only for
    the few stations an inactivity warning could concern: a DISTINCT over the whole ledger took ~1 s.
    """
    connection = await session.connection()
    stations = (await connection.execute(
        columns(col(Station.id), col(Station.name), col(Station.policy_profile), col(Station.society_id),
                col(Station.founded_on), col(Station.created_at), col(Station.manager_certificate_expiry),
                col(Station.agreement_end))
        .where(col(Station.status).in_(LIVE_STATUSES)).order_by(col(Station.id)))).all()
    levels: dict[Any, str] = {society_id: level for society_id, level in
                              await connection.execute(columns(col(Society.id), col(Society.level)))}
    by_id = {s[0]: StationRows(SweepStation(*s), levels.get(s[3], "")) for s in stations}  # type: ignore[arg-type]
    owners = set()
    for station_id, person_id, chat_id in await station_manager_chats(session):
        owners.add(person_id)
        if station_id in by_id:
            by_id[station_id].recipients.append(Reachable(person_id, chat_id))
    # Every yearly duty is data (the profile's annual_submissions), so any kind but change reports; a
    # returned submission is owed again.
    submissions = (await connection.execute(select(Submission.station_id, Submission.kind, Submission.year).where(
        Submission.kind != "change_report", col(Submission.year).in_(years),
        Submission.status != SubmissionStatus.returned))).all()
    for station_id, kind, year in submissions:
        if station_id in by_id and year is not None:
            by_id[station_id].submitted.add((kind, year))
    drafts = (await connection.execute(columns(col(Draft.id), col(Draft.person_id), col(Draft.station_id),
                                               col(Draft.state)).where(
        col(Draft.form_id) == "change_report", col(Draft.submission_id).is_(None)))).all()
    for draft_id, person_id, station_id, state in drafts:
        if station_id in by_id and person_id in owners:
            by_id[station_id].change_drafts.append(OpenDraft(draft_id, person_id, state))
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
    """The outbox idempotency keys among ``keys`` already used (an index lookup per key)."""
    if not keys:
        return set()
    connection = await session.connection()
    column = col(OutboxMessage.idempotency_key)
    if connection.dialect.name == "postgresql":
        # One array parameter, all keys at once: with 500 IN parameters asyncpg's reused prepared statement
        # went to a generic plan that scanned the whole outbox per chunk (0.3-0.5 s each, 26 chunks a sweep).
        query = columns(column).where(column == any_(bindparam("keys", list(keys), type_=ARRAY(String))))
        return set((await connection.execute(query)).scalars().all())
    found: set[str] = set()
    for offset in range(0, len(keys), KEYS_PER_QUERY):
        chunk = list(keys[offset:offset + KEYS_PER_QUERY])
        found.update((await connection.execute(columns(column).where(column.in_(chunk)))).scalars().all())
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
