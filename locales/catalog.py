"""Catalog upkeep: extract every msgid (code and data files) and report untranslated ones.

``python -m locales.catalog missing`` lists msgids with no zh_Hans translation;
``python -m locales.catalog compile`` writes the .mo files (the install/test path runs it).
"""

from __future__ import annotations

import functools
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

from babel.messages.extract import extract_from_file

from locales.extract import translatable_strings
from locales.i18n import DEFAULT_LOCALE, compile_catalogs, merged_catalog, translated

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("bot", "services", "conversations", "rules", "storage", "locales")
# ``TN(singular, plural, n=…)``: the singular is the catalog's key, the plural its msgid_plural.
KEYWORDS = {"T": None, "N_": None, "TN": (1, 2)}


@functools.cache
def _extracted() -> tuple[tuple[str | tuple[str, ...], str], ...]:
    """Every message Babel finds in code, with its file (read once per process: extraction is slow)."""
    found = []
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for _lineno, message, _comments, _context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
            ):
                found.append((message, str(path.relative_to(ROOT))))
    return tuple(found)


def code_msgids() -> Iterator[tuple[str, str]]:
    """Every msgid in code; a plural text (``TN``) by its singular, the catalog's key."""
    for message, where in _extracted():
        if isinstance(message, str) and message:
            yield message, where
        elif isinstance(message, tuple) and message and isinstance(message[0], str) and message[0]:
            yield message[0], where


def plural_msgids() -> dict[str, str]:
    """singular -> plural of every ``TN`` text in code (the plural forms must all be translated)."""
    found: dict[str, str] = {}
    for message, _where in _extracted():
        if isinstance(message, tuple) and len(message) >= 2 and message[0] and message[1]:
            found.setdefault(str(message[0]), str(message[1]))
    return found


def data_msgids() -> Iterator[tuple[str, str]]:
    for folder in ("rules", "conversations"):
        for path in sorted((ROOT / folder).rglob("*.toml")):
            with path.open("rb") as fh:
                for message in translatable_strings(tomllib.load(fh)):
                    yield message, str(path.relative_to(ROOT))


def all_msgids() -> dict[str, str]:
    """msgid -> first file that uses it."""
    found: dict[str, str] = {}
    for message, where in (*code_msgids(), *data_msgids()):
        found.setdefault(message, where)
    return found


def missing(locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    catalog = merged_catalog(locale)
    plurals = plural_msgids()
    return {m: w for m, w in all_msgids().items()
            if m not in catalog or not translated(catalog[m].string)
            or (m in plurals and not isinstance(catalog[m].string, tuple))}


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "missing"
    if command == "compile":
        for path in compile_catalogs():
            print(f"compiled {path.relative_to(ROOT)}")
        return 0
    if command == "missing":
        gaps = missing()
        for message, where in sorted(gaps.items(), key=lambda kv: kv[1]):
            print(f"{where}\t{message}")
        return 1 if gaps else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
