"""The console's broadcast pages (issue 13 §5) through the real app, the sandbox bot and the outbox dispatcher.

Chat and console share ``services.broadcasts``: the tests check the same rows come out of both.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import httpx
import pytest
from sqlmodel import col, select

from bot.services import FixedClock
from bot.webapp.console import broadcasts as console_broadcasts
from storage.models import AuditLog, Broadcast, OutboxMessage, Person, Role, Station
from testing.client import Sandbox, joined
from tests.helpers import add_station
from tests.outbox.support import FakeTime, dispatcher, rows
from tests.security.support import CONTACT, MANAGER_A, MANAGER_B, STAFF_EN, World, seed
from tests.webapp.console_support import browser_like, csrf_of, sign_in, web_link

__all__ = ["browser_like"]


async def signed_in(box: Sandbox, client: httpx.AsyncClient) -> World:
    world = await seed(box.services.db)
    await sign_in(client, await web_link(box, STAFF_EN))
    return world


async def second_station_for_alice(box: Sandbox) -> Station:
    """Alice also manages a third station: a second binding of the same person (one chat)."""
    station = await add_station(box.services.db, "Charlie Ceramics Station", region="韶关")
    async with box.services.db.session() as session:
        session.add(Person(telegram_user_id=MANAGER_A.id, chat_id=MANAGER_A.id, name="Alice", role=Role.manager.value,
                           station_id=station.id, language="en"))
        await session.commit()
    return station


async def deliver(box: Sandbox, clock: FixedClock, **config: object) -> int:
    return (await dispatcher(box.services.db, box.app.bot, clock, FakeTime(clock), **config).run_once()).sent


def compose(client: httpx.AsyncClient, action: str, text: str = "Plans are due before March.",
            **fields: str) -> dict[str, str]:
    return {"csrf": csrf_of(client), "text": text, "action": action, **fields}


async def test_the_count_is_deduplicated_by_person(web_box: Sandbox, browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    await second_station_for_alice(web_box)
    answer = await browser_like.get("/console/broadcasts/count", params={"managers": "1"})
    assert answer.status_code == 200 and answer.json()["count"] == 2  # Alice (two stations) and Bob: 3 bindings
    everyone = await browser_like.get("/console/broadcasts/count",
                                      params={"managers": "1", "demand_contacts": "1", "staff": "1"})
    assert everyone.json()["count"] == 4
    shaoguan = await browser_like.get("/console/broadcasts/count", params={"managers": "1", "region": "韶关"})
    assert shaoguan.json()["count"] == 2 and "韶关" in shaoguan.json()["audience"]
    foshan = await browser_like.get("/console/broadcasts/count", params={"managers": "1", "region": "佛山"})
    assert foshan.json()["count"] == 1
    # Without a script: the "Count recipients" button submits the form by GET and the page shows the count.
    page = await browser_like.get("/console/broadcasts", params={"managers": "1", "region": "韶关", "count": "1"})
    assert page.status_code == 200 and "Recipients: 2" in page.text
    assert 'option value="韶关" selected' in page.text  # the form keeps what was chosen


async def test_overdue_filter_counts_the_stations_console_lists_as_overdue(web_box: Sandbox, clock: FixedClock,
                                                                          browser_like: httpx.AsyncClient) -> None:
    """seed 000 第十二条: the plan is due before 1 March; on 2 March a station without it is overdue."""
    await signed_in(web_box, browser_like)
    assert (await browser_like.get("/console/broadcasts/count",
                                   params={"managers": "1", "overdue": "1"})).json()["count"] == 0
    clock.set(dt.datetime(2027, 3, 2, 9, 0, tzinfo=clock().tzinfo))
    await sign_in(browser_like, await web_link(web_box, STAFF_EN))  # a month later: the session has expired
    assert (await browser_like.get("/console/broadcasts/count",
                                   params={"managers": "1", "overdue": "1"})).json()["count"] == 2


async def test_a_test_goes_to_the_signed_in_staff_members_chat_only(web_box: Sandbox, clock: FixedClock,
                                                                    browser_like: httpx.AsyncClient) -> None:
    clock.set(dt.datetime(2027, 2, 1, 23, 0, tzinfo=clock().tzinfo))  # quiet hours: a test still arrives at once
    await signed_in(web_box, browser_like)
    answer = await browser_like.post("/console/broadcasts",
                                     data=compose(browser_like, "test", managers="1", demand_contacts="1"))
    assert answer.status_code == 200 and "A test was sent to your own chat." in answer.text
    assert "Plans are due before March." in answer.text  # the form keeps the text
    assert await deliver(web_box, clock) == 1
    assert [c.text for c in web_box.api.calls_to(STAFF_EN.id) if c.method == "sendMessage"][-1] == \
        "Plans are due before March."
    for user in (MANAGER_A, MANAGER_B, CONTACT):
        assert web_box.api.calls_to(user.id) == []
    async with web_box.services.db.session() as session:
        assert (await session.exec(select(Broadcast))).all() == []


async def test_send_now_then_the_report_lists_each_recipient(web_box: Sandbox, clock: FixedClock,
                                                             browser_like: httpx.AsyncClient,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Sent, unreachable (a chat that blocked the bot: 403) and waiting for quiet hours, per recipient."""
    await signed_in(web_box, browser_like)
    web_box.api.blocked_chats.add(MANAGER_B.id)
    answer = await browser_like.post("/console/broadcasts",
                                     data=compose(browser_like, "send", managers="1", demand_contacts="1"))
    assert answer.status_code == 303
    report_url = answer.headers["location"]
    assert re.fullmatch(r"/console/broadcasts/\d+", report_url)
    waiting = await browser_like.get(report_url)
    assert waiting.text.count('class="delivery-waiting"') == 3
    assert await deliver(web_box, clock, batch_size=2) == 1  # Alice sent, Bob refused; Carol's row not reached
    clock.set(dt.datetime(2027, 2, 1, 21, 30, tzinfo=clock().tzinfo))
    report = await browser_like.get(report_url)
    assert report.status_code == 200

    def row(state: str) -> str:
        found = re.findall(rf'<tr class="delivery-{state}">(.*?)</tr>', report.text, re.S)
        assert len(found) == 1, (state, found)
        return str(found[0])

    assert "Alice" in row("sent") and "Alpha Porcelain" in row("sent")
    assert "Bob" in row("unreachable") and "blocked the bot" in row("unreachable")
    assert "Carol" in row("quiet_hours") and "waiting for the end of quiet hours" in row("quiet_hours")
    monkeypatch.setattr(console_broadcasts, "REPORT_PAGE", 2)  # a long report is paged; its counts cover everyone
    first, second = (await browser_like.get(report_url)).text, (await browser_like.get(f"{report_url}?page=2")).text
    assert first.count('<tr class="delivery-') == 2 and second.count('<tr class="delivery-') == 1
    assert "Carol" in second and "Carol" not in first and "waiting for the end of quiet hours: 1" in first
    assert await deliver(web_box, clock) == 0  # still night
    assert web_box.api.calls_to(CONTACT.id) == []
    clock.set(dt.datetime(2027, 2, 2, 8, 0, tzinfo=clock().tzinfo))
    assert await deliver(web_box, clock) == 1
    assert [c.text for c in web_box.api.calls_to(CONTACT.id)] == ["Plans are due before March."]
    chat = joined(await web_box.send(STAFF_EN, "/broadcasts"))  # the chat's report reads the same rows
    assert "sent 2, waiting 0, failed 0, unreachable 1" in chat


