"""Finding stations by any part of their names, host unit, region, credit code or approval number, from an index.

Chinese names have no spaces to split words at, so the index is of character trigrams and a query matches
any substring: SQLite's FTS5 ``trigram`` tokenizer over the station table (kept current by triggers, so
every write — chat, import, command line, a bulk load — reaches it), and on PostgreSQL a ``pg_trgm`` GIN
index on the same columns joined. A trigram index cannot answer a query shorter than three characters
("衢州"): those read the station table, which takes a few milliseconds at network scale.

The objects live outside ``storage.models`` (SQLAlchemy has no FTS5 table or GIN trigram index); migration
``7e0c6e81980a`` creates them and ``hidden_from_alembic`` keeps autogenerate from proposing to drop them.
A later migration that rebuilds the station table in SQLite batch mode drops its triggers: create them again
as ``7e0c6e81980a`` does (``tests/webapp/test_station_search.py`` fails when a renamed station is not found).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, literal_column, or_, text
from sqlalchemy import select as sa_select
from sqlmodel import col

from storage.models import Station

COLUMNS = ("name", "host_unit_name", "plaque_name", "region", "host_unit_credit_code", "approval_number")
FTS = "station_search"
TRGM_INDEX = "ix_station_search_trgm"
SEPARATOR = "\x1f"  # between the columns in the PostgreSQL expression: no query can span two columns
# The indexed expression, written exactly as the index was created (the planner matches it to the query's).
PG_EXPRESSION = "(" + " || E'\\x1f' || ".join(f"station.{c}" for c in COLUMNS) + ")"
SHORTEST_INDEXED = 3

def hidden_from_alembic(name: str | None, type_: str, _parents: Any = None) -> bool:
    """False for the search objects (Alembic's ``include_name``): FTS5's table and its shadow tables, the index."""
    return not (name or "").startswith((FTS, TRGM_INDEX))


def cleaned(query: str) -> str:
    """The query as matched: surrounding blanks and control characters (the column separator) removed."""
    return "".join(ch for ch in query if ch.isprintable()).strip()


def _escaped_like(query: str) -> str:
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matching(query: str, dialect: str) -> Any:
    """A WHERE condition on ``station``: ``query`` (``cleaned``, not empty) is part of one of ``COLUMNS``,
    letter case aside; ``%`` and ``_`` are plain characters."""
    if len(query) >= SHORTEST_INDEXED and dialect == "sqlite":
        phrase = '"' + query.replace('"', '""') + '"'  # an FTS5 string: the trigram tokenizer matches substrings
        found: Any = (sa_select(literal_column("rowid")).select_from(text(FTS))
                 .where(text(f"{FTS} MATCH :station_search_phrase").bindparams(station_search_phrase=phrase)))
        return col(Station.id).in_(found)
    if len(query) >= SHORTEST_INDEXED and dialect == "postgresql":
        return text(f"{PG_EXPRESSION} ILIKE :station_search_like ESCAPE '\\'").bindparams(
            bindparam("station_search_like", _escaped_like(query)))
    if dialect == "sqlite":  # SQLite's LIKE ignores ASCII letter case already: no lower() on 6 columns per row
        return or_(*[getattr(Station, c).contains(query, autoescape=True) for c in COLUMNS])
    return or_(*[getattr(Station, c).ilike(_escaped_like(query), escape="\\") for c in COLUMNS])
