"""Translation catalogs, lazy texts and locale-aware formatting of dates and money."""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Union

from babel import Locale
from babel.dates import format_datetime, format_skeleton
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent
DEFAULT_LOCALE = "zh_Hans"
SUPPORTED_LOCALES = ("zh_Hans", "en")
DOMAIN = "messages"


def N_(msgid: str) -> str:
    """Mark a string for extraction where it is translated later (e.g. data labels)."""
    return msgid


@dataclass(frozen=True, init=False)
class T:
    """A user-facing text, translated only when rendered for one person."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, msgid: str, /, **params: Any) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "params", params)

    def render(self, tr: Translator) -> str:
        text = tr.gettext(self.msgid)
        if not self.params:
            return text
        values = {key: tr.format_value(value) for key, value in self.params.items()}
        return text.format(**values)


@dataclass(frozen=True, init=False)
class TN:
    """A text about a count: the locale's plural rule picks the form (Babel/gettext ``ngettext``).

    English says "1 score" and "2 scores"; Chinese has one form. ``n`` chooses the form and is the
    text's ``{n}`` unless ``params`` name the count otherwise (``TN("{count} recipient", …, count, count=count)``).
    """

    singular: str
    plural: str
    n: int
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, singular: str, plural: str, /, n: int, **params: Any) -> None:
        object.__setattr__(self, "singular", singular)
        object.__setattr__(self, "plural", plural)
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "params", params)

    def render(self, tr: Translator) -> str:
        text = tr.ngettext(self.singular, self.plural, self.n)
        values = {key: tr.format_value(value) for key, value in {"n": self.n, **self.params}.items()}
        return text.format(**values)


@dataclass(frozen=True)
class Raw:
    """User-supplied or already-formatted text that must not be translated."""

    text: str

    def render(self, tr: Translator) -> str:
        return self.text


@dataclass(frozen=True)
class Join:
    """Several texts joined by a separator (lines of a summary, for instance)."""

    parts: tuple[Text, ...]
    sep: str = "\n"

    def render(self, tr: Translator) -> str:
        return self.sep.join(render(p, tr) for p in self.parts)


Text = Union[T, TN, Raw, Join, str]


def render(text: Text, tr: Translator) -> str:
    """Render any text; a plain ``str`` is user data and passes unchanged."""
    if isinstance(text, str):
        return text
    return text.render(tr)


def normalise_locale(code: str | None) -> str:
    """Map Telegram's ``language_code`` (``zh-CN``, ``zh-hans``, ``en-US`` ...) to a supported locale."""
    if not code:
        return DEFAULT_LOCALE
    primary = code.replace("_", "-").split("-")[0].lower()
    if primary == "en":
        return "en"
    return DEFAULT_LOCALE


def catalog_sources(locale: str) -> list[Path]:
    """The .po files of one locale: one per area of the product, merged at load time."""
    return sorted((LOCALES_DIR / locale).glob("*.po"))


def translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    """A catalog entry carries a translation: its msgstr, or every plural form of it, is filled in."""
    if isinstance(string, (tuple, list)):
        return bool(string) and all(string)
    return bool(string)


def merged_catalog(locale: str) -> Catalog:
    """All of a locale's .po files as one catalog (later files never override earlier ones)."""
    merged = Catalog(locale=Locale.parse(locale), domain=DOMAIN)
    for path in catalog_sources(locale):
        with path.open("rb") as fh:
            part = read_po(fh, locale=Locale.parse(locale))
        for message in part:
            if message.id and translated(message.string) and message.id not in merged:
                merged.add(message.id, message.string)
    return merged


def compiled_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def compile_catalogs() -> list[Path]:
    """Write each locale's merged .mo (run by the install/test path; binaries are never committed)."""
    written = []
    for locale in SUPPORTED_LOCALES:
        path = compiled_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_mo(fh, merged_catalog(locale))
        written.append(path)
    return written


def _catalog_bytes(locale: str) -> bytes | None:
    """Compiled catalog for ``locale``: the .mo if it is fresh, else the .po files compiled in memory."""
    sources = catalog_sources(locale)
    mo_path = compiled_path(locale)
    newest_source = max((p.stat().st_mtime for p in sources), default=0.0)
    if mo_path.exists() and mo_path.stat().st_mtime >= newest_source:
        return mo_path.read_bytes()
    if not sources:
        return None
    buf = io.BytesIO()
    write_mo(buf, merged_catalog(locale))
    return buf.getvalue()


