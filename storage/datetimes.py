"""Datetimes are aware everywhere; SQLModel stores them as UTC and returns them aware in UTC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_CLOCK: ContextVar[Callable[[], dt.datetime] | None] = ContextVar("stationbot_clock", default=None)


def db_time(value: dt.datetime) -> dt.datetime:
    """An aware datetime in UTC (naive input is taken as UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def local(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A stored datetime in the zone people read (the ``TIMEZONE`` setting)."""
    return db_time(value).astimezone(tz)


def local_day(value: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The day a stored moment fell on in the deployment's zone (``TIMEZONE``)."""
    return local(value, tz).date()


def zone_of(now: dt.datetime) -> dt.tzinfo:
    """The deployment's zone, carried by an injected ``now`` (``Services.now()`` is aware in ``TIMEZONE``)."""
    return now.tzinfo or dt.UTC


def utcnow() -> dt.datetime:
    """'Now' for row defaults and outbox rows: the injected clock of the database session in progress
    (``Database.clock``, the bot's clock; tests move it), else the wall clock (the command line)."""
    clock = _CLOCK.get()
    return db_time(clock()) if clock is not None else dt.datetime.now(dt.UTC)


@contextmanager
def clock_scope(clock: Callable[[], dt.datetime] | None) -> Iterator[None]:
    """Run a block with ``clock`` as the source of ``utcnow()`` (nothing changes when it is None)."""
    if clock is None:
        yield
        return
    token = _CLOCK.set(clock)
    try:
        yield
    finally:
        _CLOCK.reset(token)
