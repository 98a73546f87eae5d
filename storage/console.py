"""The staff web console's sign-in: one-time login links (invites of purpose ``console``) and sessions.

A link is an ordinary single-use invite (``storage.tokens``: random, only its hash stored) bound to
the staff member who asked for it by ``created_by_person_id``, valid for ten minutes. Redeeming it
claims the row with the same conditional UPDATE as chat invites, so a link opens one session even
when two tabs race. Failed attempts are logged and throttled per client address. A session is a
second random token in an HttpOnly cookie, stored hashed; it is checked on every request against
its idle limit and against its person still being active staff.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.datetimes import db_time
from storage.models import AuditLog, ConsoleSession, Invite, Person, Role
from storage.tokens import (
    FAILED_ATTEMPTS_LIMIT,
    FAILED_ATTEMPTS_WINDOW,
    TOKEN_PATTERN,
    create_invite,
    hash_token,
    new_token,
)

PURPOSE = "console"
LINK_LIFETIME = dt.timedelta(minutes=10)
IDLE_LIMIT = dt.timedelta(hours=12)
# Writing last_seen_at on every page view would make every GET a write; a minute's slack is harmless.
TOUCH_EVERY = dt.timedelta(minutes=1)
REFUSED = "console_link_refused"


class LinkProblem(StrEnum):
    unknown = "unknown"
    used = "used"
    expired = "expired"
    not_staff = "not_staff"
    throttled = "throttled"


@dataclass(frozen=True)
class SignedIn:
    session_token: str
    person: Person


def is_staff(person: Person | None) -> bool:
    """The one test of who may use the console: an active staff binding."""
    return person is not None and person.active and person.role == Role.staff.value


async def create_login_link(session: AsyncSession, person: Person, now: dt.datetime) -> str:
    """A fresh single-use token for ``person`` (returned once; only its hash is stored)."""
    token, invite = await create_invite(session, role=Role.staff.value, purpose=PURPOSE, now=now, days=0,
                                        created_by_person_id=person.id)
    invite.expires_at = db_time(now) + LINK_LIFETIME
    session.add(invite)
    session.add(AuditLog(at=db_time(now), person_id=person.id, action="console_link", subject=f"invite:{invite.id}"))
    await session.flush()
    return token


async def recent_failures(session: AsyncSession, client: str, now: dt.datetime) -> int:
    query = (select(func.count()).select_from(AuditLog)
             .where(AuditLog.action == REFUSED, AuditLog.subject == client[:100],
                    AuditLog.at >= db_time(now) - FAILED_ATTEMPTS_WINDOW))
    return int((await session.exec(query)).one())


async def redeem_login_link(session: AsyncSession, token: str, client: str,
                            now: dt.datetime) -> SignedIn | LinkProblem:
    """Use a login link at most once and open a session for its person, or say why not."""
    now = db_time(now)
    if await recent_failures(session, client, now) >= FAILED_ATTEMPTS_LIMIT:
        return LinkProblem.throttled
    invite: Invite | None = None
    if TOKEN_PATTERN.match(token):
        query = select(Invite).where(Invite.token_hash == hash_token(token), Invite.purpose == PURPOSE)
        invite = (await session.exec(query)).first()
    person = await session.get(Person, invite.created_by_person_id) if invite and invite.created_by_person_id else None
    problem: LinkProblem | None = None
    if invite is None:
        problem = LinkProblem.unknown
    elif invite.used_at is not None:
        problem = LinkProblem.used
    elif db_time(invite.expires_at) <= now:
        problem = LinkProblem.expired
    elif not is_staff(person):
        problem = LinkProblem.not_staff
    else:
        connection = await session.connection()
        claimed = await connection.execute(
            update(Invite).where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None)).values(used_at=now))
        if claimed.rowcount != 1:
            problem = LinkProblem.used
    if problem is not None:
        session.add(AuditLog(at=now, person_id=person.id if person else None, action=REFUSED, subject=client[:100],
                             detail={"problem": problem.value}))
        await session.flush()
        return problem
    assert invite is not None and person is not None and person.id is not None
    session_token = new_token()
    session.add(ConsoleSession(token_hash=hash_token(session_token), person_id=person.id, created_at=now,
                               last_seen_at=now))
    session.add(AuditLog(at=now, person_id=person.id, action="console_signed_in", subject=f"invite:{invite.id}"))
    await session.flush()
    return SignedIn(session_token, person)


async def open_session(session: AsyncSession, session_token: str) -> tuple[ConsoleSession, Person | None] | None:
    """The open session row behind a cookie and its person (None when gone), read only, or None."""
    if not session_token or not TOKEN_PATTERN.match(session_token):
        return None
    row = (await session.exec(select(ConsoleSession).where(
        ConsoleSession.token_hash == hash_token(session_token), col(ConsoleSession.ended_at).is_(None)))).first()
    if row is None:
        return None
    return row, await session.get(Person, row.person_id)


def needs_write(found: tuple[ConsoleSession, Person | None], now: dt.datetime) -> bool:
    """Whether this request must write: end an idle session or a non-staff one, or move the last use on.

    Most page loads only read, so they need not wait for the writer's turn (``Database.transaction``).
    """
    row, person = found
    seen, now = db_time(row.last_seen_at), db_time(now)
    if seen + IDLE_LIMIT <= now:
        return True
    return person is not None and (now - seen >= TOUCH_EVERY or not is_staff(person))


async def session_person(session: AsyncSession, session_token: str,
                         now: dt.datetime) -> tuple[ConsoleSession, Person] | None:
    """The live session behind a cookie and its person (whatever their role), or None.

    Idle sessions are ended here; a live one has its last use moved on. It writes: run it in a
    write transaction (``Database.transaction``).
    """
    found = await open_session(session, session_token)
    if found is None:
        return None
    row, person = found
    now = db_time(now)
    if db_time(row.last_seen_at) + IDLE_LIMIT <= now:
        row.ended_at = now
        session.add(row)
        await session.flush()
        return None
    if person is None:
        return None
    if now - db_time(row.last_seen_at) >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        await session.flush()
    return row, person


async def end_session(session: AsyncSession, row: ConsoleSession, now: dt.datetime) -> None:
    row.ended_at = db_time(now)
    session.add(row)
    session.add(AuditLog(at=db_time(now), person_id=row.person_id, action="console_signed_out",
                         subject=f"console_session:{row.id}"))
    await session.flush()


def csrf_token(session_token: str) -> str:
    """The form token of a session: derived from the cookie's secret, so nothing else is stored."""
    return hmac.new(session_token.encode("utf-8"), b"stationbot-console-csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, given: str) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(session_token).encode("utf-8"), given.encode("utf-8"))
