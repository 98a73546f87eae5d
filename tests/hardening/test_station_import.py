"""`stationbot station import`: Chinese Excel encodings, every row checked before writing, re-import offers update/skip.

Issue 16 (data correctness 3).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.settings import Settings
from storage.db import Database
from storage.models import Station
from tests.hardening.support import count, run_cli

CODE_A = "91440101MA5ABCDE1M"
CODE_B = "12440000455858888E"
GOOD = ("name,policy_profile,region,host_unit_credit_code,agreement_start,agreement_end\n"
        f"贵阳某学会工作站,guiyang-kczg,贵阳,{CODE_A},2026-01-01,2028-12-31\n"
        f"衢州某学会服务站,quzhou,衢州,{CODE_B},,\n")


def write(tmp_path: Path, data: bytes, name: str = "stations.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


async def names(db: Database) -> list[str]:
    async with db.session() as session:
        return [s.name for s in (await session.exec(select(Station).order_by(Station.id))).all()]  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
async def test_chinese_excel_encodings_are_read(settings: Settings, db: Database, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str], encoding: str) -> None:
    code, out = await run_cli(settings, db, capsys, "station", "import", write(tmp_path, GOOD.encode(encoding)))
    assert code == 0, out
    assert "imported 2 stations" in out
    assert await names(db) == ["贵阳某学会工作站", "衢州某学会服务站"]


async def test_every_row_is_checked_and_nothing_is_written(settings: Settings, db: Database, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    bad = ("name,policy_profile,host_unit_credit_code,agreement_start,agreement_end,founded_on\n"
           f"A,quzhou,{'9' * 500},,,\n"                       # line 2: too long (SQLite kept it, PostgreSQL crashed)
           "B,quzhou,91440101MA5ABCDE1X,,,\n"                 # line 3: wrong check character
           f"C,quzhou,{CODE_A},2027-05-01,2027-04-30,\n"      # line 4: ends before it starts
           f"D,quzhou,{CODE_B},,,2027/03/05\n"                # line 5: not ISO
           f"{'长' * 201},quzhou,,,,20270305\n"                # line 6: name too long, basic ISO refused too
           "E,nowhere,,,,\n")                                 # line 7: unknown profile
    code, out = await run_cli(settings, db, capsys, "station", "import", write(tmp_path, bad.encode()))
    assert code == 2
    for expected in ("line 2, column host_unit_credit_code: at most 18 characters, got 500",
                     "line 3, column host_unit_credit_code: not a valid unified social credit code",
                     "line 4, column agreement_end: the agreement ends before it starts",
                     "line 5, column founded_on: expected a date like 2027-03-05, got '2027/03/05'",
                     "line 6, column name: at most 200 characters, got 201",
                     "line 6, column founded_on: expected a date like 2027-03-05, got '20270305'",
                     "line 7, column policy_profile: unknown policy profile 'nowhere'",
                     "nothing was written"):
        assert expected in out, (expected, out)
    assert "Traceback" not in out
    assert await count(db, Station) == 0


@pytest.mark.parametrize(("data", "expected"), [
    (b"name,policy_profile\nA,quzhou\nB\x00,quzhou\n", "line 3: the file contains a NUL byte"),
    (b"\xff\xfe\x00n\x00a", "neither UTF-8 nor GBK"),
    (b"name,policy_profile,colour\nA,quzhou,red\n", "line 1: unknown column(s) colour"),
])
async def test_unreadable_files_are_refused_in_one_line(settings: Settings, db: Database, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str], data: bytes,
                                                        expected: str) -> None:
    code, out = await run_cli(settings, db, capsys, "station", "import", write(tmp_path, data))
    assert code == 2 and expected in out, out
    assert "Traceback" not in out
    assert await count(db, Station) == 0


@pytest.mark.parametrize("target", ["missing.csv", "."])
async def test_missing_file_or_directory(settings: Settings, db: Database, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str], target: str) -> None:
    code, out = await run_cli(settings, db, capsys, "station", "import", str(tmp_path / target))
    assert code == 2 and ("no such file" in out or "is a directory" in out) and out.count("\n") == 1


async def test_reimport_offers_update_or_skip(settings: Settings, db: Database, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD.encode())
    assert (await run_cli(settings, db, capsys, "station", "import", path))[0] == 0
    code, out = await run_cli(settings, db, capsys, "station", "import", path)
    assert code == 2
    assert "line 2: station 贵阳某学会工作站 (host unit credit code 91440101MA5ABCDE1M) is already stored" in out
    assert "--existing update" in out and "--existing skip" in out
    assert await count(db, Station) == 2
    code, out = await run_cli(settings, db, capsys, "station", "import", path, "--existing", "skip")
    assert code == 0 and "imported 0 stations, updated 0, skipped 2" in out
    moved = write(tmp_path, GOOD.replace(",贵阳,", ",遵义,").encode(), "moved.csv")
    code, out = await run_cli(settings, db, capsys, "station", "import", moved, "--existing", "update")
    assert code == 0 and "updated 2" in out
    async with db.session() as session:
        regions = sorted(s.region for s in (await session.exec(select(Station))).all())
    assert regions == ["衢州", "遵义"] and await count(db, Station) == 2
