"""Policy overrides kept in the database, and the profiles as the society runs them.

Every reader (bot, reminders job, web app, another process) asks here, so an override loaded
with ``stationbot policy load`` takes effect everywhere at the next read, without a restart.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.formspec import form_ids
from rules.policy import PolicyError, PolicyOverride, apply_override, parse_override
from rules.profile import Profile, all_profiles, load_profile
from storage.datetimes import db_time
from storage.models import PolicyOverrideRow
from storage.turn_state import known_override

log = logging.getLogger(__name__)


def _forms() -> list[str]:
    """Form ids the engine knows (checked again on read, in case a form file was removed)."""
    return form_ids()


async def store_override(session: AsyncSession, override: PolicyOverride, raw: dict[str, Any], *, file_name: str,
                         now: dt.datetime) -> None:
    """Replace the profile's override with this one (one file per profile)."""
    row = await session.get(PolicyOverrideRow, override.profile)
    if row is None:
        row = PolicyOverrideRow(profile_id=override.profile)
    row.body, row.file_name, row.loaded_at = raw, file_name, db_time(now)
    session.add(row)
    await session.flush()


async def remove_override(session: AsyncSession, profile_id: str) -> bool:
    row = await session.get(PolicyOverrideRow, profile_id)
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    return True


async def overrides(session: AsyncSession, forms: Collection[str] | None = None) -> dict[str, tuple[PolicyOverride, PolicyOverrideRow]]:
    """Every stored override, re-validated (a stored file that no longer fits its profile raises PolicyError)."""
    rows = (await session.exec(select(PolicyOverrideRow).order_by(col(PolicyOverrideRow.profile_id)))).all()
    known = _forms() if forms is None else forms
    return {row.profile_id: (parse_override(dict(row.body), known, f"stored override {row.file_name or row.profile_id}"), row)
            for row in rows}


async def effective_profiles(session: AsyncSession) -> dict[str, Profile]:
    """Every profile with its society's override applied (one query).

    A stored override that no longer fits its profile (a profile file changed since) is logged
    and skipped, so the reminder sweep still runs on the regulation alone.
    """
    rows = (await session.exec(select(PolicyOverrideRow))).all()
    stored: dict[str, PolicyOverride] = {}
    known = _forms()
    for row in rows:
        try:
            stored[row.profile_id] = parse_override(dict(row.body), known, f"stored override {row.file_name}")
        except PolicyError as exc:
            log.error("policy override of %s ignored: %s", row.profile_id, exc)
    return {pid: apply_override(profile, stored.get(pid)) for pid, profile in all_profiles().items()}


async def effective_profile(session: AsyncSession, profile_id: str) -> Profile:
    """One profile with its society's override applied."""
    profile = load_profile(profile_id)
    known, row = known_override(session, profile_id)
    if not known:
        row = await session.get(PolicyOverrideRow, profile_id)
    if row is None:
        return profile
    return apply_override(profile, parse_override(dict(row.body), _forms(), f"stored override {row.file_name}"))
