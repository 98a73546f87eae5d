"""`stationbot token create`: printable names within the column, a scope asked for, the narrowest by default
(issue 16 "API token names" and "Token scopes")."""

from __future__ import annotations

import builtins

import pytest
from sqlmodel import select

from bot.cli import parser
from bot.settings import Settings
from bot.webapp.cli import token_command
from storage.db import Database
from storage.models import ApiToken
from tests.hardening.support import count


async def token(settings: Settings, db: Database, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = await token_command(parser().parse_args(["token", *argv]),
                               settings.model_copy(update={"database_url": db.url}))
    return code, capsys.readouterr().out


@pytest.mark.parametrize("name", ["", "   ", "bell\x07", "tab\tname", "line\nbreak", "x" * 101, "nul\x00"])
async def test_bad_token_names_are_refused(settings: Settings, db: Database, capsys: pytest.CaptureFixture[str],
                                           name: str) -> None:
    code, out = await token(settings, db, capsys, "create", "--name", name)
    assert code == 2 and "--name must be printable text of 1 to 100 characters" in out and out.count("\n") == 1
    assert await count(db, ApiToken) == 0


async def test_scope_defaults_to_aggregates_and_is_asked_at_a_terminal(
        settings: Settings, db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = await token(settings, db, capsys, "create", "--name", "省级看板")
    assert code == 0 and "scope aggregates" in out
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr(builtins, "input", lambda prompt: "individual")
    code, out = await token(settings, db, capsys, "create", "--name", "evaluator")
    assert code == 0 and "Which scope?" in out and "scope individual" in out
    monkeypatch.setattr(builtins, "input", lambda prompt: "everything")
    code, out = await token(settings, db, capsys, "create", "--name", "greedy")
    assert code == 2 and "the scope must be aggregates, individual or write" in out
    code, out = await token(settings, db, capsys, "create", "--name", "writer", "--scope", "write")
    assert code == 0 and "scope write" in out
    async with db.session() as session:
        scopes = {r.name: r.scope for r in (await session.exec(select(ApiToken))).all()}
    assert scopes == {"省级看板": "aggregates", "evaluator": "individual", "writer": "write"}
    code, out = await token(settings, db, capsys, "list")
    assert "省级看板\taggregates" in out and "writer\twrite" in out
    code, out = await token(settings, db, capsys, "revoke", str(2**63))
    assert code == 2 and "no token" in out
