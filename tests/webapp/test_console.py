"""The staff web console (issue 13): sign-in by a /web link, sessions, CSRF, and the stations filter."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlmodel import select

from bot.services import FixedClock
from bot.webapp.app import create_web_app
from storage.models import ConsoleSession, Invite, Person, Role, Submission
from testing.client import Sandbox
from tests.security.support import MANAGER_A, STAFF_EN, seed
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link

__all__ = ["browser_like"]


async def test_a_link_from_web_signs_in_once_with_a_locked_down_cookie(web_box: Sandbox,
                                                                        browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    token = await web_link(web_box, STAFF_EN)
    async with web_box.services.db.session() as session:
        stored = (await session.exec(select(Invite).where(Invite.purpose == "console"))).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64  # only the hash is kept
    landing = await browser_like.get("/console/login", params={"t": token})
    assert landing.status_code == 200 and 'name="t"' in landing.text  # a GET (a link preview) uses nothing up
    opened = await sign_in(browser_like, token)
    assert opened.status_code == 303 and opened.headers["location"] == "/console/"
    cookie = opened.headers["set-cookie"].lower()
    assert all(part in cookie for part in ("httponly", "secure", "samesite=lax", "path=/console", "max-age=43200"))
    overview = await browser_like.get("/console/")
    assert overview.status_code == 200 and "Overview" in overview.text and "Stations by policy profile" in overview.text
    app = create_web_app(web_box.app, web_box.services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1") as other:
        again = await sign_in(other, token)  # no Accept-Language: the page is in Chinese
        assert again.status_code == 400 and "此登录链接已被使用" in again.text
        assert "set-cookie" not in again.headers
        assert (await other.get("/console/")).status_code == 401


async def test_an_expired_link_is_refused(web_box: Sandbox, clock: FixedClock, browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    token = await web_link(web_box, STAFF_EN)
    clock.advance(minutes=10, seconds=1)
    refused = await sign_in(browser_like, token)
    assert refused.status_code == 400 and "expired" in refused.text and "set-cookie" not in refused.headers


async def test_repeated_failures_are_throttled_even_for_a_good_link(web_box: Sandbox,
                                                                     browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    for n in range(5):
        bad = await sign_in(browser_like, f"guessed-token-number-{n:04d}")
        assert bad.status_code == 400 and "not valid" in bad.text
    token = await web_link(web_box, STAFF_EN)
    throttled = await sign_in(browser_like, token)
    assert throttled.status_code == 429 and "set-cookie" not in throttled.headers


async def test_csrf_token_is_required_and_logout_ends_the_session(web_box: Sandbox,
                                                                  browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    forged = await browser_like.post("/console/logout", data={})
    assert forged.status_code == 403 and "This form has expired" in forged.text
    wrong = await browser_like.post("/console/logout", data={"csrf": "0" * 64})
    assert wrong.status_code == 403
    assert (await browser_like.get("/console/")).status_code == 200  # still signed in
    page = await browser_like.get("/console/stations")
    assert f'value="{csrf_of(browser_like)}"' in page.text  # the sign-out form carries the token
    out = await browser_like.post("/console/logout", data={"csrf": csrf_of(browser_like)})
    assert out.status_code == 200 and "signed out" in out.text
    assert (await browser_like.get("/console/")).status_code == 401


async def test_sessions_expire_after_twelve_idle_hours(web_box: Sandbox, clock: FixedClock,
                                                       browser_like: httpx.AsyncClient) -> None:
    await seed(web_box.services.db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    clock.advance(hours=11)
    assert (await browser_like.get("/console/")).status_code == 200  # use moves the idle limit on
    clock.advance(hours=11)
    assert (await browser_like.get("/console/")).status_code == 200
    clock.advance(hours=12)
    assert (await browser_like.get("/console/")).status_code == 401


async def test_a_person_who_stops_being_staff_is_out_at_once(web_box: Sandbox,
                                                             browser_like: httpx.AsyncClient) -> None:
    db = web_box.services.db
    await seed(db)
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    async with db.session() as session:
        person = (await session.exec(select(Person).where(Person.telegram_user_id == STAFF_EN.id,
                                                          Person.role == Role.staff.value))).one()
        person.active = False
        session.add(person)
        await session.commit()
    assert (await browser_like.get("/console/stations")).status_code == 403
    async with db.session() as session:
        person = (await session.exec(select(Person).where(Person.id == person.id))).one()
        person.active = True
        session.add(person)
        await session.commit()
        ended = (await session.exec(select(ConsoleSession))).one()
    assert ended.ended_at is not None  # ended, not merely refused: coming back as staff needs a new link
    assert (await browser_like.get("/console/")).status_code == 401


async def test_a_managers_session_and_a_strangers_cookie_are_refused(web_box: Sandbox, clock: FixedClock,
                                                                     browser_like: httpx.AsyncClient) -> None:
    """A manager cannot ask for a link (/web is staff-only), and a session row of a manager is refused."""
    from storage.console import create_login_link, redeem_login_link

    db = web_box.services.db
    world = await seed(db)
    calls = await web_box.send(MANAGER_A, "/web")
    assert "console/login" not in " ".join(c.text for c in calls)
    async with db.session() as session:
        manager = (await session.exec(select(Person).where(Person.telegram_user_id == MANAGER_A.id))).one()
        token = await create_login_link(session, manager, clock())
        await session.commit()
    refused = await sign_in(browser_like, token)
    assert refused.status_code == 400 and "no longer staff" in refused.text
    for path in ("/console/", "/console/stations", f"/console/stations/{world.station_a.id}"):
        # Forge what a bug might leave behind: a live session bound to the manager (one per page, since
        # the first refusal also ends the session).
        async with db.session() as session:
            manager.role = Role.staff.value
            session.add(manager)
            token = await create_login_link(session, manager, clock())
            signed = await redeem_login_link(session, token, "ip:test", clock())
            manager.role = Role.manager.value
            session.add(manager)
            await session.commit()
        assert not isinstance(signed, str)
        browser_like.cookies.set("stationbot_console", signed.session_token, domain="127.0.0.1", path="/console")
        assert (await browser_like.get(path)).status_code == 403, path
        assert (await browser_like.get(path)).status_code == 401, path  # and it is over
    browser_like.cookies.clear()
    browser_like.cookies.set("stationbot_console", "made-up-session-cookie-value", domain="127.0.0.1",
                             path="/console")
    for path in ("/console/", "/console/stations", "/console/stations/1"):
        assert (await browser_like.get(path)).status_code == 401, path


async def test_the_overdue_filter_finds_the_station_that_has_not_filed(web_box: Sandbox, clock: FixedClock,
                                                                       browser_like: httpx.AsyncClient) -> None:
    """seed 000 第十二条: the plan and last year's summary are due before 1 March; on 2 March Bravo
    (nothing filed) is overdue and Alpha (both filed) is not."""
    db = web_box.services.db
    world = await seed(db)
    async with db.session() as session:
        session.add_all([Submission(station_id=world.station_a.id, kind="plan", year=2027),
                         Submission(station_id=world.station_a.id, kind="summary", year=2026)])
        await session.commit()
    clock.set(dt.datetime(2027, 3, 2, 9, 0, tzinfo=clock().tzinfo))
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    everything = await browser_like.get("/console/stations")
    assert "Alpha Porcelain" in everything.text and "Bravo Textile" in everything.text
    overdue = await browser_like.get("/console/stations", params={"overdue": "1"})
    assert "Bravo Textile" in overdue.text and "Alpha Porcelain" not in overdue.text
    by_region = await browser_like.get("/console/stations", params={"overdue": "1", "region": "佛山"})
    assert "No station matches" in by_region.text
    searched = await browser_like.get("/console/stations", params={"q": "porcelain", "sort": "region", "dir": "desc"})
    assert "Alpha Porcelain" in searched.text and "Bravo Textile" not in searched.text
    station = await browser_like.get(f"/console/stations/{world.station_a.id}")
    assert station.status_code == 200 and "Alice" in station.text and "plan" in station.text
    assert (await browser_like.get("/console/stations/999999")).status_code == 404


def test_every_template_text_has_a_chinese_translation() -> None:
    """Template texts are ``_("msgid")`` calls the code extractor does not see: checked here instead."""
    import re
    from pathlib import Path

    from bot.webapp.console import render
    from locales.i18n import merged_catalog

    folder = Path(render.__file__).parent / "templates"
    msgids = {m for p in folder.glob("*.html") for m in re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', p.read_text("utf-8"))}
    catalog = merged_catalog("zh_Hans")
    assert len(msgids) > 30
    assert sorted(m for m in msgids if m not in catalog or not catalog[m].string) == []


async def test_pages_come_in_the_staff_members_language(web_box: Sandbox, browser_like: httpx.AsyncClient) -> None:
    db = web_box.services.db
    await seed(db)
    async with db.session() as session:
        person = (await session.exec(select(Person).where(Person.telegram_user_id == STAFF_EN.id))).one()
        person.language = "zh_Hans"
        session.add(person)
        await session.commit()
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    page = await browser_like.get("/console/stations")
    assert '<html lang="zh-Hans">' in page.text and "有逾期事项" in page.text and "退出登录" in page.text
    assert 'name="viewport"' in page.text  # laid out for phones too


async def test_station_ledger_is_paged_and_filtered_by_type_and_year(web_box: Sandbox,
                                                                     browser_like: httpx.AsyncClient) -> None:
    from storage.models import Activity

    db = web_box.services.db
    world = await seed(db)
    async with db.session() as session:
        manager = (await session.exec(select(Person).where(Person.telegram_user_id == MANAGER_A.id))).one()
        assert manager.id is not None and world.station_a.id is not None
        session.add_all([Activity(station_id=world.station_a.id, activity_type="training", title=f"Kiln class {n:02d}",
                                  started_on=dt.date(2026, 1 + n % 12, 1), logged_by_person_id=manager.id)
                         for n in range(25)])
        session.add_all([Activity(station_id=world.station_a.id, activity_type="consulting", title=f"Glaze advice {n}",
                                  started_on=dt.date(2027, 1, 10 + n), logged_by_person_id=manager.id)
                         for n in range(3)])
        await session.commit()
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))
    url = f"/console/stations/{world.station_a.id}"
    first = await browser_like.get(url)
    assert first.text.count("Kiln class") + first.text.count("Glaze advice") == 20 and "(28)" in first.text
    assert "frame-ancestors 'none'" in first.headers["content-security-policy"]
    assert first.headers["x-frame-options"] == "DENY"
    last = await browser_like.get(url, params={"ledger_page": "2"})
    assert last.text.count("Kiln class") + last.text.count("Glaze advice") == 8
    this_year = await browser_like.get(url, params={"ledger_year": "2027"})
    assert this_year.text.count("Glaze advice") == 3 and "Kiln class" not in this_year.text
    training = await browser_like.get(url, params={"ledger_type": "training", "ledger_page": "2"})
    assert training.text.count("Kiln class") == 5 and "Glaze advice" not in training.text
    assert "ledger_type=training&amp;ledger_page=1" in training.text  # paging keeps the filter
    assert (await browser_like.get(url, params={"ledger_year": "99999"})).status_code == 200  # ignored, not a 500
