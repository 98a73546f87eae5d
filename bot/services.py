"""What every handler needs, built once per Application and passed explicitly (no globals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.background import Background
from bot.settings import Settings
from storage.db import Database

Clock = Callable[[], dt.datetime]


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    bot_username: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    background: Background = field(init=False)

    def __post_init__(self) -> None:
        self.background = Background(self)

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
