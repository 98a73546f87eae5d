"""The staff broadcast composer's pure parts: audience choices, their description, preview, schedule time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from conversations.types import Button, Keyboard, keyboard
from locales import Join, Raw, T, Text

# Audience filters; the ones with values ask a second question (which profile, region ...).
AUDIENCES: dict[str, T] = {
    "all_managers": T("All station managers and liaisons"),
    "profile": T("Stations of one policy profile"),
    "region": T("Stations in one region"),
    "station_type": T("Stations of one type"),
    "society_level": T("Stations by society level"),
    "no_plan": T("Stations without this year's plan"),
    "no_summary": T("Stations without last year's summary"),
    "overdue": T("Stations with overdue submissions"),
    "demand_contacts": T("Demand-unit contacts"),
    "staff": T("Staff members"),
}
WITH_VALUE = ("profile", "region", "station_type", "society_level")
# A console audience: managers and liaisons of the live stations meeting every condition at once.
STATIONS = "stations"
CONDITION_LABELS: dict[str, T] = {
    "profile": T("Policy profile"), "region": T("Region"), "station_type": T("Station type"),
    "society": T("Society"), "society_level": T("Society level"), "no_plan": T("Without this year's plan"),
    "no_summary": T("Without last year's summary"), "overdue": T("Has overdue items"),
}
FLAGS = ("no_plan", "no_summary", "overdue")
SOCIETY_LEVELS = {"national": T("national society"), "provincial": T("provincial society"),
                  "municipal": T("municipal society")}
WHEN_FORMAT = "%Y-%m-%d %H:%M"


def audience_keyboard(chosen: Sequence[Mapping[str, Any]]) -> Keyboard:
    rows = [[Button(label, f"bc:a:{name}")] for name, label in AUDIENCES.items()]
    if chosen:
        rows.append([Button(T("Done choosing: preview"), "bc:preview")])
    rows.append([Button(T("Cancel"), "bc:cancel")])
    return keyboard(*rows)


def value_label(kind: str, value: str) -> Text:
    if kind == "society_level":
        return SOCIETY_LEVELS.get(value, Raw(value))
    return Raw(value or "—")


def describe(filters: Sequence[Mapping[str, Any]]) -> Text:
    """The chosen audience in words, one line per filter (recipients matched twice get one message)."""
    if not filters:
        return T("No audience chosen yet.")
    parts: list[Text] = []
    for f in filters:
        if f.get("type") == STATIONS:
            parts.append(Join((Raw("· "), describe_stations(f)), ""))
            continue
        label = AUDIENCES.get(str(f.get("type")), Raw(str(f.get("type"))))
        if f.get("type") in WITH_VALUE:
            parts.append(Join((Raw("· "), label, Raw(": "), value_label(str(f["type"]), str(f.get("value", "")))), ""))
        else:
            parts.append(Join((Raw("· "), label), ""))
    return Join(tuple(parts))


def describe_stations(conditions: Mapping[str, Any]) -> Text:
    """A console station filter in words: "managers and liaisons of stations: region 佛山, has overdue items"."""
    parts: list[Text] = []
    for kind, label in CONDITION_LABELS.items():
        value = str(conditions.get(kind) or "")
        if not value:
            continue
        if kind in FLAGS:
            parts.append(label)
        else:
            shown = conditions.get("society_name") if kind == "society" else value
            parts.append(Join((label, Raw(" "), value_label(kind, str(shown or value))), ""))
    if not parts:
        return AUDIENCES["all_managers"]
    return Join((T("Managers and liaisons of stations:"), Raw(" "), Join(tuple(parts), ", ")), "")


def delivery_state(status: str, last_error: str, not_before: dt.datetime, respect_quiet_hours: bool,
                   now: dt.datetime, quiet_now: bool) -> str:
    """Where one recipient's message stands, from its outbox row (a key of ``DELIVERY_STATES``)."""
    if status == "sent":
        return "sent"
    if status == "failed":
        return "unreachable" if last_error.startswith("Forbidden") else "failed"
    if status in ("unconfirmed", "cancelled"):
        return status
    if status == "pending" and not_before > now:
        return "scheduled"
    if status == "pending" and respect_quiet_hours and quiet_now:
        return "quiet_hours"
    return "waiting"


BROADCAST_STATES: dict[str, T] = {"scheduled": T("scheduled"), "sending": T("sending"), "finished": T("finished"),
                                  "cancelled": T("cancelled")}
DELIVERY_STATES: dict[str, T] = {
    "sent": T("sent"), "unreachable": T("unreachable (blocked the bot)"), "failed": T("failed"),
    "unconfirmed": T("unconfirmed"), "cancelled": T("cancelled"), "scheduled": T("scheduled"),
    "quiet_hours": T("waiting for the end of quiet hours"), "waiting": T("waiting"),
}


def preview(text: str, has_document: bool, filters: Sequence[Mapping[str, Any]], count: int) -> Text:
    lines: list[Text] = [T("Preview of the broadcast"), describe(filters),
                         T("Recipients: {count} (each person once, even if matched twice)", count=count)]
    if has_document:
        lines.append(T("With the attached document."))
    lines += [Raw("———"), Raw(text)]
    return Join(tuple(lines))


def preview_keyboard() -> Keyboard:
    return keyboard(
        [Button(T("Send now"), "bc:send"), Button(T("Schedule"), "bc:sched")],
        [Button(T("Send a test to myself"), "bc:test")],
        [Button(T("Add another audience"), "bc:more"), Button(T("Cancel"), "bc:cancel")],
    )


def parse_when(value: str, now: dt.datetime) -> dt.datetime | T:
    """A schedule time typed as ``2027-02-20 09:30`` in the deployment's zone; must be in the future."""
    try:
        naive = dt.datetime.strptime(value.strip(), WHEN_FORMAT)
    except ValueError:
        return T("Please type the date and time like 2027-02-20 09:30.")
    when = naive.replace(tzinfo=now.tzinfo)
    if when <= now:
        return T("That time has already passed. Please type a time in the future, like 2027-02-20 09:30.")
    return when
