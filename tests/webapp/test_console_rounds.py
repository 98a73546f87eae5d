"""The assessment round grid of the staff console (issue 13 §4), through the real app and the sandbox bot.

quzhou (seed 004 annex, 绩效考核评分表): 35 points of the table are scored by staff, each row against its
maximum; 第十七条 ranks the stations by their total. The grid saves through the same use case as chat
and the API (``services.manual_scores.score``), with the same audit.
"""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from sqlmodel import select

from bot.services import FixedClock
from storage.manual_scores import manual_points
from storage.models import AssessmentEntry, AssessmentRound, AuditLog, Consequence
from storage.models import Station as StationRow
from testing.client import Sandbox, joined
from tests.assessment.support import Station, inbox, ledger, material, press_on, staff_inbox, station
from tests.conftest import SHANGHAI, STAFF
from tests.helpers import add_station
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link

__all__ = ["browser_like"]

AUTO = {1: dict(reports_written=2, big_meetings=1, big_trainings=2, enterprises_attracted=1, problems_solved=2),  # 50
        2: dict(reports_written=2, big_meetings=1, big_trainings=2, enterprises_attracted=1),  # 40
        3: dict(reports_written=2, big_meetings=1, big_trainings=2)}  # 30


async def quzhou_round(box: Sandbox, clock: FixedClock, auto: dict[int, dict[str, int]] | None = None,
                       without_material: tuple[int, ...] = ()) -> tuple[int, dict[int, Station]]:
    """quzhou stations (three unless ``auto`` says) with 2026 ledgers and material, and the round opened in chat."""
    auto = auto or AUTO
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    stations = {n: await station(box, n, f"衢州学会服务站{n}", "quzhou") for n in auto}
    for n, outcomes in auto.items():
        await ledger(box, stations[n], 2026, "strategy_consulting", **outcomes)
        if n not in without_material:
            await material(box, stations[n], 2026, "plan", "summary")
    await box.send(STAFF, "/start")
    opened = joined(await box.send(STAFF, "/assess quzhou 2026 2027-03-20"))
    assert f"已冻结 {len(auto)} 个服务站的数据" in opened, opened
    async with box.services.db.session() as session:
        rnd = (await session.exec(select(AssessmentRound))).one()
    assert rnd.id is not None
    return rnd.id, stations


def row_of(html: str, station_id: int) -> str:
    found = re.search(rf'<tr data-station="{station_id}">(.*?)</tr>', html, re.S)
    assert found, f"no grid row for station {station_id}"
    return found.group(1)


def total_and_rank(html: str, station_id: int) -> tuple[str, str]:
    row = row_of(html, station_id)
    total = re.search(r'class="num total">([^<]*)<', row)
    rank = re.search(r'class="num rank">([^<]*)<', row)
    assert total and rank, row
    return total.group(1), rank.group(1)


