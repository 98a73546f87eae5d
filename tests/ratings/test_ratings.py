"""Service ratings through the real Application: links and QR codes, the questions, refusals, reminders, aggregates."""

from __future__ import annotations

from sqlmodel import select

from bot.services import FixedClock
from services.ratings import enqueue_rating_reminders
from storage.models import OutboxMessage, Person, Rating, RatingRequest
from testing.client import Sandbox, User, joined
from testing.outbox_flush import render_pending
from tests.conftest import STAFF
from tests.forms.conftest import Seat
from tests.ratings.conftest import link_token, log_service, qr_token

WANG = User(3001, "王五", "zh-hans")
JANE = User(3002, "Jane", "en")
KARL = User(3003, "Karl", "en")


async def rate_all(box: Sandbox, user: User, stars: list[int]) -> str:
    out = ""
    for n in stars:
        out = joined(await box.press(user, f"★{n}"))
    return out


async def rated_by_link(box: Sandbox, who: Seat, contact: User, title: str, unit: str, stars: list[int],
                        comment: str | None = None) -> str:
    token = link_token(await log_service(box, who, title, unit))
    await box.send(contact, f"/start {token}")
    await rate_all(box, contact, stars)
    if comment is None:
        return joined(await box.press(contact, "No comment"))
    return joined(await box.send(contact, comment))


async def test_unbound_unit_gets_link_and_qr_and_rates_in_chinese(sandbox: Sandbox, li: Seat) -> None:
    calls = await log_service(sandbox, li, "陶瓷企业质量管理培训", "佛山某陶瓷有限公司")
    assert any(c.method == "sendPhoto" for c in calls)
    token = qr_token(calls)
    assert token == link_token(calls)
    first = joined(await sandbox.send(WANG, f"/start {token}"))
    assert li.station.name in first and "陶瓷企业质量管理培训" in first and "第 1 题" in first
    after = joined(await sandbox.press(WANG, "★5"))
    assert "第 2 题" in after
    await rate_all(sandbox, WANG, [4, 5, 4, 5])
    done = joined(await sandbox.send(WANG, "老师讲得很好"))
    assert "谢谢" in done
    async with sandbox.services.db.session() as session:
        rating = (await session.exec(select(Rating))).one()
        request = (await session.exec(select(RatingRequest))).one()
        contact = (await session.exec(select(Person).where(Person.telegram_user_id == WANG.id))).one()
    assert rating.score == 92.0  # levels 100, 80, 100, 80, 100 (非常满意 100 … 非常不满意 20): mean 92
    assert rating.comment == "老师讲得很好" and rating.scores["venue"] == 5
    assert (request.status, request.answered_at is not None) == ("answered", True)
    assert (contact.role, contact.demand_unit_id) == ("demand_contact", request.demand_unit_id)


async def test_bound_contact_is_asked_through_the_outbox_in_english(sandbox: Sandbox, alice: Seat) -> None:
    await rated_by_link(sandbox, alice, JANE, "Training one", "Foshan Example Ceramics", [5, 5, 5, 5, 5])
    done = joined(await log_service(sandbox, alice, "Training two", "Foshan Example Ceramics", existing=True))
    assert "The unit's contact has been asked" in done
    assert not any(c.method == "sendPhoto" for c in await sandbox.send(alice.user, "/menu"))
    asked = joined(await render_pending(sandbox, JANE.id))
    assert "Training two" in asked and alice.station.name in asked and "Question 1 of 5" in asked
    edited = await sandbox.press(JANE, "★3")
    assert edited[-1].method == "editMessageText" and "Question 2 of 5" in joined(edited)
    await rate_all(sandbox, JANE, [3, 3, 3, 3])
    assert "Thank you" in joined(await sandbox.press(JANE, "No comment"))
    async with sandbox.services.db.session() as session:
        scores = sorted(r.score for r in (await session.exec(select(Rating))).all())
    assert scores == [60.0, 100.0]  # 一般 (3 stars) on every question is 60


