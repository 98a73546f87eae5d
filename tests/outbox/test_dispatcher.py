"""The dispatcher: limits, quiet hours, RetryAfter, network retries, Forbidden, the lease."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.outbox import INTERRUPTED, in_quiet_hours
from bot.services import FixedClock
from storage.db import Database
from storage.models import OutboxStatus, Person, Role
from storage.outbox import UNCONFIRMED
from testing.sandbox import ApiFault, NetworkFault
from tests.conftest import SHANGHAI
from tests.outbox.support import FakeTime, add_person, dispatcher, emulator_bot, put, rows


def test_quiet_hours_window_spans_midnight() -> None:
    start, end = dt.time(21), dt.time(8)
    assert in_quiet_hours(dt.datetime(2027, 2, 1, 22, 0, tzinfo=SHANGHAI), start, end, SHANGHAI)
    assert in_quiet_hours(dt.datetime(2027, 2, 2, 7, 59, tzinfo=SHANGHAI), start, end, SHANGHAI)
    assert not in_quiet_hours(dt.datetime(2027, 2, 2, 8, 0, tzinfo=SHANGHAI), start, end, SHANGHAI)


async def test_sends_in_recipients_language_and_records_it(db: Database, clock: FixedClock) -> None:
    zh = await add_person(db, 101)
    en = await add_person(db, 102, language="en")
    await put(db, "k1", zh, clock(), text="yes")
    await put(db, "k2", en, clock(), text="yes")
    bot, api = await emulator_bot()
    time = FakeTime(clock)
    outcome = await dispatcher(db, bot, clock, time).run_once()
    assert outcome.sent == 2
    assert [c.text for c in api.calls_to(101)] == ["是"]
    assert [c.text for c in api.calls_to(102)] == ["yes"]
    stored = await rows(db)
    assert all(r.status == OutboxStatus.sent and r.telegram_message_id and r.sent_at for r in stored)


async def test_quiet_hours_hold_until_eight(db: Database, clock: FixedClock) -> None:
    clock.set(dt.datetime(2027, 2, 1, 22, 0, tzinfo=SHANGHAI))
    person = await add_person(db, 201)
    await put(db, "quiet", person, clock())
    await put(db, "urgent", person, clock(), quiet=False)
    bot, api = await emulator_bot()
    time = FakeTime()
    d = dispatcher(db, bot, clock, time)
    assert (await d.run_once()).sent == 1
    clock.set(dt.datetime(2027, 2, 2, 7, 59, tzinfo=SHANGHAI))
    time.value += 36000
    assert (await d.run_once()).sent == 0
    clock.set(dt.datetime(2027, 2, 2, 8, 0, tzinfo=SHANGHAI))
    assert (await d.run_once()).sent == 1
    by_key = {r.idempotency_key: r for r in await rows(db)}
    assert by_key["quiet"].sent_at is not None
    assert by_key["quiet"].sent_at.astimezone(SHANGHAI) == dt.datetime(2027, 2, 2, 8, 0, tzinfo=SHANGHAI)
    assert len(api.calls_to(201)) == 2


async def test_overall_rate_and_per_chat_spacing(db: Database, clock: FixedClock) -> None:
    people = [await add_person(db, 300 + i) for i in range(10)]
    for person in people:
        await put(db, f"b-{person.id}", person, clock())
    await put(db, "second-to-first", people[0], clock())
    bot, api = await emulator_bot()
    time = FakeTime(clock)
    d = dispatcher(db, bot, clock, time, rate_per_second=5.0, per_chat_seconds=1.0)
    outcome = await d.run_once()
    assert outcome.sent == 10 and outcome.skipped_chat == 1
    assert sum(time.sleeps) >= 9 / 5.0 - 1e-9
    assert all(abs(s - 0.2) < 1e-9 for s in time.sleeps)
    assert (await d.run_once()).sent == 1
    assert len(api.calls_to(300)) == 2


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB's RetryAfter
async def test_retry_after_pauses_everything_and_retries_the_row(db: Database, clock: FixedClock) -> None:
    people = [await add_person(db, 400 + i) for i in range(3)]
    for person in people:
        await put(db, f"r-{person.id}", person, clock())
    bot, api = await emulator_bot()
    faults = iter([ApiFault(429, "Too Many Requests: retry after 2", retry_after=2)])

    def fault(method: str, params: dict[str, Any]) -> ApiFault | NetworkFault | None:
        return next(faults, None) if method == "sendMessage" else None

    api.fault = fault
    time = FakeTime(clock)
    d = dispatcher(db, bot, clock, time, rate_per_second=1000.0, max_in_flight=1)
    first = await d.run_once()
    assert first.retried == 1 and first.sent == 2
    assert any(abs(s - 2.0) < 0.01 for s in time.sleeps), time.sleeps
    await d.run_once()
    stored = await rows(db)
    assert [r.status for r in stored] == [OutboxStatus.sent] * 3
    assert stored[0].attempts == 1
    assert sum(1 for m in api.messages) == 3


async def test_network_errors_back_off_then_fail(db: Database, clock: FixedClock) -> None:
    person = await add_person(db, 501)
    await put(db, "net", person, clock())
    bot, api = await emulator_bot()
    api.fault = lambda method, params: NetworkFault() if method == "sendMessage" else None
    time = FakeTime()
    d = dispatcher(db, bot, clock, time, max_attempts=3, backoff_seconds=10.0)
    assert (await d.run_once()).retried == 1
    row = (await rows(db))[0]
    assert row.status == OutboxStatus.pending and row.attempts == 1 and "TimedOut" in row.last_error
    assert (await d.run_once()).retried == 0
    clock.advance(seconds=10)
    time.value += 10
    await d.run_once()
    row = (await rows(db))[0]
    assert row.attempts == 2 and row.not_before.astimezone(SHANGHAI) == clock() + dt.timedelta(seconds=20)
    clock.advance(seconds=20)
    time.value += 20
    await d.run_once()
    row = (await rows(db))[0]
    assert row.status == OutboxStatus.failed and row.attempts == 3
    api.fault = None
    clock.advance(days=1)
    assert (await d.run_once()).sent == 0


async def test_forbidden_marks_unreachable_and_alerts_staff_once(db: Database, clock: FixedClock) -> None:
    manager = await add_person(db, 601, name="王站长")
    staff = await add_person(db, 699, role=Role.staff.value, language="en")
    await put(db, "rem-1", manager, clock())
    await put(db, "rem-2", manager, clock() + dt.timedelta(seconds=5))
    bot, api = await emulator_bot()
    api.blocked_chats.add(601)
    time = FakeTime(clock)
    d = dispatcher(db, bot, clock, time)
    await d.run_once()
    clock.advance(seconds=10)
    time.value += 10
    await d.run_once()
    await d.run_once()
    by_key = {r.idempotency_key: r for r in await rows(db)}
    assert by_key["rem-1"].status == OutboxStatus.failed and "Forbidden" in by_key["rem-1"].last_error
    async with db.session() as session:
        refreshed = await session.get(Person, manager.id)
        assert refreshed is not None and refreshed.reachable is False
    alerts = [r for r in by_key.values() if r.kind == "staff_alert"]
    assert len(alerts) == 1 and alerts[0].chat_id == staff.chat_id and alerts[0].status == OutboxStatus.sent
    assert "王站长" in api.calls_to(699)[0].text


async def test_only_the_lease_holder_sends(db: Database, clock: FixedClock) -> None:
    people = [await add_person(db, 700 + i) for i in range(4)]
    for person in people[:2]:
        await put(db, f"l-{person.id}", person, clock())
    bot, api = await emulator_bot()
    time = FakeTime()
    first = dispatcher(db, bot, clock, time, holder="first", lease_seconds=20)
    second = dispatcher(db, bot, clock, time, holder="second", lease_seconds=20)
    assert (await first.run_once()).sent == 2
    for person in people[2:]:
        await put(db, f"l-{person.id}", person, clock())
    assert (await second.run_once()).sent == 0
    assert second.holding is False
    clock.advance(seconds=25)
    time.value += 25
    assert (await second.run_once()).sent == 2
    assert (await first.run_once()).sent == 0
    assert len(api.messages) == 4


async def test_rows_left_sending_by_a_dead_holder_are_not_resent(db: Database, clock: FixedClock) -> None:
    person = await add_person(db, 801)
    await put(db, "crash", person, clock())
    async with db.session() as session:
        row = (await rows(db))[0]
        row.status = OutboxStatus.sending
        session.add(row)
        await session.commit()
    bot, api = await emulator_bot()
    d = dispatcher(db, bot, clock, FakeTime())
    assert (await d.run_once()).sent == 0
    row = (await rows(db))[0]
    assert row.status == UNCONFIRMED and row.last_error == INTERRUPTED
    assert api.calls_to(801) == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB's RetryAfter
def test_retry_after_as_int_or_timedelta() -> None:
    from telegram.error import RetryAfter

    from bot.outbox import retry_after_seconds

    assert retry_after_seconds(RetryAfter(2)) == 2.0
    assert retry_after_seconds(RetryAfter(dt.timedelta(seconds=3, milliseconds=500))) == 3.5
