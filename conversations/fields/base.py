"""What every field type shares: the read-only context, choices, and the rejection error."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from locales import Raw, T, Text

Choice = tuple[str, Text]


@dataclass(frozen=True)
class FormContext:
    """Everything a form may consult besides the draft, resolved by the caller.

    ``today`` is passed in (the core never reads the clock). ``render`` is optional: when the
    shell passes the user's translator, typed answers also match localised choice labels.
    """

    today: dt.date
    profile_id: str = ""
    choices: Mapping[str, Sequence[Choice]] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)
    render: Callable[[Text], str] | None = None


class FieldError(Exception):
    """An answer that does not fit the field; ``message`` says what is expected, in a T() text."""

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message


def normalise(raw: str) -> str:
    """NFKC folds full-width digits and punctuation (１２、＠、￥) to their ASCII forms."""
    return unicodedata.normalize("NFKC", raw).strip()


def label_strings(label: Text, ctx: FormContext) -> set[str]:
    """The forms of a label a user might type: its msgid or raw text, and its rendering if known."""
    found: set[str] = set()
    if isinstance(label, str):
        found.add(label)
    elif isinstance(label, Raw):
        found.add(label.text)
    elif isinstance(label, T):
        found.add(label.msgid)
    if ctx.render is not None:
        found.add(ctx.render(label))
    return {normalise(s).casefold() for s in found if s}


def value_text(value: Any) -> T:
    """A value the translator formats per locale (dates, money as Decimal)."""
    return T("{value}", value=value)
