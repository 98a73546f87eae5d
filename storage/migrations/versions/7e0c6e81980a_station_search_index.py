"""station search index: FTS5 trigram (SQLite) and pg_trgm GIN (PostgreSQL) over the station's names and numbers

Revision ID: 7e0c6e81980a
Revises: 4cb29c209d84
Create Date: 2026-11-27 18:52:00.000000

The objects are outside the models and are read by ``storage.station_search``. SQLite: an external-content FTS5
table kept current by triggers, filled from the stations already stored. PostgreSQL: ``pg_trgm`` (shipped in
Debian's postgresql-15 package; a trusted extension, so the database's owner may create it) and a GIN index on
the columns joined by U+001F (the expression ``storage.station_search.PG_EXPRESSION`` queries).
"""
from collections.abc import Sequence

from alembic import op

revision: str = '7e0c6e81980a'
down_revision: str | None = '4cb29c209d84'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("name", "host_unit_name", "plaque_name", "region", "host_unit_credit_code", "approval_number")
NAMES = ", ".join(COLUMNS)
NEW = ", ".join(f"new.{c}" for c in COLUMNS)
OLD = ", ".join(f"old.{c}" for c in COLUMNS)
ADD = f"INSERT INTO station_search(rowid, {NAMES}) VALUES (new.id, {NEW});"
REMOVE = f"INSERT INTO station_search(station_search, rowid, {NAMES}) VALUES ('delete', old.id, {OLD});"
SQLITE = (
    f"CREATE VIRTUAL TABLE station_search USING fts5({NAMES}, content='station', content_rowid='id', "
    "tokenize='trigram')",
    f"CREATE TRIGGER station_search_ai AFTER INSERT ON station BEGIN {ADD} END",
    f"CREATE TRIGGER station_search_ad AFTER DELETE ON station BEGIN {REMOVE} END",
    f"CREATE TRIGGER station_search_au AFTER UPDATE OF {NAMES} ON station BEGIN {REMOVE} {ADD} END",
    "INSERT INTO station_search(station_search) VALUES ('rebuild')",
)
JOINED = " || E'\\x1f' || ".join(COLUMNS)
POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX ix_station_search_trgm ON station USING gin (({JOINED}) gin_trgm_ops)",
)


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("station_search_au", "station_search_ad", "station_search_ai"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE station_search")
    else:
        op.execute("DROP INDEX ix_station_search_trgm")  # pg_trgm stays: other objects may use it
