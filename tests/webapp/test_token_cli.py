"""`stationbot token create|list|revoke`: the token is printed once, only its SHA-256 is kept, revoke ends it."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlmodel import select

from bot.cli import parser
from bot.settings import Settings
from bot.webapp.cli import token_command
from storage.db import Database
from storage.models import ApiToken, AuditLog


async def run(settings: Settings, db: Database, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = await token_command(parser().parse_args(["token", *argv]),
                               settings.model_copy(update={"database_url": db.url}))
    return code, capsys.readouterr().out


async def test_create_list_revoke(settings: Settings, db: Database, client: httpx.AsyncClient,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out = await run(settings, db, capsys, "create", "--name", "provincial dashboard")
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert token.startswith("sbt_") and len(token) > 40
    async with db.session() as session:
        row = (await session.exec(select(ApiToken))).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.model_dump_json()

    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/stations", headers=headers)).status_code == 200

    code, listed = await run(settings, db, capsys, "list")
    assert code == 0 and "provincial dashboard" in listed and "active" in listed and token not in listed

    code, out = await run(settings, db, capsys, "revoke", str(row.id))
    assert code == 0 and f"token {row.id} revoked" in out
    code, listed = await run(settings, db, capsys, "list")
    assert "revoked" in listed
    assert (await client.get("/api/v1/stations", headers=headers)).status_code == 401

    code, out = await run(settings, db, capsys, "revoke", "9999")
    assert code == 2 and "no token 9999" in out
    async with db.session() as session:  # the console's use case: the CLI's changes are audited too
        audit = [(a.action, a.subject) for a in (await session.exec(select(AuditLog).order_by(AuditLog.id))).all()]  # type: ignore[arg-type]
    assert audit == [("api_token_created", f"api_token:{row.id}"), ("api_token_revoked", f"api_token:{row.id}")]
