"""What every handler needs, built once per Application and passed explicitly (no globals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.background import Background
from bot.settings import Settings
from storage.db import Database

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import Application, JobQueue

    from bot.handlers.review import KindHooks
    from bot.routing import Turn
    from conversations.types import Reply
    from storage.models import Draft, Invite, Station

Clock = Callable[[], dt.datetime]
TokenHandler = Callable[["Turn", "Invite"], Awaitable[list["Reply"]]]
"""Opens a ``/start <token>`` link of one purpose (rating, evaluation, apply, console)."""
StationlessForm = Callable[["Turn", "Draft"], Awaitable[Sequence["Reply"]]]
"""Runs a form filled before a station exists (a station application) on a button press."""
FormSubmitted = Callable[["Turn", "Draft", "Station", dict[str, Any]], Awaitable[list["Reply"]]]
"""A feature area's own handling of its form's submission (the rectification report)."""
StatusLines = Callable[["Turn"], Awaitable[list["Reply"]]]
"""Replies a feature area adds under ``/status``."""
PostInit = Callable[["Application"], Awaitable[None]]
"""Run once the Application is initialised (jobs are added here)."""


@dataclass
class Hooks:
    """How feature areas plug into each other, registered by their ``extend``/``install`` at build time.

    Typed fields, not a dictionary of string keys: a misspelt hook is a type error, not a silent miss.
    """

    token_handlers: dict[str, TokenHandler] = field(default_factory=dict)
    review_kinds: dict[str, KindHooks] = field(default_factory=dict)
    stationless_forms: dict[str, StationlessForm] = field(default_factory=dict)
    form_submitted: dict[str, FormSubmitted] = field(default_factory=dict)
    status_lines: list[StatusLines] = field(default_factory=list)
    post_init: list[PostInit] = field(default_factory=list)


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    bot_username: str = ""
    background_jobs: bool = True
    """False: no scheduled jobs (tests, the demo and the benchmark deliver the outbox themselves)."""
    hooks: Hooks = field(default_factory=Hooks)
    bot: Bot | None = None
    """The Application's bot, kept at start for work outside an update's reply (downloading a staff file)."""
    background: Background = field(init=False)

    def __post_init__(self) -> None:
        self.background = Background(self)

    def on_job_queue(self, start: Callable[[JobQueue[Any]], Awaitable[None]]) -> None:
        """Run ``start`` (a catch-up sweep, adding jobs) once the Application is up, where jobs run at all."""

        async def post_init(application: Application) -> None:
            if self.background_jobs and application.job_queue is not None:
                await start(application.job_queue)

        self.hooks.post_init.append(post_init)

    def now(self) -> dt.datetime:
        """Aware 'now' in the deployment's zone; tests replace the clock instead of sleeping."""
        value = self.clock()
        return value.astimezone(self.settings.tz) if value.tzinfo else value.replace(tzinfo=self.settings.tz)

    def today(self) -> dt.date:
        return self.now().date()

    def deep_link(self, token: str) -> str:
        return f"https://t.me/{self.bot_username}?start={token}"


class FixedClock:
    """A clock tests move by hand: ``clock.advance(days=3)``."""

    def __init__(self, start: dt.datetime) -> None:
        self.value = start

    def __call__(self) -> dt.datetime:
        return self.value

    def advance(self, **delta: float) -> None:
        self.value += dt.timedelta(**delta)

    def set(self, value: dt.datetime) -> None:
        self.value = value
