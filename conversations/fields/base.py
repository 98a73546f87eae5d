"""What every field type shares: the read-only context, choices, and the rejection error."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
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


class ChoicesNeeded(Exception):
    """The engine reached a choice list (or fact) the caller has not loaded yet.

    Lists and facts read from the database (a station's demand units, the year a duty is owed
    for ...) are loaded only when a step uses them: the shell catches this, loads ``name`` and
    runs the same pure call again.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class DeferredChoices(Mapping[str, Any]):
    """Choice lists (or facts) by name: ``loaded`` ones answer, ``loadable`` ones raise ChoicesNeeded until loaded."""

    def __init__(self, loaded: Mapping[str, Any], loadable: Collection[str] = ()) -> None:
        self._loaded = dict(loaded)
        self._loadable = frozenset(loadable) - set(self._loaded)

    def __getitem__(self, name: str) -> Any:
        if name in self._loaded:
            return self._loaded[name]
        if name in self._loadable:
            raise ChoicesNeeded(name)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._loadable

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._loaded, *self._loadable}))

    def __len__(self) -> int:
        return len({*self._loaded, *self._loadable})

    def with_value(self, name: str, value: Any) -> DeferredChoices:
        return DeferredChoices({**self._loaded, name: value}, self._loadable)


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
