"""The command line a staff member uses: stations, invites, clear errors instead of tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def stationbot(tmp_path: Path, *args: str, token: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "TELEGRAM_BOT_TOKEN": token,
           "TELEGRAM_BOT_USERNAME": "station_test_bot", "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)


def test_missing_token_is_one_clear_sentence(tmp_path: Path) -> None:
    result = stationbot(tmp_path, "run")
    assert result.returncode == 2
    assert "@BotFather" in result.stdout and "TELEGRAM_BOT_TOKEN" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_station_import_list_and_invite(tmp_path: Path) -> None:
    csv_file = tmp_path / "stations.csv"
    csv_file.write_text(
        "name,policy_profile,region,society,society_level,founded_on\n"
        "贵阳某学会工作站,guiyang-kczg,贵阳,贵州省机械工程学会,provincial,2026-05-01\n"
        "衢州某学会服务站,quzhou,衢州,中国某学会,national,2025-09-01\n",
        encoding="utf-8",
    )
    imported = stationbot(tmp_path, "station", "import", str(csv_file))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "imported 2 stations" in imported.stdout
    listed = stationbot(tmp_path, "station", "list")
    assert "贵阳某学会工作站" in listed.stdout and "quzhou" in listed.stdout
    invite = stationbot(tmp_path, "invite", "--role", "manager", "--station", "1", "--qr", str(tmp_path / "q.png"))
    assert invite.returncode == 0, invite.stderr
    assert "https://t.me/station_test_bot?start=" in invite.stdout
    assert (tmp_path / "q.png").read_bytes().startswith(b"\x89PNG")


def test_bad_csv_names_the_line_and_column(tmp_path: Path) -> None:
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("name,policy_profile,founded_on\nA,quzhou,2026-13-01\n", encoding="utf-8")
    result = stationbot(tmp_path, "station", "import", str(csv_file))
    assert result.returncode == 2
    assert "line 2, column founded_on" in result.stdout
    assert "Traceback" not in result.stderr


def test_invite_for_unknown_station_is_refused(tmp_path: Path) -> None:
    result = stationbot(tmp_path, "invite", "--role", "manager", "--station", "99")
    assert result.returncode == 2
    assert "--station must name an existing station" in result.stdout


def test_holiday_schedule_load_and_list(tmp_path: Path) -> None:
    example = ROOT / "rules" / "holidays" / "2027.example.csv"
    loaded = stationbot(tmp_path, "holidays", "load", str(example))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "loaded 11 days for 2027" in loaded.stdout
    listed = stationbot(tmp_path, "holidays", "list")
    assert "2027\t11 days loaded" in listed.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-02-30,holiday,x\n", encoding="utf-8")
    refused = stationbot(tmp_path, "holidays", "load", str(bad))
    assert refused.returncode == 2 and "line 2: expected a date" in refused.stdout
