"""Staff score a station in the assessment round grid in headless Chromium (issue 13 §4).

quzhou (seed 004 annex): staff type the 35 building points in place; console.js updates the total and the
rank on the page as they type (第十七条 ranks by total); saving stores what was typed through the chat's
use case, and a cell over its row's maximum is refused with the chat's message while the others are kept.
Screenshots go to ``test-artifacts/console/``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.services import FixedClock
from storage.manual_scores import manual_points
from testing.client import Sandbox
from tests.browser.support import shot, sign_in
from tests.webapp.test_console_rounds import quzhou_round

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page



async def cell_text(page: Page, station_id: int, which: str) -> str:
    return (await page.locator(f'tr[data-station="{station_id}"] td.{which}').inner_text()).strip()


async def test_seed004_annex_staff_score_a_station_in_the_round_grid(web_box: Sandbox, clock: FixedClock, served: str,
                                                                    browser: Browser) -> None:
    round_id, stations = await quzhou_round(web_box, clock)
    third, second = stations[3].id, stations[2].id
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and not msg.text.startswith("Failed to load resource") else None)  # the favicon, the 422 of a refusal
    await sign_in(page, web_box, served)
    await page.click('header a[href="/console/rounds"]')
    await page.click(f'#rounds a[href="/console/rounds/{round_id}"] >> nth=0')
    await page.wait_for_url(f"{served}/console/rounds/{round_id}")
    assert await cell_text(page, third, "total") == "30" and await cell_text(page, third, "rank") == "3"

    typed = {"facilities": "10", "funding_systems": "9.5", "project_planning": "5", "coordination": "4",
             "radiation": "6"}  # 30 automatic + 34.5 by staff = 64.5: first, ahead of 50 and 40
    await page.fill(f'input[name="p:{third}:facilities"]', "10")
    assert await cell_text(page, third, "total") == "40", "the total follows the typing"
    assert await cell_text(page, third, "rank") == "2", "and so does the rank (40 ties station 2's 40)"
    for item, value in typed.items():
        await page.fill(f'input[name="p:{third}:{item}"]', value)
    assert await cell_text(page, third, "total") == "64.5"
    assert await cell_text(page, third, "rank") == "1" and await cell_text(page, stations[1].id, "rank") == "2"
    over = page.locator(f'input[name="p:{second}:facilities"]')
    await over.fill("12")  # above the row's 10: marked at once, refused on save
    assert await over.get_attribute("aria-invalid") == "true"
    assert await cell_text(page, second, "total") == "40", "an invalid cell adds nothing"
    await shot(page, "round-grid-1-typing")

    await page.click("#save-scores")
    await page.wait_for_load_state()
    assert "已保存 5 项得分" in await page.locator("#notes").inner_text()
    refused = page.locator(f'tr[data-station="{second}"] td.bad')
    assert "“场地设施”满分为 10 分" in await refused.inner_text()
    assert await page.locator(f'input[name="p:{second}:facilities"]').input_value() == "12", "nothing typed is lost"
    assert await cell_text(page, third, "total") == "64.5" and await cell_text(page, third, "rank") == "1"
    assert re.fullmatch(r"\d+(\.\d+)?", await cell_text(page, second, "total"))
    await shot(page, "round-grid-2-saved")
    async with web_box.services.db.session() as session:
        stored = await manual_points(session, 2026)
    assert stored == {third: {k: float(v) for k, v in typed.items()}}, "the stored score is what was typed"
    assert errors == []
    await context.close()
