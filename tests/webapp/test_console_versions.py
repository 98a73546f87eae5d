"""The station page lists every submission with all its versions (issue 13 §2), times in ``TIMEZONE``."""

from __future__ import annotations

import datetime as dt

import httpx

from storage.models import Person, Submission, SubmissionVersion
from testing.client import Sandbox
from tests.security.support import STAFF_EN, seed
from tests.webapp.console_html import table_rows
from tests.webapp.console_support import browser_like, sign_in, web_link

__all__ = ["browser_like"]


async def test_the_station_page_shows_every_version_of_a_submission(web_box: Sandbox,
                                                                    browser_like: httpx.AsyncClient) -> None:
    world = await seed(web_box.services.db)
    async with web_box.services.db.session() as session:
        author = Person(role="manager", name="王站长", station_id=world.station_a.id)
        session.add(author)
        await session.flush()
        submission = Submission(station_id=world.station_a.id, kind="plan", year=2027, current_version=2,
                                submitted_at=dt.datetime(2027, 2, 3, 2, 0, tzinfo=dt.UTC))
        session.add(submission)
        await session.flush()
        for number, at in ((1, dt.datetime(2027, 1, 20, 16, 30, tzinfo=dt.UTC)),  # 21 January 00:30 in Shanghai
                           (2, dt.datetime(2027, 2, 3, 2, 0, tzinfo=dt.UTC))):
            session.add(SubmissionVersion(submission_id=submission.id or 0, version=number, answers={},
                                          submitted_by_person_id=author.id or 0, submitted_at=at))
        await session.commit()
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    page = await browser_like.get(f"/console/stations/{world.station_a.id}")
    assert page.status_code == 200
    rows = [r for r in table_rows(page.text, "submissions") if "v1" in " ".join(r)]
    assert len(rows) == 1, rows
    versions = rows[0][-1]
    assert "v1" in versions and "v2" in versions and versions.count("王站长") == 2, versions
    assert "Jan 21, 2027" in versions, "the first version's time in Shanghai, not 20 January (UTC)"
    assert f'href="/console/review/{submission.id}"' in page.text
