"""A draft started on an older version of its form keeps what still fits and says so (``form_version``)."""

from __future__ import annotations

from sqlmodel import select

from conversations.engine import DraftState, handle, resume
from conversations.formspec import load_form
from conversations.types import TextInput
from locales import translator
from storage.models import Draft
from testing.client import Sandbox, joined
from tests.conversations.support import ctx_for
from tests.forms.conftest import Seat


async def test_an_old_version_draft_keeps_its_answers_and_the_manager_is_told(sandbox: Sandbox, alice: Seat) -> None:
    await sandbox.send(alice.user, "/log")
    await sandbox.press(alice.user, "Quality training and consulting")
    await sandbox.send(alice.user, "Training for ceramics firms")
    async with sandbox.services.db.session() as session:
        draft = (await session.exec(select(Draft))).one()
        current = int(draft.state["form_version"])
        # As if started before the form changed: an older version, and an answer the form no longer asks.
        draft.state = {**draft.state, "form_version": current - 1,
                       "answers": {**draft.state["answers"], "venue": "Foshan"}}
        session.add(draft)
        await session.commit()
    reply = joined(await sandbox.send(alice.user, "2027-01-20"))
    assert "This form was updated since you started it" in reply
    assert "except 1 that the new version no longer asks" in reply
    async with sandbox.services.db.session() as session:
        after = (await session.exec(select(Draft))).one()
    assert after.state["form_version"] == current
    assert after.state["answers"]["title"] == "Training for ceramics firms"
    assert after.state["answers"]["start_date"] == "2027-01-20", "the typed answer was taken, not lost"
    assert "venue" not in after.state["answers"]
    again = joined(await sandbox.send(alice.user, "/resume"))
    assert "This form was updated" not in again, "said once, then the draft is on the current version"


def test_an_answer_of_the_wrong_shape_is_set_aside_and_a_removed_step_moves_on() -> None:
    form = load_form("activity", "gd-quality")
    old = DraftState("activity", form.version - 1, 7, rev=3, step="room_number",
                     answers={"activity_type": "training", "title": "Kiln training", "participants": "thirty"})
    out = resume(form, old, ctx_for("gd-quality"))
    assert out.draft is not None
    assert out.draft.answers == {"activity_type": "training", "title": "Kiln training"}
    assert out.draft.step == "start_date" and out.draft.rev == 4, "old buttons answer 'moved on'"
    shown = [r.text.render(translator("en")) for r in out.replies]
    assert "except 1" in shown[0]


def test_a_draft_on_the_current_version_is_untouched() -> None:
    form = load_form("activity", "gd-quality")
    draft = DraftState("activity", form.version, 7, rev=3, step="title", answers={"activity_type": "training"})
    out = handle(form, draft, TextInput("Kiln training"), ctx_for("gd-quality"))
    shown = " ".join(r.text.render(translator("en")) for r in out.replies)
    assert "updated since you started" not in shown
    assert out.draft is not None and out.draft.answers["title"] == "Kiln training"
