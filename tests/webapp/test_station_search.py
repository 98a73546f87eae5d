"""The console's station search (issue 13 §2) answers from a trigram index (``storage.station_search``: FTS5 on
SQLite, pg_trgm on PostgreSQL) and still finds any part of a Chinese name, one or two characters included, a
credit code or approval number in any letter case, and a station under its new name after a rename."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from services.stations import import_stations
from storage.console_queries import StationFilter, find_stations
from storage.db import Database
from storage.models import Station
from storage.station_search import cleaned, matching
from testing.client import Sandbox
from tests.security.support import STAFF_EN, seed
from tests.webapp.console_html import table_rows
from tests.webapp.console_support import browser_like, sign_in, web_link

__all__ = ["browser_like"]

CODE = "91440101MA5ABCDE1M"
HEADER = "name,plaque_name,approval_number,host_unit_name,host_unit_credit_code,region,policy_profile\n"
CSV = HEADER + (f"衢州市柯城区科技服务站,衢州市科协柯城工作站,衢科协〔2026〕12号,衢州市质量技术监督检测研究院,{CODE},"
                "衢州市,quzhou\n"
                "杭州西湖科技服务站,,杭科协〔2025〕3号,西湖区科技局,,杭州市,quzhou\n"
                "宁波北仑工作站,,,北仑港务集团,,宁波市,quzhou\n"
                "Station 100 Green,,,Host_Unit,,Region 7,quzhou\n")


async def names(db: Database, query: str) -> list[str]:
    async with db.session() as session:
        rows, total = await find_stations(session, StationFilter(search=query, sort="id"), {})
    assert total == len(rows)
    return [station.name for station, _ in rows]


async def load(db: Database, csv_text: str, existing: str = "refuse") -> None:
    async with db.session() as session:
        await import_stations(session, csv_text, ["quzhou"], existing)  # type: ignore[arg-type]
        await session.commit()


async def test_search_finds_any_part_of_a_chinese_name_a_code_or_a_number(db: Database) -> None:
    await load(db, CSV)
    assert await names(db, "柯城") == ["衢州市柯城区科技服务站"], "two characters (below a trigram)"
    assert await names(db, "衢") == ["衢州市柯城区科技服务站"], "one character"
    assert await names(db, "科技服务站") == ["衢州市柯城区科技服务站", "杭州西湖科技服务站"]
    assert await names(db, "质量技术监督") == ["衢州市柯城区科技服务站"], "the host unit"
    assert await names(db, "柯城工作") == ["衢州市柯城区科技服务站"], "the plaque name"
    assert await names(db, "ma5abcde") == ["衢州市柯城区科技服务站"], "a credit code, any letter case"
    assert await names(db, "〔2026〕12") == ["衢州市柯城区科技服务站"], "the approval number"
    assert await names(db, "杭州市") == ["杭州西湖科技服务站"], "the region"
    assert await names(db, "  北仑  ") == ["宁波北仑工作站"], "blanks around the query"
    assert await names(db, "STATION 100") == ["Station 100 Green"] and await names(db, "gR") == ["Station 100 Green"]
    assert await names(db, "100%") == [] and await names(db, "%") == [] and await names(db, "n_1") == [], \
        "% and _ are characters, not wildcards"
    assert await names(db, "Host_U") == ["Station 100 Green"]
    assert await names(db, "服务站衢州市") == [], "no match across the end of the name and the plaque name"


async def test_a_renamed_station_is_found_by_its_new_name_only(db: Database) -> None:
    """The index follows every write: an import that renames the host unit, an edit of the station's name."""
    await load(db, CSV)
    await load(db, HEADER + f"衢州市柯城区科技服务站,,衢科协〔2026〕12号,衢州市标准化研究院,{CODE},衢州市,quzhou\n",
               "update")
    assert await names(db, "标准化研究") == ["衢州市柯城区科技服务站"]
    assert await names(db, "质量技术监督") == [] and await names(db, "柯城工作") == []
    async with db.session() as session:
        row = next(s for s in (await session.exec(Station.__table__.select())).all()  # type: ignore[attr-defined]
                   if s.name == "杭州西湖科技服务站")
        station = await session.get(Station, row.id)
        assert station is not None
        station.name = "杭州钱塘质量服务站"
        session.add(station)
        await session.commit()
    assert await names(db, "钱塘质量") == ["杭州钱塘质量服务站"] and await names(db, "钱塘") == ["杭州钱塘质量服务站"]
    assert await names(db, "西湖科技") == [] and await names(db, "西湖") == ["杭州钱塘质量服务站"], \
        "西湖 is still in the host unit 西湖区科技局"
    async with db.session() as session:
        await session.delete(await session.get(Station, row.id))
        await session.commit()
    assert await names(db, "钱塘质量") == [] and await names(db, "西湖区科技") == []


async def test_three_characters_or_more_are_answered_by_the_index(db: Database) -> None:
    """The plan, not the clock: the query uses the FTS5 table or the pg_trgm index (the planner told to avoid
    scans, as it would on a large table), and a two-character query reads the table."""
    await load(db, CSV)
    async with db.session() as session:
        connection = await session.connection()
        dialect = connection.dialect.name
        if dialect == "postgresql":
            await connection.execute(text("SET LOCAL enable_seqscan = off"))
        for query, indexed in (("质量技术", True), ("柯城", False)):
            condition = matching(cleaned(query), dialect)
            compiled = Station.__table__.select().where(condition).compile(  # type: ignore[attr-defined]
                connection.sync_connection, compile_kwargs={"literal_binds": True})
            prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
            plan = " ".join(str(r[-1]) for r in (await connection.execute(text(prefix + str(compiled)))).all())
            used = ("station_search" in plan) if dialect == "sqlite" else ("ix_station_search_trgm" in plan)
            assert used is indexed, (query, plan)


async def test_console_search_by_two_characters(web_box: Sandbox, browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await load(web_box.services.db, CSV)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    page = (await browser_like.get("/console/stations", params={"q": "柯城"})).text
    found = [row[0] for row in table_rows(page, "stations")[1:]]
    assert len(found) == 1 and "衢州市柯城区科技服务站" in found[0], found
