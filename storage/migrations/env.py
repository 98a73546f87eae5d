"""Alembic environment: always handed a connection by ``storage.db.migrate``."""

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.station_search import hidden_from_alembic

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `stationbot db upgrade` (storage.db.migrate)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=hidden_from_alembic,  # the search index lives outside the models
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