async def test_second_attempt_says_already_rated_and_when(sandbox: Sandbox, alice: Seat, clock: FixedClock) -> None:
    first = link_token(await log_service(sandbox, alice, "Training", "Unit A"))
    listing = joined(await sandbox.send(alice.user, "/ratings"))
    assert "Open requests" in listing and "Training" in listing
    second = link_token(await sandbox.press(alice.user, "Resend link #1"))
    await sandbox.send(JANE, f"/start {first}")
    await rate_all(sandbox, JANE, [4, 4, 4, 4, 4])
    await sandbox.press(JANE, "No comment")
    clock.advance(days=2)
    again = joined(await sandbox.send(KARL, f"/start {second}"))
    assert "already rated on Feb 1, 2027" in again
    button = joined(await sandbox.press_data(JANE, "rate:1:0:1"))
    assert "already rated on Feb 1, 2027" in button
    async with sandbox.services.db.session() as session:
        assert len((await session.exec(select(Rating))).all()) == 1
        assert len((await session.exec(select(RatingRequest))).all()) == 1
        karl = (await session.exec(select(Person).where(Person.telegram_user_id == KARL.id))).one()
    # A valid link binds its holder as the unit's contact even when the request was already answered,
    # so the unit's next request reaches them directly (the issue: "opening it binds the person").
    assert karl.role == "demand_contact"


async def test_expired_link_is_refused_politely(sandbox: Sandbox, alice: Seat, clock: FixedClock) -> None:
    token = link_token(await log_service(sandbox, alice, "Training", "Unit A"))
    clock.advance(days=15)
    refused = joined(await sandbox.send(JANE, f"/start {token}"))
    assert "expired" in refused
    async with sandbox.services.db.session() as session:
        assert (await session.exec(select(Rating))).first() is None


async def test_forged_and_other_units_buttons_change_nothing(sandbox: Sandbox, alice: Seat, bob: Seat) -> None:
    await sandbox.send(JANE, f"/start {link_token(await log_service(sandbox, alice, 'Training', 'Unit A'))}")
    other = link_token(await log_service(sandbox, bob, "Secret consulting", "Unit B"))
    for data in ("rate:2:0:1", "rate:2:nc", "rate:999:0:1", "rate:x", "rate:1:9:1", "rate:1:0:9"):
        reply = joined(await sandbox.press_data(JANE, data))
        assert "Secret consulting" not in reply and "Thank you" not in reply
    assert "not addressed to you" in joined(await sandbox.press_data(JANE, "rate:2:0:1"))
    assert "Thank you" not in joined(await sandbox.press_data(alice.user, "rate:1:0:1"))
    await sandbox.send(KARL, f"/start {other}")
    async with sandbox.services.db.session() as session:
        assert (await session.exec(select(Rating))).first() is None
        requests = {r.id: r.status for r in (await session.exec(select(RatingRequest))).all()}
    assert requests == {1: "open", 2: "open"}


async def reminder_keys(box: Sandbox) -> list[str]:
    async with box.services.db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
    return sorted(r.idempotency_key for r in rows if r.idempotency_key.startswith("rating-reminder:"))


async def run_reminders(box: Sandbox, clock: FixedClock) -> int:
    async with box.services.db.session() as session:
        added = await enqueue_rating_reminders(session, clock())
        await session.commit()
    return added


async def test_reminders_on_day_3_and_7_and_none_after_answering(sandbox: Sandbox, alice: Seat,
                                                               clock: FixedClock) -> None:
    await log_service(sandbox, alice, "Unbound service", "Unit A")  # request 1: nobody bound -> manager
    await sandbox.send(JANE, f"/start {link_token(await log_service(sandbox, alice, 'Second', 'Unit B'))}")
    # request 2: Jane is bound to Unit B but has not rated
    assert await run_reminders(sandbox, clock) == 0
    clock.advance(days=3)
    assert await run_reminders(sandbox, clock) == 2
    assert await run_reminders(sandbox, clock) == 0  # idempotent
    assert await reminder_keys(sandbox) == ["rating-reminder:1:d3", "rating-reminder:2:d3"]
    to_manager = joined(await render_pending(sandbox, alice.user.id))
    assert "still open" in to_manager and "Unbound service" in to_manager
    to_jane = joined(await render_pending(sandbox, JANE.id))
    assert "Reminder" in to_jane and "Question 1 of 5" in to_jane
    await rate_all(sandbox, JANE, [5, 5, 5, 5, 5])
    await sandbox.press(JANE, "No comment")
    clock.advance(days=4)
    assert await run_reminders(sandbox, clock) == 1
    assert await reminder_keys(sandbox) == ["rating-reminder:1:d3", "rating-reminder:1:d7", "rating-reminder:2:d3"]
    clock.advance(days=30)
    assert await run_reminders(sandbox, clock) == 0
    async with sandbox.services.db.session() as session:
        statuses = {r.id: r.status for r in (await session.exec(select(RatingRequest))).all()}
    assert statuses == {1: "expired", 2: "answered"}


