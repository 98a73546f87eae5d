"""公示 (public notice) periods with objections, for any subject: a station application, an assessment result.

Generic on purpose: a notice names its subject by ``subject_type`` + ``subject_id`` and knows nothing
else of it, so every area that must announce a result before concluding it uses the same rows.
Staff answer each objection (upheld or not, with the finding); the subject may be concluded only
when the period is over and every objection is answered (``NoticeState.may_conclude``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import AuditLog, Objection, PublicNotice

MAX_REASON = 2000


@dataclass(frozen=True)
class NoticeState:
    """Where a notice stands at ``now``."""

    notice: PublicNotice
    running: bool
    objections: int
    unanswered: int
    upheld: int

    @property
    def may_conclude(self) -> bool:
        """Over, and no objection left unanswered (whether any was upheld is the caller's decision)."""
        return not self.running and self.unanswered == 0


async def open_notice(session: AsyncSession, *, subject_type: str, subject_id: int, title: str, days: int,
                      now: dt.datetime, source: str = "", person_id: int | None = None) -> PublicNotice:
    """Start the notice period (calendar days, as the seeds count 公示5日); opening twice returns the first."""
    existing = await notice_for(session, subject_type, subject_id)
    if existing is not None:
        return existing
    now = db_time(now)
    notice = PublicNotice(subject_type=subject_type, subject_id=subject_id, title=title[:300], starts_at=now,
                          ends_at=now + dt.timedelta(days=days), source=source[:200], created_by_person_id=person_id)
    session.add(notice)
    await session.flush()
    session.add(AuditLog(at=now, person_id=person_id, action="notice_opened", subject=f"notice:{notice.id}",
                         detail={"subject": f"{subject_type}:{subject_id}", "days": days}))
    await session.flush()
    return notice


async def notice_for(session: AsyncSession, subject_type: str, subject_id: int) -> PublicNotice | None:
    query = select(PublicNotice).where(PublicNotice.subject_type == subject_type,
                                       PublicNotice.subject_id == subject_id)
    return (await session.exec(query)).first()


async def running_notices(session: AsyncSession, now: dt.datetime, limit: int = 30) -> list[PublicNotice]:
    now = db_time(now)
    query = (select(PublicNotice).where(col(PublicNotice.ends_at) > now, col(PublicNotice.closed_at).is_(None))
             .order_by(col(PublicNotice.ends_at)).limit(limit))
    return list((await session.exec(query)).all())


async def ended_open_notices(session: AsyncSession, now: dt.datetime, limit: int = 200) -> list[PublicNotice]:
    """Notices whose period is over but whose subject is not concluded yet (staff must decide)."""
    query = (select(PublicNotice).where(col(PublicNotice.ends_at) <= db_time(now), col(PublicNotice.closed_at).is_(None))
             .order_by(col(PublicNotice.ends_at)).limit(limit))
    return list((await session.exec(query)).all())


async def objections_of(session: AsyncSession, notice_id: int) -> list[Objection]:
    query = select(Objection).where(Objection.notice_id == notice_id).order_by(col(Objection.id))
    return list((await session.exec(query)).all())


async def state_of(session: AsyncSession, notice: PublicNotice, now: dt.datetime) -> NoticeState:
    assert notice.id is not None
    rows = await objections_of(session, notice.id)
    running = notice.closed_at is None and db_time(now) < notice.ends_at
    return NoticeState(notice, running, len(rows), sum(1 for o in rows if o.answered_at is None),
                       sum(1 for o in rows if o.upheld))


async def file_objection(session: AsyncSession, notice: PublicNotice, *, telegram_user_id: int, chat_id: int,
                         name: str, reason: str, now: dt.datetime) -> Objection | None:
    """Record an objection while the notice runs; None once it is over (the period is the rule)."""
    now = db_time(now)
    if notice.closed_at is not None or now >= notice.ends_at:
        return None
    objection = Objection(notice_id=notice.id or 0, telegram_user_id=telegram_user_id, chat_id=chat_id,
                          name=name[:100], reason=reason[:MAX_REASON], filed_at=now)
    session.add(objection)
    await session.flush()
    session.add(AuditLog(at=now, action="objection_filed", subject=f"objection:{objection.id}",
                         detail={"notice_id": notice.id, "tg": telegram_user_id}))
    await session.flush()
    return objection


async def answer_objection(session: AsyncSession, objection: Objection, *, upheld: bool, answer: str,
                           person_id: int, now: dt.datetime) -> Objection:
    now = db_time(now)
    objection.upheld = upheld
    objection.answer = answer[:MAX_REASON]
    objection.answered_by_person_id = person_id
    objection.answered_at = now
    session.add(objection)
    session.add(AuditLog(at=now, person_id=person_id, action="objection_answered",
                         subject=f"objection:{objection.id}", detail={"upheld": upheld}))
    await session.flush()
    return objection


async def close_notice(session: AsyncSession, notice: PublicNotice, now: dt.datetime) -> None:
    """Mark the notice concluded (the subject was decided); later objections are refused."""
    notice.closed_at = db_time(now)
    session.add(notice)
    await session.flush()
