"""A month calendar as inline buttons, so a date is two taps on a phone instead of typing it.

Day buttons carry ``d:<yyyymmdd>``, paging buttons ``cal:<yyyymm>`` (paging changes only what is
shown), and cells that are not pickable carry ``nop``. ``cb`` turns an op into full callback data.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

from conversations.types import Button
from locales import Raw, T

WEEKDAYS = (T("Mo"), T("Tu"), T("We"), T("Th"), T("Fr"), T("Sa"), T("Su"))


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}"


def parse_month(key: str) -> dt.date | None:
    """``yyyymm`` from callback data back to the month's first day; None if it is not a month."""
    if len(key) != 6 or not key.isdigit() or not 1 <= int(key[4:]) <= 12 or int(key[:4]) < 1:
        return None
    return dt.date(int(key[:4]), int(key[4:]), 1)


def parse_day(key: str) -> dt.date | None:
    if len(key) != 8 or not key.isdigit():
        return None
    try:
        return dt.date(int(key[:4]), int(key[4:6]), int(key[6:]))
    except ValueError:
        return None


def shift_month(month: dt.date, delta: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def _last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_keyboard(
    cb: Callable[[str], str], month: dt.date, today: dt.date, low: dt.date | None, high: dt.date | None
) -> list[tuple[Button, ...]]:
    """Rows: ‹ month › / Mon..Sun / the weeks / Today, Yesterday (when allowed)."""

    def allowed(day: dt.date) -> bool:
        return (low is None or day >= low) and (high is None or day <= high)

    month = month.replace(day=1)
    previous, following = shift_month(month, -1), shift_month(month, 1)
    nop = Button(Raw(" "), cb("nop"))
    nav = (
        Button(Raw("‹"), cb(f"cal:{month_key(previous)}"))
        if low is None or (_last_day(previous) >= low and previous.year >= 1) else nop,
        Button(Raw(f"{month.year}-{month.month:02d}"), cb("nop")),
        Button(Raw("›"), cb(f"cal:{month_key(following)}")) if high is None or following <= high else nop,
    )
    rows: list[tuple[Button, ...]] = [nav, tuple(Button(name, cb("nop")) for name in WEEKDAYS)]
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(month.year, month.month):
        cells = []
        for number in week:
            if number == 0:
                cells.append(nop)
                continue
            day = month.replace(day=number)
            cells.append(Button(Raw(str(number)), cb(f"d:{day:%Y%m%d}")) if allowed(day) else Button(Raw("·"), cb("nop")))
        rows.append(tuple(cells))
    quick = [
        Button(label, cb(f"d:{day:%Y%m%d}"))
        for label, day in ((T("Today"), today), (T("Yesterday"), today - dt.timedelta(days=1)))
        if allowed(day)
    ]
    if quick:
        rows.append(tuple(quick))
    return rows
