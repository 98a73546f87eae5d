"""A submission opened from /pending shows the same submitter and day as the card sent at submit time."""

from __future__ import annotations

import datetime as dt

from bot.services import FixedClock
from testing.client import Sandbox, joined
from testing.outbox_flush import render_pending
from tests.conftest import SHANGHAI, STAFF
from tests.forms.conftest import Seat
from tests.forms.test_change_report_and_review import make_staff, report_manager_change


async def test_card_from_pending_names_the_submitter(sandbox: Sandbox, clock: FixedClock, alice: Seat) -> None:
    await make_staff(sandbox)
    clock.set(dt.datetime(2026, 10, 9, 7, 30, tzinfo=SHANGHAI))  # 2026-10-08 23:30 UTC: the local day is the 9th
    await report_manager_change(sandbox, alice, "2026-09-29")
    sent = joined(await render_pending(sandbox, STAFF.id))
    assert "提交人：Alice" in sent
    listing = joined(await sandbox.send(STAFF, "/pending"))
    assert "2026年10月9日" in listing, listing
    opened = joined(await sandbox.press(STAFF, "#1"))
    assert "提交人：Alice" in opened, opened
