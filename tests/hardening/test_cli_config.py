"""Misconfiguration is refused in one sentence naming the variable; CLI commands refuse bad options
and print one line about what happened (issue 16 "Misconfiguration", issue 15 "A dropped option", "Noisy CLI").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from bot.cli import main
from bot.settings import Settings
from storage.db import Database, downgrade
from storage.models import Invite, Society, Station
from tests.hardening.support import count, run_cli
from tests.helpers import add_station

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("TIMEZONE", "Mars/Base", "TIMEZONE must be an IANA time zone such as Asia/Shanghai, got 'Mars/Base'."),
    ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'."),
    ("SEND_RATE_PER_SECOND", "0", "SEND_RATE_PER_SECOND must be a number above 0"),
    ("SEND_RATE_PER_SECOND", "-3", "SEND_RATE_PER_SECOND must be a number above 0"),
    ("INVITE_DAYS", "0", "INVITE_DAYS must be a whole number of days from 1 to 365, got '0'."),
    ("INVITE_DAYS", "-1", "INVITE_DAYS must be a whole number of days from 1 to 365"),
])
def test_bad_variable_is_one_sentence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str], variable: str, value: str,
                                      expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv(variable, value)
    assert main(["station", "list"]) == 2
    out = capsys.readouterr()
    assert out.out == f"error: {expected}\n" if expected.endswith(".") else expected in out.out
    assert out.out.count("\n") == 1 and out.err == ""
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened


def test_env_file_that_is_not_utf8(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_bytes("DEFAULT_POLICY=quzhou\nREGION=广州\n".encode("gbk"))
    assert main(["station", "list"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("error: The .env file is not UTF-8 text") and out.count("\n") == 1


def test_cli_prints_one_line_not_alembic_info(tmp_path: Path) -> None:
    """Issue 15 "Noisy CLI": no `Context impl SQLiteImpl` lines, even at LOG_LEVEL=INFO."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "INFO"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert result.stdout == "database is up to date\n"
    assert "Context impl" not in result.stderr and "Running upgrade" not in result.stderr
    assert result.stderr == ""


