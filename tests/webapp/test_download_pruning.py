"""Console downloads are pruned by the daily bookkeeping job: the bytes after a week, the row after a month."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from sqlalchemy import func
from sqlmodel import select

from bot.jobs import prune_bookkeeping
from bot.services import FixedClock
from storage.models import PreparedDownload, PreparedFile
from testing.client import Sandbox
from tests.security.support import STAFF_EN, seed
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link

__all__ = ["browser_like"]
REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+;url=(/console/exports/\d+)">')


async def prepare_workbook(box: Sandbox, client: httpx.AsyncClient, year: int) -> str:
    """Prepare the year's workbook through the console, as staff do; the status page's address."""
    await sign_in(client, await web_link(box, STAFF_EN))
    started = await client.post("/console/exports", data={"csrf": csrf_of(client), "what": "workbook",
                                                          "year": str(year)})
    await box.services.background.idle()
    return REFRESH.search(started.text).group(1)  # type: ignore[union-attr]


async def counts(box: Sandbox) -> tuple[int, int]:
    async with box.services.db.session() as session:
        rows = (await session.exec(select(func.count()).select_from(PreparedDownload))).one()
        files = (await session.exec(select(func.count()).select_from(PreparedFile))).one()
    return int(rows), int(files)


async def test_the_daily_job_prunes_old_download_rows_and_their_files(web_box: Sandbox, clock: FixedClock,
                                                                      browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    old_url = await prepare_workbook(web_box, browser_like, clock().year)
    assert await counts(web_box) == (1, 1)

    clock.advance(days=8)  # the bytes go after a week; the row stays to say so
    new_url = await prepare_workbook(web_box, browser_like, clock().year)
    assert await counts(web_box) == (2, 2)
    await prune_bookkeeping(web_box.services.db, clock())
    assert await counts(web_box) == (2, 1)
    gone = await browser_like.get(f"{old_url}/file")
    assert gone.status_code == 404 and "no longer kept" in gone.text
    assert (await browser_like.get(f"{new_url}/file")).status_code == 200

    clock.advance(days=23)  # 31 days after the first: its row goes; the second row (23 days old) stays, bytes gone
    await prune_bookkeeping(web_box.services.db, clock())
    assert await counts(web_box) == (1, 0)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    assert (await browser_like.get(old_url)).status_code == 404
    assert "no longer kept" in (await browser_like.get(f"{new_url}/file")).text


async def test_a_row_pruned_while_its_file_is_still_kept_takes_the_file_with_it(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    """A file made long after its row (a restarted preparation) would outlive the row; it goes with it."""
    await seed(web_box.services.db)
    await prepare_workbook(web_box, browser_like, clock().year)
    async with web_box.services.db.session() as session:
        row = (await session.exec(select(PreparedDownload))).one()
        kept = await session.get(PreparedFile, row.prepared_file_id)
        assert kept is not None
        kept.created_at = clock() + dt.timedelta(days=28)
        session.add(kept)
        await session.commit()
    clock.advance(days=31)
    await prune_bookkeeping(web_box.services.db, clock())
    assert await counts(web_box) == (0, 0)
