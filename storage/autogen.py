"""Write a new migration by comparing the models with a scratch SQLite database (a dev tool)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy.engine import Connection

from storage.db import Database, alembic_config


def _revision(conn: Connection, message: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.revision(cfg, message=message, autogenerate=True)


async def autogenerate(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'autogen.db'}")
        await db.upgrade()
        async with db.engine.begin() as conn:
            await conn.run_sync(_revision, message)
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(autogenerate(" ".join(sys.argv[1:]) or "change"))
