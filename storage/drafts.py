"""Drafts: the form a person is filling, saved after every accepted answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import Draft
from storage.turn_state import forget_active_drafts, known_active_draft


async def active_draft(session: AsyncSession, person_ids: list[int]) -> Draft | None:
    """The one form the person is filling now (free text and files go to it)."""
    if not person_ids:
        return None
    known, draft = known_active_draft(session, person_ids)
    if known:
        return draft
    query = (select(Draft).where(col(Draft.person_id).in_(person_ids), Draft.status == "active")
             .order_by(col(Draft.updated_at).desc()))
    return (await session.exec(query)).first()


async def drafts_of(session: AsyncSession, person_ids: list[int], form_id: str | None = None) -> list[Draft]:
    query = select(Draft).where(col(Draft.person_id).in_(person_ids))
    if form_id is not None:
        query = query.where(Draft.form_id == form_id)
    return list((await session.exec(query.order_by(col(Draft.updated_at).desc()))).all())


async def station_drafts(session: AsyncSession, station_id: int, form_id: str) -> list[Draft]:
    """Every draft of one form for a station, whoever fills it (``/status`` shows change reports in progress)."""
    return list((await session.exec(select(Draft).where(Draft.station_id == station_id,
                                                        Draft.form_id == form_id))).all())


async def get_or_create(session: AsyncSession, *, person_id: int, form_id: str, subject_key: str,
                        station_id: int | None, now: dt.datetime) -> tuple[Draft, bool]:
    query = select(Draft).where(Draft.person_id == person_id, Draft.form_id == form_id,
                                Draft.subject_key == subject_key)
    draft = (await session.exec(query)).first()
    if draft is not None:
        return draft, False
    draft = Draft(person_id=person_id, form_id=form_id, subject_key=subject_key, station_id=station_id,
                  state={}, created_at=db_time(now), updated_at=db_time(now))
    session.add(draft)
    await session.flush()
    return draft, True


_TABLE = Draft.__table__  # type: ignore[attr-defined]
# The step's one write, built once: the new answers only if nobody moved the draft on since the read.
GUARDED_WRITE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("draft_id"), _TABLE.c.rev == bindparam("read_rev"))
    .values(state=bindparam("new_state", type_=_TABLE.c.state.type),
            rev=bindparam("new_rev"), status=bindparam("new_status"),
            updated_at=bindparam("new_at", type_=_TABLE.c.updated_at.type))
)


def _guarded_write(session: Session, params: dict[str, Any]) -> int:
    return int(session.connection().execute(GUARDED_WRITE, params).rowcount)


async def save(session: AsyncSession, draft: Draft, state: dict[str, Any], rev: int, now: dt.datetime,
               status: str = "active") -> None:
    """``UPDATE draft … WHERE id = :id AND rev = :read_rev``; a lost race raises ``StaleDataError``.

    Written with one prebuilt statement instead of the ORM's unit of work (a flush costs more
    than the statement); the row object is then told its new values without being marked changed.
    """
    found = inspect(draft)
    if not found.persistent or draft.id is None:  # not in the database yet: the ORM inserts it
        draft.state, draft.rev, draft.status, draft.updated_at = state, rev, status, db_time(now)
        session.add(draft)
        await session.flush()
        return
    at = db_time(now)
    params = {"draft_id": draft.id, "read_rev": found.committed_state.get("rev", draft.rev),
              "new_state": state, "new_rev": rev, "new_status": status, "new_at": at}
    if await session.run_sync(_guarded_write, params) != 1:
        raise StaleDataError(f"draft {draft.id} moved on from rev {params['read_rev']}")
    for name, value in (("state", state), ("rev", rev), ("status", status), ("updated_at", at)):
        set_committed_value(draft, name, value)
    forget_active_drafts(session)


async def park_others(session: AsyncSession, person_ids: list[int], keep_id: int) -> None:
    for draft in await drafts_of(session, person_ids):
        if draft.id != keep_id and draft.status == "active":
            draft.status = "parked"
            session.add(draft)
    await session.flush()


async def make_active(session: AsyncSession, draft: Draft, person_ids: list[int]) -> None:
    """The one open form a person's free text goes to: this draft, the others parked."""
    if draft.status != "active":
        draft.status = "active"
        await park_others(session, person_ids, draft.id or 0)
