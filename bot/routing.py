"""Routes: every command and button prefix with the roles allowed to use it (the one door's table)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import Services
from conversations.types import Input, Reply
from locales import T, Translator
from storage.drafts import active_draft
from storage.models import Person, Role

ANYONE: frozenset[str] = frozenset()
STAFF = frozenset({Role.staff.value})
MANAGERS = frozenset({Role.manager.value, Role.liaison.value})
CONTACTS = frozenset({Role.demand_contact.value})
APPLICANTS = frozenset({Role.applicant.value})
KNOWN = frozenset(r.value for r in Role)


@dataclass
class Turn:
    """One update, as the core sees it: who, what they sent, and one database transaction."""

    services: Services
    session: AsyncSession
    telegram_user_id: int
    chat_id: int
    user_name: str
    language_code: str | None
    bindings: list[Person]
    input: Input
    tr: Translator
    now: dt.datetime
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def roles(self) -> set[str]:
        return {p.role for p in self.bindings}

    def binding(self, *roles: str) -> Person | None:
        """The most recent binding in one of ``roles`` (a manager of two stations acts for the newest)."""
        matches = [p for p in self.bindings if p.role in roles]
        return matches[-1] if matches else None

    def manager(self) -> Person | None:
        return self.binding(Role.manager.value, Role.liaison.value)

    def staff(self) -> Person | None:
        return self.binding(Role.staff.value)

    def contact(self) -> Person | None:
        return self.binding(Role.demand_contact.value)


Handler = Callable[[Turn], Awaitable[list[Reply]]]
FreeInputHandler = Callable[[Turn], Awaitable[list[Reply] | None]]


@dataclass(frozen=True)
class Route:
    name: str
    roles: frozenset[str]
    handler: Handler
    kind: Literal["command", "button"] = "command"
    menu_label: T | None = None
    menu_order: int = 100


@dataclass
class Router:
    """All routes in one table, so authorisation is decided in one place (``bot/door.py``)."""

    commands: dict[str, Route] = field(default_factory=dict)
    buttons: dict[str, Route] = field(default_factory=dict)
    draft_owners: dict[str, FreeInputHandler] = field(default_factory=dict)
    no_form_input: list[FreeInputHandler] = field(default_factory=list)

    def add(self, route: Route) -> None:
        table = self.commands if route.kind == "command" else self.buttons
        if route.name in table:
            raise ValueError(f"route {route.kind} {route.name!r} registered twice")
        table[route.name] = route

    def own_drafts(self, form_ids: Iterable[str], handler: FreeInputHandler) -> None:
        """Typed text and files go to ``handler`` while the person's open draft is one of ``form_ids``."""
        for form_id in form_ids:
            if form_id in self.draft_owners:
                raise ValueError(f"drafts of {form_id!r} already belong to another conversation")
            self.draft_owners[form_id] = handler

    def take_without_form(self, handler: FreeInputHandler) -> None:
        """Text or a file while no draft is open (a stamped scan, a broadcast being composed)."""
        self.no_form_input.append(handler)

    async def free_input(self, turn: Turn) -> list[Reply] | None:
        """Text, a file, or /back /skip /cancel: the conversation owning the open draft answers.

        One lookup instead of a chain of handlers each trying in turn, so which conversation
        hears a message never depends on import order. Without an open draft (or when its owner
        declines), the few inputs that need no draft are tried in the order ``FEATURES`` lists them.
        """
        draft = await active_draft(turn.session, [p.id for p in turn.bindings if p.id is not None])
        owner = self.draft_owners.get(draft.form_id) if draft is not None else None
        if owner is not None:
            replies = await owner(turn)
            if replies is not None:
                return replies
        for handler in self.no_form_input:
            replies = await handler(turn)
            if replies is not None:
                return replies
        return None

    def menu_for(self, roles: set[str]) -> list[Route]:
        visible = [r for r in self.commands.values() if r.menu_label is not None and allowed(r, roles)]
        return sorted(visible, key=lambda r: (r.menu_order, r.name))


def allowed(route: Route, roles: set[str]) -> bool:
    """The authorisation rule: a route open to anyone, or a role the person holds."""
    return not route.roles or bool(route.roles & roles)
