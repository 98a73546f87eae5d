"""Drafts: the form a person is filling, saved after every accepted answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import Draft
from storage.turn_state import known_active_draft


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


async def save(session: AsyncSession, draft: Draft, state: dict[str, Any], rev: int, now: dt.datetime,
               status: str = "active") -> None:
    draft.state = state
    draft.rev = rev
    draft.status = status
    draft.updated_at = db_time(now)
    session.add(draft)
    await session.flush()


async def park_others(session: AsyncSession, person_ids: list[int], keep_id: int) -> None:
    for draft in await drafts_of(session, person_ids):
        if draft.id != keep_id and draft.status == "active":
            draft.status = "parked"
            session.add(draft)
    await session.flush()
