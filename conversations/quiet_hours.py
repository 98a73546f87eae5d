"""The quiet window at night: proactive messages that respect it wait for its end (pure, no clock read)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def in_quiet_hours(now: dt.datetime, start: dt.time, end: dt.time, tz: dt.tzinfo) -> bool:
    """True when ``now`` (any zone) falls in the quiet window, which may span midnight."""
    local = now.astimezone(tz).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


@dataclass(frozen=True)
class QuietHours:
    """The deployment's quiet window (settings QUIET_HOURS_START/END in TIMEZONE)."""

    start: dt.time
    end: dt.time
    tz: dt.tzinfo

    def at(self, now: dt.datetime) -> bool:
        return in_quiet_hours(now, self.start, self.end, self.tz)
