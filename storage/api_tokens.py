"""Bearer tokens for the staff API: the token is shown once, only its SHA-256 is stored.

Each token has a scope, narrowest first: ``aggregates`` (counts, averages, scores), ``individual``
(also single ratings and their comments, which can hold phone numbers) and ``write``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ApiToken

PREFIX = "sbt_"
SCOPES = ("aggregates", "individual", "write")
NAME_LENGTH = 100


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def scope_allows(granted: str, needed: str) -> bool:
    """Whether a token of scope ``granted`` may use a route needing ``needed`` (scopes are ordered)."""
    if granted not in SCOPES:
        return False
    return SCOPES.index(granted) >= SCOPES.index(needed)


def token_name_problem(name: str) -> str | None:
    """None for a usable name; else why not (names show up in `token list` and in logs)."""
    if not name.strip():
        return "empty"
    if len(name) > NAME_LENGTH:
        return "long"
    if not name.isprintable():
        return "unprintable"
    return None


async def create_api_token(session: AsyncSession, name: str, now: dt.datetime,
                           scope: str = "aggregates") -> tuple[str, ApiToken]:
    """A new token (returned once, never stored) and its row."""
    if scope not in SCOPES or token_name_problem(name) is not None:
        raise ValueError("bad token name or scope")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name.strip(), token_hash=hash_api_token(token), created_at=now, scope=scope)
    session.add(row)
    await session.flush()
    return token, row


async def revoke_api_token(session: AsyncSession, token_id: int, now: dt.datetime) -> bool:
    row = await session.get(ApiToken, token_id)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        await session.flush()
    return True


async def list_api_tokens(session: AsyncSession) -> list[ApiToken]:
    return list((await session.exec(select(ApiToken).order_by(col(ApiToken.id)))).all())


async def token_is_valid(session: AsyncSession, token: str) -> ApiToken | None:
    """The live token row for ``token``, or None (unknown or revoked)."""
    if not token:
        return None
    query = select(ApiToken).where(ApiToken.token_hash == hash_api_token(token), col(ApiToken.revoked_at).is_(None))
    return (await session.exec(query)).first()
