"""Babel extractor for data files: forms and policy profiles carry msgids, not translations.

Convention: in a TOML data file every user-facing string is the value of a key whose name is
``label``, ``question``, ``hint``, ``example``, ``title`` or ``text`` (or ends in ``_label``).
Those values are English msgids; their Chinese lives in ``locales/zh_Hans``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import IO, Any

TRANSLATABLE_KEYS = frozenset({"label", "question", "hint", "example", "title", "text"})


def is_translatable_key(key: str) -> bool:
    return key in TRANSLATABLE_KEYS or key.endswith("_label")


def translatable_strings(data: Any) -> Iterator[str]:
    """Every msgid in a parsed data file, in document order."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and is_translatable_key(key):
                yield value
            elif isinstance(value, list) and is_translatable_key(key):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from translatable_strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from translatable_strings(item)


def extract_toml(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method (see ``[[tool.babel.mappings]]`` in pyproject.toml)."""
    raw = fileobj.read()
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    lines = text.splitlines()
    for msgid in translatable_strings(tomllib.loads(text)):
        lineno = next((i + 1 for i, line in enumerate(lines) if msgid in line), 0)
        yield lineno, None, msgid, []
