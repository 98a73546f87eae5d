"""The console's counts agree with their noun in English ("Saved 1 score.", "1 cell was refused"): Babel ngettext."""

from __future__ import annotations

import httpx
from sqlmodel import select

from bot.services import FixedClock
from storage.models import Person
from testing.client import Sandbox
from tests.conftest import STAFF
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link
from tests.webapp.test_console_rounds import quzhou_round

__all__ = ["browser_like"]


async def test_seed004_annex_one_saved_score_and_one_refused_cell_are_counted_in_the_singular(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    round_id, stations = await quzhou_round(web_box, clock)
    async with web_box.services.db.session() as session:
        staff = (await session.exec(select(Person).where(Person.telegram_user_id == STAFF.id))).one()
        staff.language = "en"
        session.add(staff)
        await session.commit()
    await sign_in(browser_like, await web_link(web_box, STAFF))
    first, second = stations[1].id, stations[2].id
    once = await browser_like.post(f"/console/rounds/{round_id}/scores", data={
        "csrf": csrf_of(browser_like), f"p:{first}:facilities": "12", f"p:{first}:funding_systems": "8"})
    assert once.status_code == 422
    assert "Saved 1 score." in once.text and "Saved 1 scores" not in once.text, once.text
    assert "1 cell was refused and nothing of it was stored: correct it and save again." in once.text
    twice = await browser_like.post(f"/console/rounds/{round_id}/scores", data={
        "csrf": csrf_of(browser_like), f"p:{second}:facilities": "9", f"p:{second}:radiation": "5"})
    assert twice.status_code == 200 and "Saved 2 scores." in twice.text