async def test_seed004_annex_grid_shows_each_station_with_the_rows_staff_score_and_their_maxima(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    round_id, stations = await quzhou_round(web_box, clock)
    await sign_in(browser_like, await web_link(web_box, STAFF))
    listing = await browser_like.get("/console/rounds")
    assert listing.status_code == 200 and f'href="/console/rounds/{round_id}"' in listing.text
    assert re.search(r"<td>2026</td><td>(?!open<)[^<]+</td>", listing.text), "the period and its status in words"
    grid = await browser_like.get(f"/console/rounds/{round_id}")
    assert grid.status_code == 200
    html = grid.text
    for label, maximum in (("场地设施", 10), ("经费与制度", 10), ("项目规划", 5), ("协调联络", 4), ("辐射效应", 6)):
        assert re.search(rf"{label}[^<]*<br><span class=\"muted\">≤ {maximum}</span>", html), (label, html[:3000])
    for st in stations.values():
        row = row_of(html, st.id)
        assert st.name in row and len(re.findall(rf'name="p:{st.id}:', row)) == 5
    assert total_and_rank(html, stations[1].id) == ("50", "1")  # the automatic points only, until staff score
    assert total_and_rank(html, stations[3].id) == ("30", "3")
    assert "script-src 'self'" in grid.headers["content-security-policy"]
    assert '<script src="/console/static/console.js"' in html
    script = await browser_like.get("/console/static/console.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "recompute" in script.text


async def test_seed004_annex_a_cell_over_its_maximum_is_refused_with_a_message_and_the_others_are_stored(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    round_id, stations = await quzhou_round(web_box, clock)
    await sign_in(browser_like, await web_link(web_box, STAFF))
    first, second = stations[1].id, stations[2].id
    saved = await browser_like.post(f"/console/rounds/{round_id}/scores?region=&page=1", data={
        "csrf": csrf_of(browser_like), f"p:{first}:facilities": "12", f"p:{first}:funding_systems": "8",
        f"p:{second}:facilities": "9.5", f"p:{second}:radiation": "很好", f"p:{second}:coordination": ""})
    assert saved.status_code == 422
    html = saved.text
    assert "已保存 2 项得分" in html, html
    assert "“场地设施”满分为 10 分" in html  # the chat's own message, in the staff member's language
    assert "不是数字" in html
    refused = row_of(html, first)
    assert 'value="12"' in refused and 'aria-invalid="true"' in refused, "what was typed is kept in the cell"
    assert 'value="8"' in row_of(html, first)
    async with web_box.services.db.session() as session:
        assert await manual_points(session, 2026) == {first: {"funding_systems": 8.0}, second: {"facilities": 9.5}}
        audit = (await session.exec(select(AuditLog).where(AuditLog.action == "manual_score"))).all()
    assert sorted((a.subject, a.detail["item"], a.detail["new"], a.detail["source"]) for a in audit) == [
        (f"station:{first}", "funding_systems", 8.0, "console"), (f"station:{second}", "facilities", 9.5, "console")]
    assert all(a.person_id is not None for a in audit), "the audit names who scored"


async def test_seed004_art17_saving_scores_changes_totals_and_ranks(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    round_id, stations = await quzhou_round(web_box, clock)
    await sign_in(browser_like, await web_link(web_box, STAFF))
    third = stations[3].id
    cells = dict(zip(("facilities", "funding_systems", "project_planning", "coordination", "radiation"),
                     ("10", "10", "5", "4", "6"), strict=True))
    saved = await browser_like.post(f"/console/rounds/{round_id}/scores", data={
        "csrf": csrf_of(browser_like), **{f"p:{third}:{k}": v for k, v in cells.items()}})
    assert saved.status_code == 200 and "已保存 5 项得分" in saved.text
    assert total_and_rank(saved.text, third) == ("65", "1")  # 30 automatic + 35 by staff
    assert total_and_rank(saved.text, stations[1].id) == ("50", "2")
    again = await browser_like.get(f"/console/rounds/{round_id}?open=1")
    assert f'data-station="{third}"' not in again.text, "fully scored: not among the stations with rows to score"
    resaved = await browser_like.post(f"/console/rounds/{round_id}/scores", data={
        "csrf": csrf_of(browser_like), **{f"p:{third}:{k}": v for k, v in cells.items()}})
    assert "已保存 0 项得分" in resaved.text, "unchanged cells are not written again"
    async with web_box.services.db.session() as session:
        assert len((await session.exec(select(AuditLog).where(AuditLog.action == "manual_score"))).all()) == 5


async def test_the_grid_refuses_strangers_and_forms_without_the_csrf_token(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    round_id, stations = await quzhou_round(web_box, clock)
    cell = {f"p:{stations[1].id}:facilities": "7"}
    assert (await browser_like.get(f"/console/rounds/{round_id}")).status_code == 401
    assert (await browser_like.post(f"/console/rounds/{round_id}/scores", data=cell)).status_code == 401
    await sign_in(browser_like, await web_link(web_box, STAFF))
    forged = await browser_like.post(f"/console/rounds/{round_id}/scores", data=cell)
    assert forged.status_code == 403
    assert (await browser_like.get("/console/rounds/999")).status_code == 404
    async with web_box.services.db.session() as session:
        assert await manual_points(session, 2026) == {}


SCORES = {1: ("10", "10", "5", "4", "6"), 2: ("8", "7", "4", "3", "3"), 3: ("2", "2", "2", "2", "2")}  # 85, 65, 40
ROWS = ("facilities", "funding_systems", "project_planning", "coordination", "radiation")


@pytest.mark.parametrize("door", ["chat", "console"])
async def test_seed004_art17_publish_and_confirm_tell_the_same_in_console_and_chat(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient, door: str) -> None:
    """The same expectations hold whichever door staff use: the console calls the chat's use cases."""
    round_id, stations = await quzhou_round(web_box, clock)
    await sign_in(browser_like, await web_link(web_box, STAFF))
    csrf = csrf_of(browser_like)
    cells = {f"p:{stations[n].id}:{row}": value for n, values in SCORES.items()
             for row, value in zip(ROWS, values, strict=True)}
    assert "已保存 15 项得分" in (await browser_like.post(f"/console/rounds/{round_id}/scores",
                                                      data={"csrf": csrf, **cells})).text
    before = await browser_like.get(f"/console/rounds/{round_id}/verdicts")
    assert before.status_code == 200 and 'id="publish"' in before.text
    assert re.search(r"<td>衢州学会服务站3</td>\s*<td class=\"num\">40</td>\s*<td>不合格", before.text), before.text
    if door == "chat":
        assert "已发布" in joined(await press_on(web_box, STAFF, "考核 #", "发布"))
    else:
        published = await browser_like.post(f"/console/rounds/{round_id}/publish", data={"csrf": csrf})
        assert published.status_code == 200 and "已发布；已将结果告知各服务站" in published.text, published.text
    first, third = await inbox(web_box, stations[1]), await inbox(web_box, stations[3])
    assert "Pass" in first and "Total: 85 points" in first and "Rank: 1 of 3" in first, first
    assert "Fail" in third and "rectification within a time limit (seed 004 第十七条)" in third, third
    proposals = await staff_inbox(web_box)
    assert proposals.count("限期整改（seed 004 第十七条）") == 1, proposals
    async with web_box.services.db.session() as session:
        item = (await session.exec(select(Consequence))).one()
        assert item.status == "proposed" and item.station_id == stations[3].id
    if door == "chat":
        await press_on(web_box, STAFF, "建议对 衢州学会服务站3", "确认")
    else:
        listed = await browser_like.get(f"/console/rounds/{round_id}/verdicts")
        assert f'data-consequence="{item.id}"' in listed.text and "建议对 衢州学会服务站3" in listed.text
        confirmed = await browser_like.post(f"/console/rounds/{round_id}/consequences",
                                            data={"csrf": csrf, "consequence": str(item.id), "action": "confirm"})
        assert confirmed.status_code == 200 and "已确认" in confirmed.text, confirmed.text
        again = await browser_like.post(f"/console/rounds/{round_id}/consequences",
                                        data={"csrf": csrf, "consequence": str(item.id), "action": "dismiss"})
        assert "此按钮已失效" in again.text, "a decided proposal cannot be decided again"
        assert 'value="close"' in again.text and 'value="escalate"' in again.text, "the running rectification"
    told = await inbox(web_box, stations[3])
    assert "Your station must rectify by Jun 3, 2027 (seed 004 第十七条)" in told, told
    async with web_box.services.db.session() as session:
        assert (await session.get(StationRow, stations[3].id)).status == "rectifying"  # type: ignore[union-attr]
        decided = (await session.exec(select(AuditLog).where(AuditLog.action == "consequence"))).all()
    assert [(a.detail["to"], a.person_id is not None) for a in decided] == [("confirmed", True)], "audited as in chat"
    if door == "console":  # staff close the rectification: the station is active again and told so
        closed = await browser_like.post(f"/console/rounds/{round_id}/consequences",
                                         data={"csrf": csrf, "consequence": str(item.id), "action": "close"})
        assert "已关闭；衢州学会服务站3 恢复正常运行" in closed.text, closed.text
        assert "Your rectification has been accepted and the item is closed." in await inbox(web_box, stations[3])
        async with web_box.services.db.session() as session:
            assert (await session.get(StationRow, stations[3].id)).status == "active"  # type: ignore[union-attr]


async def test_seed000_art14_grades_are_confirmed_one_by_one_before_publishing(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    """gd-quality (seed 000 第十四条) gives grades without point boundaries: staff choose each station's grade."""
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    g1 = await station(web_box, 1, "佛山科技服务站", "gd-quality", founded=dt.date(2022, 1, 1))
    g2 = await station(web_box, 2, "韶关科技服务站", "gd-quality", founded=dt.date(2022, 1, 1))
    for year in (2024, 2025, 2026):
        for st in (g1, g2):
            await material(web_box, st, year, "plan", "summary")
    await web_box.send(STAFF, "/start")
    await web_box.send(STAFF, "/assess gd-quality 2026 2027-03-31")
    await sign_in(browser_like, await web_link(web_box, STAFF))
    csrf = csrf_of(browser_like)
    async with web_box.services.db.session() as session:
        rnd = (await session.exec(select(AssessmentRound))).one()
        entries = {e.station_id: e.id for e in (await session.exec(select(AssessmentEntry))).all()}
    page = await browser_like.get(f"/console/rounds/{rnd.id}/verdicts")
    assert page.text.count("尚未确定") >= 2 and page.text.count('name="grade"') == 2
    early = await browser_like.post(f"/console/rounds/{rnd.id}/publish", data={"csrf": csrf})
    assert "尚不能发布" in early.text
    assert "Excellent" not in await inbox(web_box, g1), "nothing published before every grade is chosen"
    one = await browser_like.post(f"/console/rounds/{rnd.id}/verdicts", data={
        "csrf": csrf, "entry": str(entries[g1.id]), "action": "grade", "grade": "excellent"})
    assert one.status_code == 200 and "已为 佛山科技服务站 保存" in one.text, one.text
    bad = await browser_like.post(f"/console/rounds/{rnd.id}/verdicts", data={
        "csrf": csrf, "entry": str(entries[g2.id]), "action": "grade", "grade": "legendary"})
    assert "此按钮已失效" in bad.text, "a grade the regulation does not have is refused"
    await browser_like.post(f"/console/rounds/{rnd.id}/verdicts", data={
        "csrf": csrf, "entry": str(entries[g2.id]), "action": "grade", "grade": "fail"})
    done = await browser_like.post(f"/console/rounds/{rnd.id}/publish", data={"csrf": csrf})
    assert "已发布" in done.text, done.text
    assert "Excellent" in await inbox(web_box, g1)
    assert "Fail" in await inbox(web_box, g2)


async def test_a_round_of_many_stations_is_paged_and_filtered_by_region_and_name(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    """35 quzhou stations in two regions: 30 a page (5 rows each keeps a page's form under 200 fields)."""
    clock.set(dt.datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI))
    for n in range(35):
        await add_station(web_box.services.db, f"衢州服务站{n:02d}", "quzhou", region="衢江区" if n % 5 == 0 else "柯城区")
    await web_box.send(STAFF, "/start")
    await web_box.send(STAFF, "/assess quzhou 2026 2027-03-20")
    await sign_in(browser_like, await web_link(web_box, STAFF))
    async with web_box.services.db.session() as session:
        rnd = (await session.exec(select(AssessmentRound))).one()
    first = await browser_like.get(f"/console/rounds/{rnd.id}")
    assert first.text.count("<tr data-station=") == 30 and 'id="next-page"' in first.text
    assert len(re.findall(r'<input name="p:', first.text)) == 150
    second = await browser_like.get(f"/console/rounds/{rnd.id}?page=2")
    assert second.text.count("<tr data-station=") == 5 and "第 2 页，共 2 页" in second.text
    region = await browser_like.get(f"/console/rounds/{rnd.id}", params={"region": "衢江区"})
    assert region.text.count("<tr data-station=") == 7 and "显示 7 / 35 个服务站" in region.text
    named = await browser_like.get(f"/console/rounds/{rnd.id}", params={"q": "服务站07"})
    assert named.text.count("<tr data-station=") == 1
    # Saving from a filtered page comes back to the same filter.
    station_id = int(re.findall(r'<tr data-station="(\d+)"', region.text)[0])
    saved = await browser_like.post(f"/console/rounds/{rnd.id}/scores?region=%E8%A1%A2%E6%B1%9F%E5%8C%BA", data={
        "csrf": csrf_of(browser_like), f"p:{station_id}:facilities": "6"})
    assert saved.status_code == 200 and saved.text.count("<tr data-station=") == 7


async def test_seed004_art13_art17_ties_and_participation_are_decided_one_station_at_a_time(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    """第十七条: 优秀 for at most 20 % of those taking part (1 of 5 here); two stations tied at 75 points are
    a tie staff decide. 第十三条: a station without its material did not take part, unless staff say it did."""
    auto = {**AUTO, 4: dict(reports_written=2, big_meetings=1), 5: dict(reports_written=2, big_meetings=1),
            6: dict(reports_written=2, big_meetings=1)}  # 20 each
    round_id, stations = await quzhou_round(web_box, clock, auto, without_material=(6,))
    await sign_in(browser_like, await web_link(web_box, STAFF))
    csrf = csrf_of(browser_like)
    manual = {1: ("10", "5", "5", "3", "2"), 2: ("10", "10", "5", "4", "6"), 3: ("10", "10", "5", "4", "6"),
              4: ("10", "10", "5", "4", "6"), 5: ("10", "10", "5", "4", "6"), 6: ("10", "10", "5", "4", "6")}
    cells = {f"p:{stations[n].id}:{row}": v for n, values in manual.items() for row, v in zip(ROWS, values, strict=True)}
    await browser_like.post(f"/console/rounds/{round_id}/scores", data={"csrf": csrf, **cells})
    page = await browser_like.get(f"/console/rounds/{round_id}/verdicts")
    assert "同为 75 分" in page.text and f'name="tie" value="{stations[2].id}"' in page.text, page.text
    assert "未参加考核" in page.text and 'value="took_part"' in page.text
    publish_early = await browser_like.post(f"/console/rounds/{round_id}/publish", data={"csrf": csrf})
    assert "尚不能发布" in publish_early.text, "a tie still open blocks publishing"
    decided = await browser_like.post(f"/console/rounds/{round_id}/verdicts", data={"csrf": csrf,
                                                                                    "tie": str(stations[2].id)})
    assert "并列已决定：衢州学会服务站2 居前" in decided.text
    stale = await browser_like.post(f"/console/rounds/{round_id}/verdicts", data={"csrf": csrf,
                                                                                  "tie": str(stations[3].id)})
    assert "此按钮已失效" in stale.text, "a station in no open tie cannot be put first"
    async with web_box.services.db.session() as session:
        rnd = await session.get(AssessmentRound, round_id)
        entry6 = (await session.exec(select(AssessmentEntry).where(AssessmentEntry.station_id == stations[6].id))).one()
    assert rnd is not None and rnd.staff_order == [stations[2].id]
    took = await browser_like.post(f"/console/rounds/{round_id}/verdicts", data={
        "csrf": csrf, "entry": str(entry6.id), "action": "took_part"})
    assert "已为 衢州学会服务站6 保存" in took.text
    async with web_box.services.db.session() as session:
        entry6 = (await session.exec(select(AssessmentEntry).where(AssessmentEntry.station_id == stations[6].id))).one()
    assert entry6.took_part is True
