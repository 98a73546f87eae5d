"""The console's station page (issue 13 §2): ratings with each comment for staff, the status history with its
reasons, documents and stamped copies, and evidence downloads from the ledger, checked against seeded data."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlmodel import select

from bot.services import FixedClock
from storage.api_tokens import create_api_token
from storage.models import Activity, Person, Rating, RatingRequest, Submission, SubmissionDocument
from testing.client import Sandbox
from tests.conftest import SHANGHAI
from tests.security.support import MANAGER_A, STAFF_EN, seed
from tests.webapp.console_html import row_of, table_rows
from tests.webapp.console_support import browser_like, sign_in, web_link

__all__ = ["browser_like"]
STARS = {"venue": 5, "response": 4, "expertise": 4, "integrity": 5, "expectations": 4}


async def manager_id(web_box: Sandbox) -> int:
    async with web_box.services.db.session() as session:
        person = (await session.exec(select(Person).where(Person.telegram_user_id == MANAGER_A.id))).one()
    assert person.id is not None
    return person.id


async def test_staff_see_each_rating_with_its_comment_and_the_aggregate_the_api_gives(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    """seed 002 annex 服务满意度评价 (target strictly above 80): 100, 80 and 80 average 86.7, which meets it."""
    clock.set(dt.datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI))
    world = await seed(web_box.services.db)
    person = await manager_id(web_box)
    a = world.station_a.id or 0
    async with web_box.services.db.session() as session:
        for score, comment, when in ((100, "Very helpful kiln advice", dt.datetime(2027, 2, 5, tzinfo=dt.UTC)),
                                     (80, "", dt.datetime(2027, 2, 6, tzinfo=dt.UTC)),
                                     (80, "Came late", dt.datetime(2027, 2, 7, tzinfo=dt.UTC)),
                                     (20, "Complaint from last year", dt.datetime(2026, 6, 1, tzinfo=dt.UTC))):
            request = RatingRequest(station_id=a, demand_unit_id=world.unit_a.id or 0, status="answered",
                                    expires_at=when + dt.timedelta(days=14))
            session.add(request)
            await session.flush()
            session.add(Rating(request_id=request.id or 0, station_id=a, person_id=person, score=score, scores=STARS,
                               comment=comment, created_at=when))
        token, _ = await create_api_token(session, "tests", clock(), scope="individual")
        await session.commit()
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    page = (await browser_like.get(f"/console/stations/{a}")).text
    rows = table_rows(page, "rating-list")
    assert rows[0][:3] == ["Date", "Demand unit", "Score"] and len(rows) == 4
    assert [r[1:3] for r in rows[1:]] == [["Alpha Kiln Works", "100"], ["Alpha Kiln Works", "80"],
                                          ["Alpha Kiln Works", "80"]]
    assert rows[1][-1] == "Very helpful kiln advice" and rows[3][-1] == "Came late"
    assert rows[1][3:8] == ["5", "4", "4", "5", "4"]  # stars per question, in the profile's order
    assert "Complaint from last year" not in page
    satisfaction = dict(zip(*[iter(cell for cell in _dl(page, "satisfaction"))] * 2, strict=True))
    assert satisfaction["Average (0–100)"] == "86.7" and satisfaction["Target"] == "above 80 — met"
    api = (await browser_like.get("/api/v1/ratings/summary", params={"year": 2027},
                                  headers={"Authorization": f"Bearer {token}"})).json()["items"]
    assert [(i["count"], i["average"], i["met"]) for i in api] == [(3, 86.67, True)]
    listed = (await browser_like.get("/api/v1/ratings", params={"station_id": a, "year": 2027},
                                     headers={"Authorization": f"Bearer {token}"})).json()
    assert listed["total"] == 3
    last_year = (await browser_like.get(f"/console/stations/{a}", params={"ratings_year": "2026"})).text
    assert "Complaint from last year" in last_year and "not shown below 3 ratings" in last_year


def _dl(page: str, dl_id: str) -> list[str]:
    import html
    import re

    found = re.search(rf'<dl id="{dl_id}">(.*?)</dl>', page, re.S)
    assert found is not None
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<d[td][^>]*>(.*?)</d[td]>", found.group(1), re.S)]


async def test_the_status_history_shows_the_change_its_reason_and_article(web_box: Sandbox, clock: FixedClock,
                                                                         browser_like: httpx.AsyncClient) -> None:
    """seed 000 第二十二条: exit is proposed by /exit and confirmed by staff in chat; the page then lists the
    change from active to exited with its reason, its article and who confirmed it."""
    clock.set(dt.datetime(2027, 5, 10, 10, 0, tzinfo=SHANGHAI))
    world = await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    url = f"/console/stations/{world.station_a.id}"
    assert "has not changed" in (await browser_like.get(url)).text
    await web_box.send(STAFF_EN, f"/exit {world.station_a.id}")
    await web_box.press(STAFF_EN, "Confirm")
    rows = table_rows((await browser_like.get(url)).text, "status-history")
    assert rows[1][1:] == ["Active", "Exited", "exit confirmed", "seed 000 第二十二条", "Staff"]
    assert rows[1][0].startswith("May 10, 2027")  # local (Asia/Shanghai) time of the confirmation


async def test_documents_stamped_copies_and_evidence_download_for_staff_only(
        web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    """A document as the manager printed it, its stamped copy and a ledger row's evidence (both kept in Telegram,
    fetched through getFile) download from the station page; nobody signed out gets them."""
    world = await seed(web_box.services.db)
    person = await manager_id(web_box)
    web_box.api.uploads["scan-1"] = b"%PDF-1.4 stamped"
    web_box.api.uploads["photo-1"] = b"\xff\xd8 sign-in sheet"
    async with web_box.services.db.session() as session:
        submission = Submission(station_id=world.station_a.id, kind="plan", year=2027)
        session.add(submission)
        await session.flush()
        document = SubmissionDocument(
            submission_id=submission.id or 0, version=1, kind="plan", policy_profile="gd-quality",
            station_id=world.station_a.id, year=2027, status="sent", filename="2027 plan.docx", content=b"PK docx",
            rendered_at=dt.datetime(2027, 1, 20, 2, tzinfo=dt.UTC),
            scan={"file_id": "scan-1", "file_unique_id": "u1", "name": "stamped plan.pdf",
                  "mime_type": "application/pdf", "kind": "document", "size": 16},
            scan_received_at=dt.datetime(2027, 1, 25, 2, tzinfo=dt.UTC))
        activity = Activity(station_id=world.station_a.id or 0, activity_type="training", title="Kiln class",
                            started_on=dt.date(2027, 1, 10), logged_by_person_id=person,
                            attachments=[{"file_id": "photo-1", "file_unique_id": "u2", "name": "photo.jpg",
                                          "kind": "photo", "mime_type": None, "size": 12},
                                         {"file_id": "page-2", "name": "<script>.html", "mime_type": "text/html"}])
        session.add_all([document, activity])
        await session.commit()
    web_box.api.uploads["page-2"] = b"<script>alert(1)</script>"
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    page = (await browser_like.get(f"/console/stations/{world.station_a.id}")).text
    assert row_of(page, "documents", "2027 plan.docx")[1:] == ["2027", "1", "Jan 20, 2027, 10:00:00 AM",
                                                               "stamped plan.pdf Jan 25, 2027, 10:00:00 AM"]
    assert f'href="/console/documents/{document.id}.docx"' in page
    assert f'href="/console/activities/{activity.id}/evidence/0"' in page
    docx = await browser_like.get(f"/console/documents/{document.id}.docx")
    assert docx.content == b"PK docx" and "attachment" in docx.headers["content-disposition"]
    stamped = await browser_like.get(f"/console/documents/{document.id}/stamped")
    assert stamped.content == b"%PDF-1.4 stamped" and stamped.headers["content-type"] == "application/pdf"
    photo = await browser_like.get(f"/console/activities/{activity.id}/evidence/0")
    assert photo.content == b"\xff\xd8 sign-in sheet" and photo.headers["content-type"] == "image/jpeg"
    html_file = await browser_like.get(f"/console/activities/{activity.id}/evidence/1")
    assert html_file.headers["content-type"] == "application/octet-stream"  # never rendered in our origin
    assert (await browser_like.get(f"/console/activities/{activity.id}/evidence/2")).status_code == 404
    browser_like.cookies.clear()  # a manager's session is refused too: tests/security/test_console_routes.py
    for path in (f"/console/documents/{document.id}.docx", f"/console/documents/{document.id}/stamped",
                 f"/console/activities/{activity.id}/evidence/0"):
        assert (await browser_like.get(path)).status_code == 401, path
