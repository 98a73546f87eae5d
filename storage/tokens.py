"""Single-use deep-link tokens (invites, rating links): unguessable, hashed at rest, expiring."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.onboarding import TokenProblem
from storage.datetimes import db_time
from storage.models import AuditLog, Invite

# Telegram deep-link payloads allow 64 characters of [A-Za-z0-9_-]; 32 random bytes would
# not fit, 24 bytes (192 bits) give 32 characters.
TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
FAILED_ATTEMPTS_LIMIT = 5
FAILED_ATTEMPTS_WINDOW = dt.timedelta(minutes=15)
# Links printed on a poster are opened by many people: they are checked but never used up.
REUSABLE_PURPOSES = frozenset({"apply"})


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Redeemed:
    invite: Invite


async def create_invite(
    session: AsyncSession,
    *,
    role: str,
    now: dt.datetime,
    days: int,
    purpose: str = "invite",
    station_id: int | None = None,
    demand_unit_id: int | None = None,
    rating_request_id: int | None = None,
    created_by_person_id: int | None = None,
    policy_profile: str = "",
) -> tuple[str, Invite]:
    """Create a token and return it once; only its hash is stored."""
    now = db_time(now)
    token = new_token()
    invite = Invite(
        token_hash=hash_token(token),
        purpose=purpose,
        role=role,
        station_id=station_id,
        demand_unit_id=demand_unit_id,
        rating_request_id=rating_request_id,
        policy_profile=policy_profile,
        created_by_person_id=created_by_person_id,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    session.add(invite)
    await session.flush()
    return token, invite


async def recent_failures(session: AsyncSession, telegram_user_id: int, now: dt.datetime) -> int:
    now = db_time(now)
    result = await session.exec(
        select(func.count())
        .select_from(AuditLog)
        .where(
            AuditLog.action == "token_refused",
            AuditLog.subject == f"tg:{telegram_user_id}",
            AuditLog.at >= now - FAILED_ATTEMPTS_WINDOW,
        )
    )
    return int(result.one())


async def redeem(
    session: AsyncSession, token: str, telegram_user_id: int, now: dt.datetime
) -> Redeemed | TokenProblem:
    """Use a token at most once, even when two workers race for it (a conditional UPDATE)."""
    now = db_time(now)
    if await recent_failures(session, telegram_user_id, now) >= FAILED_ATTEMPTS_LIMIT:
        return TokenProblem.throttled
    problem: TokenProblem | None = None
    invite: Invite | None = None
    if TOKEN_PATTERN.match(token):
        invite = (await session.exec(select(Invite).where(Invite.token_hash == hash_token(token)))).first()
    if invite is None:
        problem = TokenProblem.unknown
    elif invite.used_at is not None:
        problem = TokenProblem.used
    elif invite.expires_at <= now:
        problem = TokenProblem.expired
    elif invite.purpose in REUSABLE_PURPOSES:
        return Redeemed(invite)
    else:
        connection = await session.connection()
        claimed = await connection.execute(
            update(Invite)
            .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
            .values(used_at=now, used_by_telegram_user_id=telegram_user_id)
        )
        if claimed.rowcount != 1:
            problem = TokenProblem.used
    if problem is not None:
        session.add(AuditLog(at=now, action="token_refused", subject=f"tg:{telegram_user_id}",
                             detail={"problem": problem.value}))
        await session.flush()
        return problem
    assert invite is not None
    await session.refresh(invite)
    return Redeemed(invite)
