"""Numbers typed into console links and forms: out-of-range or odd digits give a page, never a server error.

PostgreSQL refuses a value beyond its INTEGER/BIGINT with an error rather than an empty result, and
``"²".isdigit()`` is true while ``int("²")`` fails: both reached the database or Python as a 500 before.
"""

from __future__ import annotations

import httpx
import pytest

from testing.client import Sandbox
from tests.security.support import STAFF_EN, seed
from tests.webapp.console_support import browser_like, sign_in, web_link

__all__ = ["browser_like"]
HUGE = "9" * 30


@pytest.mark.parametrize("path", [
    f"/console/stations?page={HUGE}", f"/console/stations?society={HUGE}", "/console/stations?page=²",
    f"/console/stations/{{a}}?ledger_page={HUGE}&ledger_year={HUGE}", f"/console/stations/{{a}}?ratings_page={HUGE}",
    "/console/stations/{a}?ratings_year=²", f"/console/review?page={HUGE}", f"/console/people?station={HUGE}",
    f"/console/people?page={HUGE}",
])
async def test_odd_numbers_in_console_links_give_a_page(web_box: Sandbox, browser_like: httpx.AsyncClient,
                                                        path: str) -> None:
    world = await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    response = await browser_like.get(path.replace("{a}", str(world.station_a.id)))
    assert response.status_code in (200, 404), (response.status_code, response.text[-500:])
