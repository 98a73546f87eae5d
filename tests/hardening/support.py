"""Run a ``stationbot`` subcommand in-process against the test database (both legs) and capture its lines."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel, func, select

from bot.cli import ASYNC_COMMANDS, parser
from bot.settings import Settings
from storage.db import Database

COMPLETE_2027 = """\
# a complete (made-up) schedule: every statutory holiday has at least one day off
date,kind,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-14,workday,春节调休
2027-04-05,holiday,清明节
2027-05-01,holiday,劳动节
2027-05-03,holiday,劳动节
2027-06-09,holiday,端午节
2027-09-15,holiday,中秋节
2027-10-01,holiday,国庆节
2027-10-04,holiday,国庆节
"""


async def run_cli(settings: Settings, db: Database, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Exit code and printed output of ``stationbot <argv>`` on ``db`` (the same code path as the command)."""
    args = parser().parse_args(list(argv))
    code = await ASYNC_COMMANDS[args.command](args, settings.model_copy(update={"database_url": db.url}))
    return code, capsys.readouterr().out


async def count(db: Database, model: type[SQLModel]) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())
