"""The counts in the staff API and the workbook follow the seeds: quzhou's average days, wuhan's annex rows."""

from __future__ import annotations

import datetime as dt
import io

import httpx
import openpyxl

from bot.exports import export_year
from bot.services import FixedClock
from locales import translator
from storage.db import Database
from testing.client import Sandbox, User
from tests.conftest import SHANGHAI
from tests.forms.conftest import seat
from tests.forms.test_counting import log_again, log_first
from tests.webapp.seed import WUHAN_NAME, seed

TACKLING = "Tackling key technical problems"


async def test_quzhou_expert_days_average_per_expert_seed004_table(web_box: Sandbox, client: httpx.AsyncClient,
                                                                    api_token: str, clock: FixedClock) -> None:
    """Seed 004 绩效考核表 在站时间 "平均年度工作时间30-40天计3分,40天以上计5分": the average per expert.

    Qian works 3 x 15 = 45 days, Sun 15: the sum (60) would give 5 points, the average (30) gives 3.
    """
    clock.set(dt.datetime(2027, 6, 1, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(web_box.services.db, User(5201, "Zhao", "en"), "Quzhou Fluorine Station", "quzhou")
    await log_first(web_box, manager, TACKLING, "Quzhou Fluoro Co.", "Purer fluoropolymer", "Qian", "Professor",
                    outside=True, days=15)
    for _ in range(2):
        await log_again(web_box, manager, TACKLING, "Quzhou Fluoro Co.", "Purer fluoropolymer", ["Qian"], days=15)
    await log_first(web_box, manager, TACKLING, "Quzhou Silicon Co.", "Silicone sealant", "Sun", "Engineer",
                    outside=False, days=15)
    scores = (await client.get("/api/v1/scores/2027", headers={"Authorization": f"Bearer {api_token}"})).json()
    station = next(s for s in scores["items"] if s["station_id"] == manager.station.id)
    line = next(x for x in station["quzhou_estimate"]["lines"] if x["id"] == "expert_days")
    assert (line["actual"], line["points"], line["max_points"]) == (30, 3, 5), line
    ledger = (await client.get("/api/v1/activities", params={"station_id": manager.station.id},
                               headers={"Authorization": f"Bearer {api_token}"})).json()
    assert ledger["total"] == 4 and len({item["need_id"] for item in ledger["items"]}) == 2, "each row names its need"
    assert sorted(item["expert_days"] for item in ledger["items"]) == [15, 15, 15, 15]


async def test_quzhou_average_days_bands_seed004_table(web_box: Sandbox, client: httpx.AsyncClient,
                                                       api_token: str, clock: FixedClock) -> None:
    """Over 40 days on average gives 5 points, under 30 none (seed 004 绩效考核表 在站时间)."""
    clock.set(dt.datetime(2027, 6, 1, 9, 0, tzinfo=SHANGHAI))
    busy = await seat(web_box.services.db, User(5202, "Busy", "en"), "Quzhou Busy Station", "quzhou")
    await log_first(web_box, busy, TACKLING, "Busy Co.", "Need", "Long Stay", "Professor", outside=False, days=41)
    idle = await seat(web_box.services.db, User(5203, "Idle", "en"), "Quzhou Idle Station", "quzhou")
    await log_first(web_box, idle, TACKLING, "Idle Co.", "Need", "Short Stay", "Professor", outside=False, days=29)
    scores = (await client.get("/api/v1/scores/2027", headers={"Authorization": f"Bearer {api_token}"})).json()
    points = {s["station_id"]: next(x["points"] for x in s["quzhou_estimate"]["lines"] if x["id"] == "expert_days")
              for s in scores["items"]}
    assert (points[busy.station.id], points[idle.station.id]) == (5, 0)


async def test_wuhan_annex_rows_keep_one_maximum_seed002_annex(db: Database) -> None:
    """Seed 002 annex: 线下服务 is ONE 10-point row for its four volume targets, 经济效益 ONE 5-point row;
    the workbook shows the row's maximum once and the counters beside it without points of their own."""
    await seed(db)
    async with db.session() as session:
        content = await export_year(session, 2027, translator("zh_Hans"), tz=SHANGHAI)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["考核 wuhan-qis"]
    lines = [list(r) for r in sheet.iter_rows(values_only=True)][1:]
    table = [r for r in lines if r[0] == WUHAN_NAME and r[1] != "最低要求"]
    provision = [r for r in table if r[1] == "服务提供"]
    assert sum(r[5] or 0 for r in provision) == 30, "the 服务提供 group is 30 points, not 40"
    offline = next(r for r in provision if str(r[2]).startswith("线下服务"))
    assert offline[5] == 10
    trained = next(r for r in provision if r[2] == "培训企业数")
    assert (trained[4], trained[5], trained[6]) == (None, None, 200), "a target, with no maximum of its own"
    effect = [r for r in table if r[1] == "服务成效"]
    assert sum(r[5] or 0 for r in effect) == 30
    assert next(r for r in effect if str(r[2]).startswith("经济效益"))[5] == 5
