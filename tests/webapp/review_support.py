"""A change report filed through the real chat, for the console's review tests (webapp and browser)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import col, select

from bot.services import FixedClock
from storage.models import Submission
from testing.client import Sandbox, User, joined
from tests.conftest import SHANGHAI

APPOINTMENT = b"%PDF-1.4 appointment letter of the new manager"


async def file_change_report(box: Sandbox, clock: FixedClock, user: User, new_manager: str = "Zhang San") -> Submission:
    """seed 000 第十八条 (a manager change is reported within 5 working days): reported on time, with a file."""
    clock.set(dt.datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI))
    await box.send(user, "/report")
    await box.press(user, "Manager change")
    await box.send(user, "2026-09-29")
    await box.send(user, new_manager)
    await box.send(user, "Technology department, deputy director")
    await box.send(user, "13912345678")
    await box.press(user, "Skip")
    await box.send(user, "The previous manager retired.")
    await box.send_document(user, "appointment.pdf", data=APPOINTMENT)
    await box.press(user, "Done")
    done = joined(await box.press(user, "Submit"))
    assert "Submitted" in done, done
    await box.services.background.idle()  # the paper document, rendered after the commit
    async with box.services.db.session() as session:
        found = (await session.exec(select(Submission).order_by(col(Submission.id).desc()))).first()
    assert found is not None
    return found


async def resubmit_with_new_name(box: Sandbox, user: User, new_name: str) -> None:
    """The manager reopens the returned report, changes one answer and submits version 2."""
    await box.press(user, "✏️ Reopen and edit")
    await box.press(user, "✏️ Name of the new person")
    await box.send(user, new_name)
    again = joined(await box.press(user, "Submit"))
    assert "version 2" in again, again
    await box.services.background.idle()