class Translator:
    """Everything locale-dependent for one language: messages, dates, money."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.babel_locale = Locale.parse(locale)
        self._dates: dict[tuple[dt.date, str], str] = {}
        data = _catalog_bytes(locale)
        self._translations: NullTranslations = (
            Translations(io.BytesIO(data), domain=DOMAIN) if data else NullTranslations()
        )

    def gettext(self, msgid: str) -> str:
        return self._translations.gettext(msgid)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def __call__(self, text: Text) -> str:
        return render(text, self)

    def format_date(self, value: dt.date, skeleton: str = "yMMMd") -> str:
        """Remembered per date: Babel's skeleton matching costs ~70 µs, and a form shows the same few dates."""
        key = (value, skeleton)
        text = self._dates.get(key)
        if text is None:
            if len(self._dates) > 4096:
                self._dates.clear()
            text = self._dates[key] = format_skeleton(skeleton, value, locale=self.babel_locale)
        return text

    def format_datetime(self, value: dt.datetime) -> str:
        return format_datetime(value, "medium", locale=self.babel_locale)

    def format_money(self, amount: Decimal) -> str:
        return format_currency(amount, "CNY", locale=self.babel_locale)

    def format_value(self, value: Any) -> str:
        """Format a text parameter by its type, so core code never formats for a locale."""
        if isinstance(value, (T, TN, Raw, Join)):
            return value.render(self)
        if isinstance(value, dt.datetime):
            return self.format_datetime(value)
        if isinstance(value, dt.date):
            return self.format_date(value)
        if isinstance(value, Decimal):
            return self.format_money(value)
        if isinstance(value, bool):
            return self.gettext("yes") if value else self.gettext("no")
        if isinstance(value, int):
            return str(value)
        return str(value)


@functools.cache
def translator(locale: str | None = None) -> Translator:
    """One cached translator per supported locale."""
    return Translator(normalise_locale(locale) if locale not in SUPPORTED_LOCALES else locale or DEFAULT_LOCALE)


# ---- storing texts: an outbox row is rendered when it is sent, in the recipient's language ----
# Parameter types stored as they are. The sweep serialises ~14,000 replies at network scale, so the common
# types are found by their exact class first; subclasses go through the isinstance checks below.
_AS_IS = frozenset({str, int, float, bool, type(None)})


def _param_to_json(value: Any) -> Any:
    cls = type(value)
    if cls in _AS_IS:
        return value
    if cls is dt.date:
        return {"$date": value.isoformat()}
    if isinstance(value, (T, TN, Raw, Join)):
        return {"$text": text_to_json(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$money": str(value)}
    return value


def _param_from_json(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "$text":
            return text_from_json(inner)
        if key == "$datetime":
            return dt.datetime.fromisoformat(inner)
        if key == "$date":
            return dt.date.fromisoformat(inner)
        if key == "$money":
            return Decimal(inner)
    return value


def text_to_json(text: Text) -> Any:
    """A lazy text as JSON, so it can wait in the database and be translated at send time."""
    cls = type(text)
    if cls is T:
        assert isinstance(text, T)
        return {"msgid": text.msgid, "params": {k: _param_to_json(v) for k, v in text.params.items()}}
    if cls is Raw:
        assert isinstance(text, Raw)
        return {"raw": text.text}
    if isinstance(text, str):
        return {"raw": text}
    if isinstance(text, Raw):
        return {"raw": text.text}
    if isinstance(text, Join):
        return {"join": [text_to_json(p) for p in text.parts], "sep": text.sep}
    if isinstance(text, TN):
        return {"msgid": text.singular, "plural": text.plural, "n": text.n,
                "params": {k: _param_to_json(v) for k, v in text.params.items()}}
    return {"msgid": text.msgid, "params": {k: _param_to_json(v) for k, v in text.params.items()}}


def text_from_json(data: Any) -> Text:
    if "raw" in data:
        return Raw(data["raw"])
    if "join" in data:
        return Join(tuple(text_from_json(p) for p in data["join"]), data.get("sep", "\n"))
    msgid: str = data["msgid"]
    params = {k: _param_from_json(v) for k, v in data.get("params", {}).items()}
    if "plural" in data:
        return TN(msgid, data["plural"], n=int(data["n"]), **params)
    return T(msgid, **params)
