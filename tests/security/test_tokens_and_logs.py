"""Invitation tokens beyond tests/test_onboarding.py, and logs that never carry secrets or personal data.

Already covered there: reuse, expiry, five forged tokens then the throttle. Here: the throttle is
per account and also stops a *valid* token (which stays usable), it lifts after its window;
malformed payloads are refused without touching the database; tokens are only stored hashed.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlmodel import select

from bot.services import FixedClock
from storage.models import Invite, Person, Submission, SubmissionVersion
from testing.client import Sandbox, User, joined
from tests.conftest import STAFF
from tests.helpers import add_station, token_in
from tests.security.support import snapshot

PHONE = "13987654321"
COMMENT = "Budget line three is copied from another station"


async def test_throttle_is_per_account_and_blocks_even_a_valid_token(sandbox: Sandbox, clock: FixedClock) -> None:
    station = await add_station(sandbox.services.db)
    token = token_in(await sandbox.send(STAFF, f"/invite manager {station.id}"))
    guesser = User(4001, "Guesser", "en")
    for attempt in range(5):
        await sandbox.send(guesser, f"/start guessed-token-{attempt:02d}-BBBBBBBBBBBBBB")
    assert "Too many invalid links" in joined(await sandbox.send(guesser, f"/start {token}"))
    async with sandbox.services.db.session() as session:
        invite = (await session.exec(select(Invite))).one()
        assert invite.used_at is None, "a throttled attempt does not burn the invitation"
        assert token not in invite.token_hash and len(invite.token_hash) == 64, "only a hash is stored"
    clock.advance(minutes=16)
    assert "Welcome" in joined(await sandbox.send(guesser, f"/start {token}")), "the throttle lifts after its window"


async def test_throttled_stranger_does_not_block_someone_else(sandbox: Sandbox) -> None:
    station = await add_station(sandbox.services.db)
    token = token_in(await sandbox.send(STAFF, f"/invite manager {station.id}"))
    for attempt in range(6):
        await sandbox.send(User(4002, "G", "en"), f"/start guessed-token-{attempt:02d}-CCCCCCCCCCCCCC")
    assert "Welcome" in joined(await sandbox.send(User(4003, "Real", "en"), f"/start {token}"))


@pytest.mark.parametrize("payload", ["' OR 1=1 --", "x" * 500, "短链接口令令令令令令令令令令令令令令令令令令", "%00%00",
                                     "a" * 19, "../../etc/passwd-AAAAAAAAAAAAAAAAAA"])
async def test_malformed_tokens_grant_nothing(sandbox: Sandbox, payload: str) -> None:
    await add_station(sandbox.services.db)
    before = await snapshot(sandbox.services.db)
    reply = joined(await sandbox.send(User(4004, "M", "en"), f"/start {payload}"))
    assert "not valid" in reply
    assert await snapshot(sandbox.services.db) == before
    assert "invitation only" in joined(await sandbox.send(User(4004, "M", "en"), "/log"))


async def test_logs_carry_no_token_phone_or_comment(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    db = sandbox.services.db
    station = await add_station(db, name="Log Test Station")
    token = token_in(await sandbox.send(STAFF, f"/invite manager {station.id}"))
    manager = User(4005, "Li", "en")
    await sandbox.send(manager, f"/start {token}")
    await sandbox.send(manager, "/log")
    await sandbox.press(manager, "Quality training and consulting")
    await sandbox.send(manager, "Training")
    await sandbox.send(manager, "2027-01-20")
    await sandbox.press(manager, "Skip")
    await sandbox.press(manager, "➕ Add a new one")
    await sandbox.send(manager, "Unit with a phone")
    await sandbox.press(manager, "Skip")
    await sandbox.send(manager, "Wang Wu")
    await sandbox.send(manager, PHONE)
    await sandbox.send(manager, "A need")
    await sandbox.press(manager, "Skip")  # no expert of the roster took part
    await sandbox.send(manager, "12")
    await sandbox.press(manager, "None of these (all 0)")
    await sandbox.press(manager, "Skip")
    assert "Recorded" in joined(await sandbox.press(manager, "Submit"))
    async with db.session() as session:
        person = (await session.exec(select(Person).where(Person.telegram_user_id == manager.id))).one()
        sub = Submission(station_id=station.id, kind="plan", year=2027,
                         submitted_at=dt.datetime(2027, 1, 10, tzinfo=dt.UTC))
        session.add(sub)
        await session.flush()
        session.add(SubmissionVersion(submission_id=sub.id, version=1, submitted_by_person_id=person.id,
                                      answers={"year": 2027}))
        await session.commit()
    await sandbox.press_data(STAFF, f"rv:r:{sub.id}:1")
    assert "退回" in joined(await sandbox.send(STAFF, COMMENT))
    await sandbox.send(User(4006, "Guesser", "en"), "/start " + token)
    await sandbox.send(manager, f"/invite manager {station.id}")  # refused: the door logs it at INFO
    assert caplog.records, "the flow logged something at INFO"
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    for secret in (token, PHONE, COMMENT):
        assert secret not in logged


async def test_a_database_error_while_saving_an_answer_does_not_log_the_answer(
        sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    """A failing write is logged with its traceback; SQLAlchemy's error text carries the bound
    parameters (the draft's answers) unless the engine hides them."""
    caplog.set_level(logging.INFO)
    db = sandbox.services.db
    station = await add_station(db, name="Log Test Station")
    token = token_in(await sandbox.send(STAFF, f"/invite manager {station.id}"))
    manager = User(4007, "Li", "en")
    await sandbox.send(manager, f"/start {token}")
    await sandbox.send(manager, "/log")
    await sandbox.press(manager, "Quality training and consulting")
    async with db.engine.begin() as conn:
        if not db.is_sqlite:
            await conn.exec_driver_sql("CREATE FUNCTION fail_save() RETURNS trigger LANGUAGE plpgsql AS "
                                       "$$ BEGIN RAISE EXCEPTION 'simulated'; END $$")
        await conn.exec_driver_sql(
            "CREATE TRIGGER fail_draft_save BEFORE UPDATE ON draft FOR EACH ROW EXECUTE FUNCTION fail_save()"
            if not db.is_sqlite else
            "CREATE TRIGGER fail_draft_save BEFORE UPDATE ON draft BEGIN SELECT RAISE(ABORT, 'simulated'); END")
    reply = joined(await sandbox.send(manager, f"Training for {PHONE}"))
    assert "try again shortly" in reply
    assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records), "the failure was logged"
    logged = caplog.text + "".join(logging.Formatter().formatException(r.exc_info) for r in caplog.records
                                   if r.exc_info)
    assert PHONE not in logged