async def test_schedule_then_cancel_sends_nothing(web_box: Sandbox, clock: FixedClock,
                                                  browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    past = await browser_like.post("/console/broadcasts",
                                   data=compose(browser_like, "schedule", managers="1", when="2027-01-20T09:30"))
    assert past.status_code == 200 and "already passed" in past.text
    answer = await browser_like.post("/console/broadcasts",
                                     data=compose(browser_like, "schedule", managers="1", when="2027-02-20T09:30"))
    assert answer.status_code == 303
    report = await browser_like.get(answer.headers["location"])
    assert 'id="state">scheduled' in report.text and 'id="cancel"' in report.text
    assert report.text.count('class="delivery-scheduled"') == 2
    assert await deliver(web_box, clock) == 0
    number = answer.headers["location"].rsplit("/", 1)[1]
    cancelled = await browser_like.post(f"/console/broadcasts/{number}/cancel", data={"csrf": csrf_of(browser_like)})
    assert cancelled.status_code == 200 and "The broadcast is cancelled." in cancelled.text
    assert cancelled.text.count('class="delivery-cancelled"') == 2 and 'id="cancel"' not in cancelled.text
    again = await browser_like.post(f"/console/broadcasts/{number}/cancel", data={"csrf": csrf_of(browser_like)})
    assert "Only a scheduled broadcast" in again.text
    clock.set(dt.datetime(2027, 2, 21, 10, 0, tzinfo=clock().tzinfo))
    assert await deliver(web_box, clock) == 0 and web_box.api.calls_to(MANAGER_A.id) == []
    assert {r.status for r in await rows(web_box.services.db)} == {"cancelled"}
    async with web_box.services.db.session() as session:
        actions = [a.action for a in (await session.exec(select(AuditLog).order_by(col(AuditLog.id)))).all()
                   if a.action.startswith("broadcast")]
    assert actions == ["broadcast", "broadcast_cancel"]


async def test_a_scheduled_broadcast_goes_out_at_its_time_in_beijing_time(web_box: Sandbox, clock: FixedClock,
                                                                          browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)  # the clock: 1 February 2027, 10:00 in Asia/Shanghai
    answer = await browser_like.post("/console/broadcasts", data=compose(
        browser_like, "schedule", "Meeting at noon.", managers="1", region="佛山", when="2027-02-01T11:30"))
    assert answer.status_code == 303
    clock.set(dt.datetime(2027, 2, 1, 11, 29, tzinfo=clock().tzinfo))
    assert await deliver(web_box, clock) == 0
    clock.set(dt.datetime(2027, 2, 1, 11, 30, tzinfo=clock().tzinfo))
    assert await deliver(web_box, clock) == 1
    assert [c.text for c in web_box.api.calls_to(MANAGER_A.id)] == ["Meeting at noon."]
    assert web_box.api.calls_to(MANAGER_B.id) == []
    async with web_box.services.db.session() as session:
        item = (await session.exec(select(Broadcast))).one()
    assert item.scheduled_for is not None
    assert item.scheduled_for.astimezone(dt.UTC) == dt.datetime(2027, 2, 1, 3, 30, tzinfo=dt.UTC)


async def test_chat_and_console_write_identical_outbox_rows_and_audit(web_box: Sandbox, clock: FixedClock,
                                                                      browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    await second_station_for_alice(web_box)
    await web_box.send(STAFF_EN, "/broadcast")
    await web_box.send(STAFF_EN, "Same words.")
    await web_box.press_data(STAFF_EN, "bc:a:all_managers")
    assert "2 recipients" in joined(await web_box.press_data(STAFF_EN, "bc:send"))
    answer = await browser_like.post("/console/broadcasts", data=compose(browser_like, "send", "Same words.",
                                                                         managers="1"))
    assert answer.status_code == 303
    by_broadcast: dict[int | None, list[tuple[object, ...]]] = {}
    for r in await rows(web_box.services.db):
        by_broadcast.setdefault(r.broadcast_id, []).append(
            (r.kind, r.chat_id, r.person_id, r.payload, r.respect_quiet_hours, r.not_before, r.status))
    chat_rows, console_rows = by_broadcast.values()
    assert chat_rows == console_rows and len(chat_rows) == 2
    async with web_box.services.db.session() as session:
        audits = (await session.exec(select(AuditLog).where(AuditLog.action == "broadcast")
                                     .order_by(col(AuditLog.id)))).all()
    assert [a.detail["recipients"] for a in audits] == [2, 2]
    assert audits[0].person_id == audits[1].person_id is not None


async def test_sending_needs_the_csrf_token_and_a_staff_session(web_box: Sandbox,
                                                                browser_like: httpx.AsyncClient) -> None:
    await signed_in(web_box, browser_like)
    forged = await browser_like.post("/console/broadcasts", data={"text": "Hi", "action": "send", "managers": "1"})
    assert forged.status_code == 403
    async with web_box.services.db.session() as session:
        assert (await session.exec(select(Broadcast))).all() == []
        assert (await session.exec(select(OutboxMessage))).all() == []
    nobody = await browser_like.post("/console/broadcasts", data=compose(browser_like, "send"))  # no audience
    assert nobody.status_code == 200 and "Nobody matches this audience" in nobody.text
    empty = await browser_like.post("/console/broadcasts", data=compose(browser_like, "send", " ", managers="1"))
    assert "Write the text of the broadcast." in empty.text
    await browser_like.post("/console/logout", data={"csrf": csrf_of(browser_like)})
    assert (await browser_like.get("/console/broadcasts")).status_code == 401
    assert (await browser_like.get("/console/broadcasts/count", params={"managers": "1"})).status_code == 401


async def test_a_double_click_on_send_now_creates_one_broadcast(web_box: Sandbox,
                                                                 browser_like: httpx.AsyncClient) -> None:
    """The composer carries a one-time token: the same form posted twice (at once or one after the other)
    gives one broadcast and one outbox row per person, and both answers lead to its report."""
    await signed_in(web_box, browser_like)
    composer = await browser_like.get("/console/broadcasts")
    token = re.search(r'name="form_token" value="([^"]+)"', composer.text)
    assert token is not None
    form = compose(browser_like, "send", managers="1", form_token=token.group(1))
    first, second = await asyncio.gather(browser_like.post("/console/broadcasts", data=form),
                                         browser_like.post("/console/broadcasts", data=form))
    third = await browser_like.post("/console/broadcasts", data=form)
    assert first.status_code == second.status_code == third.status_code == 303
    assert first.headers["location"] == second.headers["location"] == third.headers["location"]
    async with web_box.services.db.session() as session:
        made = (await session.exec(select(Broadcast))).all()
        queued = (await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "broadcast"))).all()
    assert len(made) == 1 and len(queued) == made[0].recipients == 2
    fresh = await browser_like.get("/console/broadcasts")
    assert token.group(1) not in fresh.text, "each composer page gets a token of its own"
