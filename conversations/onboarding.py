"""Greetings, menus and refusals for people arriving through a deep link (no Telegram here)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from conversations.types import Button, Keyboard, Reply, keyboard
from locales import N_, T, Text


class TokenProblem(StrEnum):
    """Why a deep-link token was refused (``storage.tokens.redeem`` decides; the texts are below)."""

    unknown = "unknown"
    used = "used"
    expired = "expired"
    throttled = "throttled"


ROLE_NAMES: dict[str, T] = {
    "manager": T("station manager"),
    "liaison": T("station liaison"),
    "staff": T("staff member"),
    "demand_contact": T("demand unit contact"),
}
# The same roles as a title (a button, a column, a choice in a list): msgids, translated where shown.
ROLE_TITLES: dict[str, str] = {
    "manager": N_("Station manager"),
    "liaison": N_("Station liaison"),
    "staff": N_("Staff member"),
    "demand_contact": N_("Demand-side contact"),
    "applicant": N_("Applicant"),
}

TOKEN_PROBLEMS: dict[TokenProblem, T] = {
    TokenProblem.unknown: T("This link is not valid. Please ask the staff of your society or 科协 for a new invitation link."),
    TokenProblem.used: T("This link has already been used. If that was not you, tell the staff who invited you; they can send you a new link."),
    TokenProblem.expired: T("This link has expired. Please ask the staff who invited you for a new one."),
    TokenProblem.throttled: T("Too many invalid links were tried from this account. Please wait 15 minutes and try again with the link you were sent."),
}

STRANGER = T(
    "Hello! This bot serves science & technology service stations and the staff who supervise them. "
    "Access is by invitation only: ask the staff of your society or 科协 for an invitation link, then open it."
)


def greeting(role: str, station_name: str | None, unit_name: str | None) -> Text:
    role_name = ROLE_NAMES.get(role, T("member"))
    if station_name:
        return T("Welcome! You are now registered as {role} of {place}.", role=role_name, place=station_name)
    if unit_name:
        return T("Welcome! You are now registered as {role} of {place}.", role=role_name, place=unit_name)
    return T("Welcome! You are now registered as {role}.", role=role_name)


def menu_keyboard(entries: Sequence[tuple[str, T]], per_row: int = 2) -> Keyboard:
    """Menu entries as buttons that behave like typing the command (``m:<command>``)."""
    buttons = [Button(label, f"m:{command}") for command, label in entries]
    return keyboard(*[buttons[i:i + per_row] for i in range(0, len(buttons), per_row)])


def menu_reply(entries: Sequence[tuple[str, T]], heading: Text) -> Reply:
    return Reply(heading, menu_keyboard(entries))


def help_lines(entries: Sequence[tuple[str, T]]) -> list[Text]:
    return [T("/{command} — {label}", command=command, label=label) for command, label in entries]