async def test_invite_honours_invite_days_and_refuses_bad_options(settings: Settings, db: Database, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    station = await add_station(db)
    code, out = await run_cli(settings.model_copy(update={"invite_days": 3}), db, capsys,
                              "invite", "--role", "manager", "--station", str(station.id))
    assert code == 0 and "valid for 3 days" in out
    async with db.session() as session:
        invite = (await session.exec(select(Invite))).one()
    assert (invite.expires_at - invite.created_at).days == 3
    for argv, expected in ((["--role", "manager", "--station", str(station.id), "--days", "0"], "--days must be"),
                           (["--role", "manager", "--station", str(station.id), "--days", "-5"], "--days must be"),
                           (["--role", "manager", "--station", str(station.id), "--days", "100000"], "from 1 to 365"),
                           (["--role", "staff", "--station", str(station.id)], "leave out --station"),
                           (["--role", "manager", "--station", str(2**63)], "--station must name an existing"),
                           (["--role", "manager", "--station", str(station.id), "--qr",
                             str(tmp_path / "no-such-folder" / "q.png")], "no invitation was saved")):
        code, out = await run_cli(settings, db, capsys, "invite", *argv)
        assert code == 2 and expected in out and out.count("\n") == 1, (argv, out)
    assert await count(db, Invite) == 1  # no orphan invitation from the refused ones


async def test_read_only_commands_do_not_migrate(settings: Settings, db: Database,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    await downgrade(db.engine, "base")
    for argv in (["station", "list"], ["holidays", "list"]):
        code, out = await run_cli(settings, db, capsys, *argv)
        assert code == 2 and "run `stationbot db upgrade` first" in out and out.count("\n") == 1
    from bot.cli import parser
    from bot.webapp.cli import token_command

    assert await token_command(parser().parse_args(["token", "list"]),
                               settings.model_copy(update={"database_url": db.url})) == 2
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    assert "station" not in tables and "api_token" not in tables


async def test_read_only_commands_work_on_a_read_only_database(settings: Settings, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    writable = Database(f"sqlite+aiosqlite:///{tmp_path / 'ro.db'}")
    await writable.upgrade()
    await add_station(writable, "只读站")
    await writable.dispose()
    read_only = Database(f"sqlite+aiosqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true")
    code, out = await run_cli(settings, read_only, capsys, "station", "list")
    assert code == 0 and "只读站" in out
    code, out = await run_cli(settings, read_only, capsys, "holidays", "list")
    assert code == 0 and "no holiday schedule loaded" in out
    await read_only.dispose()


async def test_station_list_says_what_it_left_out(settings: Settings, db: Database,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(5):
        await add_station(db, f"站{n}")
    code, out = await run_cli(settings, db, capsys, "station", "list", "--limit", "2")
    assert code == 0 and out.count("\t") == 8
    assert "shown 1–2 of 5 stations; next page: --offset 2" in out
    code, out = await run_cli(settings, db, capsys, "station", "list", "--limit", "2", "--offset", "4")
    assert "站4" in out and "shown 5–5 of 5 stations" in out and "next page" not in out


@pytest.mark.parametrize("name", ["", "   "])
async def test_station_add_without_a_name_is_refused(settings: Settings, db: Database,
                                                     capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out = await run_cli(settings, db, capsys, "station", "add", name)
    assert code == 2 and "name: a station needs a name" in out
    assert await count(db, Station) == 0


async def test_society_level_without_society_is_refused(settings: Settings, db: Database,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15 "A dropped option": the level would be silently dropped and provincial minimums applied."""
    code, out = await run_cli(settings, db, capsys, "station", "add", "某站", "--society-level", "municipal")
    assert code == 2 and "--society-level needs --society" in out and out.count("\n") == 1
    assert await count(db, Station) == 0


async def test_society_named_again_with_another_level(settings: Settings, db: Database,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = await run_cli(settings, db, capsys, "station", "add", "甲站", "--society", "某市学会",
                            "--society-level", "municipal")
    assert code == 0
    code, out = await run_cli(settings, db, capsys, "station", "add", "乙站", "--society", "某市学会",
                              "--society-level", "provincial")
    assert code == 2 and "society 某市学会 is recorded as municipal" in out and "--update-society-level" in out
    assert await count(db, Station) == 1
    code, _ = await run_cli(settings, db, capsys, "station", "add", "丙站", "--society", "某市学会")
    assert code == 0  # naming the society without a level keeps its level
    code, _ = await run_cli(settings, db, capsys, "station", "add", "乙站", "--society", "某市学会",
                            "--society-level", "provincial", "--update-society-level")
    assert code == 0
    async with db.session() as session:
        society = (await session.exec(select(Society))).one()
    assert society.level == "provincial" and await count(db, Station) == 3


@pytest.mark.parametrize("db", ["postgres"], indirect=True)  # the SQLite leg is the mode=ro test above
async def test_read_only_commands_work_for_a_select_only_postgres_user(settings: Settings, db: Database,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """PostgreSQL only: a login that may only SELECT lists stations, holidays and tokens (nothing migrates)."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    await add_station(db, "只读站")
    role = f"ro_{uuid.uuid4().hex[:8]}"
    async with db.engine.begin() as conn:
        name = make_url(db.url).database
        await conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'ro-pass'"))
        await conn.execute(text(f'GRANT CONNECT ON DATABASE "{name}" TO {role}'))
        await conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        await conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    read_only = Database(make_url(db.url).set(username=role, password="ro-pass").render_as_string(hide_password=False))
    try:
        for argv, expected in ((["station", "list"], "只读站"), (["holidays", "list"], "no holiday schedule")):
            code, out = await run_cli(settings, read_only, capsys, *argv)
            assert code == 0 and expected in out, out
        from bot.cli import parser
        from bot.webapp.cli import token_command

        assert await token_command(parser().parse_args(["token", "list"]),
                                   settings.model_copy(update={"database_url": read_only.url})) == 0
    finally:
        await read_only.dispose()
        async with db.engine.begin() as conn:
            await conn.execute(text(f"DROP OWNED BY {role}"))
            await conn.execute(text(f"DROP ROLE {role}"))
