"""Submission documents: one row per submission version, the rendered DOCX and the stamped scan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import AssessmentEntry, AssessmentRound, AuditLog, Submission, SubmissionDocument

PENDING, SENT, FAILED = "pending", "sent", "failed"
MAX_ATTEMPTS = 5
RECTIFICATION_REPORT = "rectification_report"  # the document kind (rules/profiles/documents/registry.toml)


async def add_pending(session: AsyncSession, submission: Submission, kind: str, profile_id: str,
                      person_id: int | None, now: dt.datetime) -> SubmissionDocument:
    """The row the after-commit renderer fills; one per submission version and kind (idempotent).

    ``year`` is the year the submission covers, else the year it was submitted (a change report,
    an application), so that staff can zip "all of one kind for a year".
    """
    assert submission.id is not None
    found = (await session.exec(select(SubmissionDocument).where(
        SubmissionDocument.submission_id == submission.id, SubmissionDocument.kind == kind,
        SubmissionDocument.version == submission.current_version))).first()
    if found is not None:
        return found
    row = SubmissionDocument(submission_id=submission.id, version=submission.current_version, kind=kind,
                             policy_profile=profile_id, station_id=submission.station_id,
                             year=submission.year or now.year, person_id=person_id, created_at=db_time(now))
    session.add(row)
    await session.flush()
    return row


async def link_to_station(session: AsyncSession, submission_id: int, station_id: int) -> int:
    """An approved application's documents (every version, with their scans) become the new station's."""
    rows = (await session.exec(select(SubmissionDocument).where(
        SubmissionDocument.submission_id == submission_id))).all()
    for row in rows:
        row.station_id = station_id
        session.add(row)
    await session.flush()
    return len(rows)


async def pending(session: AsyncSession, limit: int = 50) -> list[int]:
    """Documents not yet delivered (a restart between commit and rendering leaves these)."""
    query = (select(SubmissionDocument.id).where(SubmissionDocument.status == PENDING,
                                                  SubmissionDocument.attempts < MAX_ATTEMPTS)
             .order_by(col(SubmissionDocument.id)).limit(limit))
    return [i for i in (await session.exec(query)).all() if i is not None]


async def awaiting_scan(session: AsyncSession, station_id: int | None, person_ids: list[int]) -> list[SubmissionDocument]:
    """Documents of a station (or sent to these people) not yet back stamped, newest first."""
    mine = col(SubmissionDocument.person_id).in_(person_ids)
    whose = or_(col(SubmissionDocument.station_id) == station_id, mine) if station_id is not None else mine
    query = (select(SubmissionDocument).where(whose, SubmissionDocument.status == SENT,
                                              col(SubmissionDocument.scan_received_at).is_(None))
             .order_by(col(SubmissionDocument.id).desc()))
    return list((await session.exec(query)).all())


async def attach_scan(session: AsyncSession, document: SubmissionDocument, scan: dict[str, Any], person_id: int,
                      now: dt.datetime) -> None:
    """The stamped copy belongs to the same submission version as the DOCX it was printed from."""
    document.scan = scan
    document.scan_received_at = db_time(now)
    document.scan_by_person_id = person_id
    session.add(document)
    session.add(AuditLog(at=db_time(now), person_id=person_id, action="stamped_copy",
                         subject=f"submission:{document.submission_id}",
                         detail={"version": document.version, "file": scan.get("file_unique_id", "")}))
    await session.flush()


async def of_station(session: AsyncSession, station_id: int) -> list[SubmissionDocument]:
    query = (select(SubmissionDocument).where(SubmissionDocument.station_id == station_id)
             .order_by(col(SubmissionDocument.id).desc()))
    return list((await session.exec(query)).all())


async def latest_of_kind(session: AsyncSession, kind: str, year: int | None,
                         station_id: int | None = None) -> list[SubmissionDocument]:
    """The newest rendered version of each submission of one kind (and year): what a zip holds."""
    query = select(SubmissionDocument).where(SubmissionDocument.kind == kind,
                                             col(SubmissionDocument.content).is_not(None))
    if year is not None:
        query = query.where(SubmissionDocument.year == year)
    if station_id is not None:
        query = query.where(SubmissionDocument.station_id == station_id)
    rows = (await session.exec(query.order_by(col(SubmissionDocument.submission_id),
                                              col(SubmissionDocument.version)))).all()
    newest: dict[int, SubmissionDocument] = {}
    for row in rows:
        newest[row.submission_id] = row
    return list(newest.values())


async def latest_for_stations(session: AsyncSession, station_ids: list[int], first_year: int, last_year: int,
                              reports: Sequence[int] = ()) -> dict[int, list[SubmissionDocument]]:
    """Per station, the newest rendered version of each of its documents for these years (a round's zip).

    A rectification report belongs to the round it rectifies, whatever year it was filed in (usually the
    next): ``reports`` are that round's report submissions; other rounds' reports are left out.
    """
    if not station_ids:
        return {}
    in_period = and_(col(SubmissionDocument.year) >= first_year, col(SubmissionDocument.year) <= last_year,
                     col(SubmissionDocument.kind) != RECTIFICATION_REPORT)
    query = (select(SubmissionDocument).where(col(SubmissionDocument.station_id).in_(station_ids),
                                              or_(in_period, col(SubmissionDocument.submission_id).in_(reports))
                                              if reports else in_period,
                                              col(SubmissionDocument.content).is_not(None))
             .order_by(col(SubmissionDocument.submission_id), col(SubmissionDocument.version),
                       col(SubmissionDocument.id)))
    newest: dict[tuple[int, str], SubmissionDocument] = {}
    for row in (await session.exec(query)).all():
        newest[(row.submission_id, row.kind)] = row
    found: dict[int, list[SubmissionDocument]] = {}
    for row in newest.values():
        if row.station_id is not None:
            found.setdefault(row.station_id, []).append(row)
    return found


async def kinds_and_years(session: AsyncSession) -> list[tuple[str, int | None, int, int]]:
    """(kind, year, submissions, stamped copies of their newest version), newest year first."""
    query = (select(SubmissionDocument.kind, SubmissionDocument.year, SubmissionDocument.submission_id,
                    SubmissionDocument.scan_received_at)
             .where(SubmissionDocument.status == SENT)
             .order_by(col(SubmissionDocument.submission_id), col(SubmissionDocument.version)))
    newest: dict[int, tuple[str, int | None, bool]] = {}
    for kind, year, submission_id, stamped_at in (await session.exec(query)).all():
        newest[submission_id] = (kind, year, stamped_at is not None)
    counts: dict[tuple[str, int | None], list[int]] = {}
    for kind, year, stamped in newest.values():
        entry = counts.setdefault((kind, year), [0, 0])
        entry[0] += 1
        entry[1] += int(stamped)
    return sorted(((k, y, n, s) for (k, y), (n, s) in counts.items()), key=lambda r: (-(r[1] or 0), r[0]))


async def for_submission(session: AsyncSession, submission_id: int) -> list[SubmissionDocument]:
    """The documents of a submission's newest version (what staff review beside it)."""
    query = (select(SubmissionDocument).where(SubmissionDocument.submission_id == submission_id)
             .order_by(col(SubmissionDocument.version).desc(), col(SubmissionDocument.id)))
    rows = list((await session.exec(query)).all())
    return [r for r in rows if r.version == rows[0].version] if rows else []


def _filtered(query: Any, station_id: int | None, kind: str | None, year: int | None) -> Any:
    if station_id is not None:
        query = query.where(SubmissionDocument.station_id == station_id)
    if kind is not None:
        query = query.where(SubmissionDocument.kind == kind)
    if year is not None:
        query = query.where(SubmissionDocument.year == year)
    return query


async def count_documents(session: AsyncSession, station_id: int | None = None, kind: str | None = None,
                          year: int | None = None) -> int:
    query = _filtered(select(func.count()).select_from(SubmissionDocument), station_id, kind, year)
    return int((await session.exec(query)).one())


async def list_documents(session: AsyncSession, station_id: int | None = None, kind: str | None = None,
                         year: int | None = None, *, limit: int, offset: int = 0) -> list[SubmissionDocument]:
    """Document versions, newest first, one page of them (the staff API)."""
    query = _filtered(select(SubmissionDocument), station_id, kind, year)
    query = query.order_by(col(SubmissionDocument.id).desc()).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


async def assessment_entries(session: AsyncSession, station_id: int) -> list[tuple[int, AssessmentRound]]:
    """The station's places in assessment rounds, newest round first: each has an assessment table."""
    query = (select(AssessmentEntry.id, AssessmentRound).join(AssessmentRound,
                                                             col(AssessmentRound.id) == col(AssessmentEntry.round_id))
             .where(AssessmentEntry.station_id == station_id).order_by(col(AssessmentRound.period_end).desc(),
                                                                       col(AssessmentRound.id).desc()))
    return [(entry_id, rnd) for entry_id, rnd in (await session.exec(query)).all() if entry_id is not None]


async def round_entries(session: AsyncSession, round_id: int) -> list[tuple[int, str]]:
    """(entry id, station name as frozen in the round) of every station of a round, in entry order."""
    query = (select(AssessmentEntry).where(AssessmentEntry.round_id == round_id)
             .order_by(col(AssessmentEntry.id)))
    return [(e.id, str(e.snapshot.get("name", e.station_id))) for e in (await session.exec(query)).all()
            if e.id is not None]
