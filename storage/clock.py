"""Datetimes are aware everywhere; SQLModel stores them as UTC and returns them aware in UTC."""

from __future__ import annotations

import datetime as dt


def db_time(value: dt.datetime) -> dt.datetime:
    """An aware datetime in UTC (naive input is taken as UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def local(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A stored datetime in the zone people read (the ``TIMEZONE`` setting)."""
    return db_time(value).astimezone(tz)


def zone_of(now: dt.datetime) -> dt.tzinfo:
    """The deployment's zone, carried by an injected ``now`` (``Services.now()`` is aware in ``TIMEZONE``)."""
    return now.tzinfo or dt.UTC
