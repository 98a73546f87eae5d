"""Each benchmark at toy size: it runs, and what it measures is really done (never timed here)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import text

from bench import conversation_throughput, sweep_and_status
from bench.generate import Sizes, fresh_database, populate
from tests.conftest import POSTGRES_URL

SMALL = Sizes(stations=30, activities=3000, ratings=300, seed=1)


async def test_throughput_smoke_every_form_reaches_the_ledger(tmp_path: Path) -> None:
    backends = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
    rows = await conversation_throughput.measure(3, backends, ["queue", "concurrent"], tmp_path)
    bots = [r for r in rows if r["bot"] == "stationbot"]
    echoes = [r for r in rows if r["bot"] == "echo"]
    assert len(bots) == 2 * len(backends) and len(echoes) == 2
    for row in bots:
        assert (row["steps"], row["failures"], row["activities_recorded"], row["try_again_replies"]) == (66, 0, 3, 0)
    assert all(r["steps"] == 66 for r in echoes)
    assert "| stationbot | sqlite | queue | 3 | 66 |" in conversation_throughput.table(rows)


async def _fingerprint(url: str) -> str:
    db = await fresh_database(url)
    counts = await populate(db, SMALL)
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text(
            "SELECT id, station_id, activity_type, started_on, demand_unit_id, participants FROM activity ORDER BY id"
        ))).all()
    await db.dispose()
    assert counts["station"] == 30 and counts["activity"] == 3000 and counts["rating"] == 300
    assert counts["person"] == 35 and counts["demand_unit"] == 60
    return hashlib.sha256(repr([tuple(str(v) for v in r) for r in rows]).encode()).hexdigest()


async def test_generator_is_deterministic(tmp_path: Path) -> None:
    first = await _fingerprint(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    again = await _fingerprint(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    assert first == again


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL leg: TEST_POSTGRES_URL is not set")
async def test_generator_gives_the_same_rows_on_postgres(tmp_path: Path) -> None:
    base, _, _ = POSTGRES_URL.rpartition("/")
    url = f"{base}/bench_smoke_gen_{tmp_path.name[-8:].lower().replace('-', '_')}"
    try:
        assert await _fingerprint(url) == await _fingerprint(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    finally:
        await conversation_throughput.drop_postgres(url)


async def test_sweep_and_status_smoke(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'scale.db'}"
    db = await fresh_database(url)
    await populate(db, SMALL)
    await db.dispose()
    result = await sweep_and_status.run(url, trace=True)
    assert result["status"]["status_answered"] == result["status"]["stations_sampled"] == 20
    for sweep in result["sweeps"]:
        assert sweep["rows_enqueued"] > 0, "the sweep found reminders to send"
        assert sweep["rows_enqueued_again"] == 0, "a second sweep the same day enqueues nothing"
        assert sweep["peak_rss_mb"] > 0 and sweep["tracemalloc_peak_mb"] > 0
        first, again = sweep["statements"]
        assert 0 < again < first, "the second sweep sends no insert"


async def test_export_scale_smoke(tmp_path: Path) -> None:
    import io

    import openpyxl

    from bench import export_scale

    url = f"sqlite+aiosqlite:///{tmp_path / 'export.db'}"
    db = await fresh_database(url)
    await populate(db, SMALL)
    await db.dispose()
    out = tmp_path / "year.xlsx"
    result = await export_scale.measure(url, 2026, out)
    book = openpyxl.load_workbook(io.BytesIO(out.read_bytes()), read_only=True)
    assert result["bytes"] == out.stat().st_size and result["peak_rss_mb"] > 0
    assert book.sheetnames[:4] == ["服务站", "报送", "工作台帐", "评价"], book.sheetnames
    assert all(name.startswith("考核 ") for name in book.sheetnames[4:]), "then one score sheet per profile"
    assert sum(1 for _ in book["工作台帐"].iter_rows()) > 1, "the year's ledger rows are in the workbook"
