"""The console's one authorisation door: a live session cookie of an active staff member, on every request.

Not signed in: 401. Signed in but not (or no longer) staff: 403, and that session is ended at once.
Every form that changes something also carries the session's CSRF token (``changing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qs

from fastapi import Depends, Request
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.webapp.auth import services_of
from bot.webapp.console.render import request_translator
from locales import N_, Translator, translator
from storage.console import (
    csrf_ok,
    csrf_token,
    end_session,
    is_staff,
    needs_write,
    open_session,
    session_person,
)
from storage.models import ConsoleSession, Person

COOKIE = "stationbot_console"
COOKIE_PATH = "/console"
MAX_FORM_BYTES = 64 * 1024
NOT_SIGNED_IN = N_("You are not signed in. Send /web to the bot in Telegram for a sign-in link.")
STAFF_ONLY = N_("The web console is for staff only.")
BAD_FORM = N_("This form has expired or did not come from this console. Reload the page and try again.")
Row = TypeVar("Row", bound=SQLModel)


class ConsoleRefused(Exception):
    """Rendered by ``install``'s handler as a page in the reader's language."""

    def __init__(self, status_code: int, message: str, tr: Translator) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.tr = tr


@dataclass(frozen=True)
class Staff:
    person: Person
    session: ConsoleSession
    session_token: str
    tr: Translator

    @property
    def csrf(self) -> str:
        return csrf_token(self.session_token)


async def console_staff(request: Request) -> Staff:
    """The dependency every console page (except the sign-in pages) goes through."""
    services = services_of(request)
    token = request.cookies.get(COOKIE, "")
    now = services.now()
    async with services.db.session() as session:  # most page loads only read: no writer's turn to wait for
        seen = await open_session(session, token)
    found = (seen[0], seen[1]) if seen is not None and seen[1] is not None else None
    if seen is not None and needs_write(seen, now):
        async with services.db.transaction() as session:  # a write beside chat updates (SQLite: one writer)
            found = await session_person(session, token, now)
            if found is not None and not is_staff(found[1]):
                await end_session(session, found[0], now)
    if found is None:
        raise ConsoleRefused(401, NOT_SIGNED_IN, request_translator(request))
    row, person = found
    tr = translator(person.language)
    if not is_staff(person):
        raise ConsoleRefused(403, STAFF_ONLY, tr)
    return Staff(person, row, token, tr)


async def row_or_refused(session: AsyncSession, model: type[Row], row_id: int, message: str, tr: Translator) -> Row:
    """The row a console path's id names, or the 404 page saying ``message`` in the reader's language."""
    row = await session.get(model, row_id)
    if row is None:
        raise ConsoleRefused(404, message, tr)
    return row


async def form_of(request: Request) -> dict[str, str]:
    """An urlencoded form body (the console's forms are plain HTML), first value of each field."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {key: values[0] for key, values in parsed.items() if values}


async def changing(request: Request, staff: Staff = Depends(console_staff)) -> tuple[Staff, dict[str, str]]:
    """For routes that change something: the staff member and the form, refused (403) without a valid CSRF token."""
    form = await form_of(request)
    if not csrf_ok(staff.session_token, form.get("csrf", "")):
        raise ConsoleRefused(403, BAD_FORM, staff.tr)
    return staff, form
