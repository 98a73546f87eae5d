"""Whole numbers that arrive as text from outside (button data, command words, console links).

Button data can be forged or garbled, and Python's ``str.isdigit`` accepts "²" (which ``int``
refuses) while ``int`` accepts any length: a 31-digit id reaches PostgreSQL as an out-of-range
error instead of "no such row". One rule here, used by the bot and the console alike.
"""

from __future__ import annotations

import re

MAX_INT = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column
_PLAIN = re.compile(r"-?[0-9]{1,10}")


def db_int(text: str | None, *, signed: bool = False) -> int | None:
    """``text`` as a number a database INTEGER holds, or None when it is anything else.

    Only ASCII digits (and a leading "-" when ``signed``): no spaces, "+", "_" or other
    scripts' digits. Ids, indexes and page numbers are never negative, so "-1" is None by default.
    """
    if text is None or not _PLAIN.fullmatch(text) or (text.startswith("-") and not signed):
        return None
    number = int(text)
    return number if -MAX_INT <= number <= MAX_INT else None