async def test_manager_sees_aggregates_without_identities_or_comments(sandbox: Sandbox, alice: Seat) -> None:
    people = [User(3101, "Rater One", "en"), User(3102, "Rater Two", "en"), User(3103, "Rater Three", "en")]
    await rated_by_link(sandbox, alice, people[0], "S1", "Unit A", [5, 5, 5, 5, 5], "secret remark one")
    await rated_by_link(sandbox, alice, people[1], "S2", "Unit B", [3, 3, 3, 3, 3])
    few = joined(await sandbox.send(alice.user, "/ratings"))
    assert "not enough ratings yet" in few and "Rating requests: 2; answered: 2 (100%)" in few
    await rated_by_link(sandbox, alice, people[2], "S3", "Unit C", [4, 4, 4, 4, 4], "secret remark three")
    await log_service(sandbox, alice, "S4", "Unit D")
    shown = joined(await sandbox.send(alice.user, "/ratings"))
    assert "Rating requests: 4; answered: 3 (75%)" in shown
    # 100, 60 and 80: the mean is exactly 80, and seed 002's annex asks for 满意度高于80分 (strictly above).
    assert "Convenience of the venue: 4.0" in shown and "Overall: 80.0 out of 100 (target: above 80)" in shown
    assert "Target not reached: it asks for more than 80" in shown and "S4" in shown
    for secret in ("secret remark", "Rater", "Unit A", "Unit B", "Unit C"):
        assert secret not in shown


async def test_low_rating_alerts_staff_who_see_details(sandbox: Sandbox, alice: Seat) -> None:
    await sandbox.send(STAFF, "/start")
    await rated_by_link(sandbox, alice, JANE, "Poor service", "Unit A", [1, 2, 1, 2, 1], "Nobody came on time")
    alert = joined(await render_pending(sandbox, STAFF.id))
    assert "Poor service" in alert and "Unit A" in alert and "Nobody came on time" in alert
    async with sandbox.services.db.session() as session:
        rating = (await session.exec(select(Rating))).one()
        keys = [r.idempotency_key for r in (await session.exec(select(OutboxMessage))).all()]
    assert rating.score == 28.0  # levels 20, 40, 20, 40, 20
    assert any(k.startswith(f"rating-alert:{rating.id}:staff-") for k in keys)
    listing = joined(await sandbox.send(STAFF, "/ratings"))
    assert "Unit A" in listing and "Nobody came on time" in listing


async def test_good_rating_raises_no_alert(sandbox: Sandbox, alice: Seat) -> None:
    await sandbox.send(STAFF, "/start")
    await rated_by_link(sandbox, alice, JANE, "Good service", "Unit A", [4, 4, 4, 4, 4])
    assert await render_pending(sandbox, STAFF.id) == []


async def test_stars_on_an_expired_request_are_refused(sandbox: Sandbox, alice: Seat, clock: FixedClock) -> None:
    await sandbox.send(JANE, f"/start {link_token(await log_service(sandbox, alice, 'Training', 'Unit A'))}")
    await sandbox.press(JANE, "★4")
    clock.advance(days=15)
    refused = joined(await sandbox.press(JANE, "★4"))
    assert "expired" in refused
    async with sandbox.services.db.session() as session:
        assert (await session.exec(select(Rating))).first() is None
