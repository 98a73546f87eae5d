"""The sweep's latest reminder moment, computed directly, is the last of the full list for every date pair."""

from __future__ import annotations

import datetime as dt

from conversations.reminders import latest
from rules.deadlines import last_reminder_moment, reminder_moments
from rules.profile import load_profile


def test_the_latest_moment_equals_the_last_of_every_moment_listed() -> None:
    compared = 0
    for profile_id in ("gd-quality", "guiyang-kczg", "quzhou", "wuhan-qis"):
        profile = load_profile(profile_id)
        for due in (dt.date(2026, 1, 15), dt.date(2026, 3, 1), dt.date(2026, 12, 31)):
            for offset in range(-40, 800, 3):
                today = due + dt.timedelta(days=offset)
                assert last_reminder_moment(due, today, profile) == latest(reminder_moments(due, today, profile),
                                                                           today), (profile_id, due, today)
                compared += 1
    assert last_reminder_moment(dt.date(2026, 3, 1), dt.date(2027, 3, 1), load_profile("gd-quality")) == \
        ("overdue-w52", dt.date(2027, 2, 28))
    assert compared > 3000
