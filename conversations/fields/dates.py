"""Dates typed the ways people in China write them, checked against the field's constraints."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from conversations.fields.base import FieldError, FormContext, normalise
from conversations.formspec import FieldSpec
from locales import Raw, T

RELATIVE_DAYS = {"today": 0, "今天": 0, "今日": 0, "yesterday": 1, "昨天": 1, "昨日": 1, "前天": 2}
_FULL = (
    re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})", re.ASCII),
    re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})[日号]?", re.ASCII),
    re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})", re.ASCII),
)
_MONTH_DAY = re.compile(r"([0-9]{1,2})月([0-9]{1,2})[日号]?", re.ASCII)


def parse_date(raw: str, spec: FieldSpec, ctx: FormContext, scope: Mapping[str, Any]) -> str:
    """A typed date as an ISO string; "3月5日" means this year (the year of ``ctx.today``)."""
    text = normalise(raw).replace(" ", "").lower()
    if text in RELATIVE_DAYS:
        return check_date(ctx.today - dt.timedelta(days=RELATIVE_DAYS[text]), spec, ctx, scope)
    parts: tuple[int, int, int] | None = None
    for pattern in _FULL:
        match = pattern.fullmatch(text)
        if match:
            parts = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
            break
    else:
        match = _MONTH_DAY.fullmatch(text)
        if match:
            parts = (ctx.today.year, int(match.group(1)), int(match.group(2)))
    if parts is None:
        raise FieldError(T(
            "Please type a date like {example} (or 2027/3/5, 3月5日, 今天, 昨天), or pick it on the calendar.",
            example=Raw(ctx.today.isoformat()),
        ))
    try:
        value = dt.date(*parts)
    except ValueError:
        raise FieldError(T(
            "{text} is not a real date: check the month and the day (February has 28 or 29 days).",
            text=Raw(raw.strip()),
        )) from None
    return check_date(value, spec, ctx, scope)


def bounds(spec: FieldSpec, ctx: FormContext, scope: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """The earliest and latest allowed date, combining every constraint (also used by the calendar)."""
    lows: list[dt.date] = []
    highs: list[dt.date] = []
    if spec.not_future:
        highs.append(ctx.today)
    if spec.not_past:
        lows.append(ctx.today)
    if isinstance(spec.min, str):
        lows.append(dt.date.fromisoformat(spec.min))
    if isinstance(spec.max, str):
        highs.append(dt.date.fromisoformat(spec.max))
    other = scope.get(spec.min_field) if spec.min_field else None
    if isinstance(other, str):
        lows.append(dt.date.fromisoformat(other))
    return (max(lows) if lows else None, min(highs) if highs else None)


def check_date(value: dt.date, spec: FieldSpec, ctx: FormContext, scope: Mapping[str, Any]) -> str:
    if spec.not_future and value > ctx.today:
        raise FieldError(T("This date cannot be in the future: today is {today}.", today=ctx.today))
    if spec.not_past and value < ctx.today:
        raise FieldError(T("This date cannot be in the past: today is {today}.", today=ctx.today))
    low, high = bounds(spec, ctx, scope)
    if low is not None and value < low:
        raise FieldError(T("The date must be on or after {date}.", date=low))
    if high is not None and value > high:
        raise FieldError(T("The date must be on or before {date}.", date=high))
    return value.isoformat()


def default_month(spec: FieldSpec, ctx: FormContext, scope: Mapping[str, Any], current: Any) -> dt.date:
    """The month the calendar opens on: the current answer, else today clamped into the allowed range."""
    if isinstance(current, str):
        return dt.date.fromisoformat(current).replace(day=1)
    low, high = bounds(spec, ctx, scope)
    day = ctx.today
    if low is not None and day < low:
        day = low
    if high is not None and day > high:
        day = high
    return day.replace(day=1)
