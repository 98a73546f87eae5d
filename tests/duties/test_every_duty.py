"""Every yearly duty of every profile, through the real Application (issue 10 section 1).

The table is built from the loaded profiles, so a sixth profile's duties are walked without
editing this file: /status shows the duty with its source and a button that opens THAT duty's
form; the reminder's button (for a dated duty) opens it too; filing it clears the item and
stops the reminders; staff return it (the item is owed again), the manager resubmits, staff
accept. A duty the regulation does not impose is first turned on by a policy override, as a
society would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlmodel import select

from bot.jobs import enqueue_due
from bot.services import FixedClock
from conversations.formspec import form_ids, load_form
from rules.deadlines import _due_date, covered_year
from rules.policy import parse_override
from rules.profile import AnnualSubmission, Profile, all_profiles, source_article
from storage.models import OutboxMessage, Submission, SubmissionStatus, SubmissionVersion
from storage.policy import effective_profile, store_override
from testing.client import Sandbox, User, joined
from testing.outbox_flush import render_pending
from tests.conftest import SHANGHAI, STAFF
from tests.duties.support import fill_and_submit
from tests.forms.conftest import seat

CASES = [(profile.id, spec.id) for profile in all_profiles().values() for spec in profile.annual_submissions]


def test_the_table_covers_every_declared_duty() -> None:
    """Seed 000 第十二条, 002 第十六条, 003 四（三）3, 004 第十二条, plus the declared society-rule duties."""
    assert len(CASES) == sum(len(p.annual_submissions) for p in all_profiles().values()) >= 10
    assert ("wuhan-qis", "efficiency_report") in CASES and ("guiyang-kczg", "self_check") in CASES


async def turn_on(box: Sandbox, profile: Profile, spec: AnnualSubmission) -> Profile:
    """A society switches on a duty its regulation does not impose (before March, as its own rule)."""
    raw = {"profile": profile.id, "duties": [{"id": spec.id, "due": {"month": 3, "day": 1, "exclusive": True}}]}
    override = parse_override(raw, form_ids())
    async with box.services.db.session() as session:
        await store_override(session, override, raw, file_name="test.toml", now=box.services.now())
        await session.commit()
        return await effective_profile(session, profile.id)


def message_with(box: Sandbox, user: User, text: str) -> dict[str, Any]:
    """The chat message showing exactly ``text`` (to press a button on that message, not the newest one)."""
    return next(m for (chat, _), m in box.api.messages.items() if chat == user.id and m.get("text") == text)


async def reminder_rows(box: Sandbox, kind: str) -> list[str]:
    async with box.services.db.session() as session:
        keys = (await session.exec(select(OutboxMessage.idempotency_key))).all()
    return sorted(k for k in keys if k.startswith(f"{kind}-due:"))


@pytest.mark.parametrize(("profile_id", "duty_id"), CASES)
async def test_every_duty_opens_its_own_form_from_status_and_reminder_is_filed_and_reviewed(
        sandbox: Sandbox, clock: FixedClock, profile_id: str, duty_id: str) -> None:
    manager = await seat(sandbox.services.db, User(5100, "Duty", "en"), f"{profile_id} duty station", profile_id)
    await sandbox.send(STAFF, "/start")
    profile = all_profiles()[profile_id]
    spec = profile.submission(duty_id)
    assert spec is not None
    if not spec.enabled:
        profile = await turn_on(sandbox, profile, spec)
        spec = profile.submission(duty_id)
        assert spec is not None and spec.enabled
    due = _due_date(spec, 2027)
    clock.set(dt.datetime.combine(due + dt.timedelta(days=8) if due else dt.date(2027, 6, 1), dt.time(10, 0),
                                  tzinfo=SHANGHAI))
    year = covered_year(spec, 2027)
    form = load_form(spec.form, profile_id)
    first_question = form.fields[0].label

    # /status names the duty with where its date (or, undated, the duty) comes from, and its button opens its form.
    status = joined(await sandbox.send(manager.user, "/status"))
    assert spec.label in status
    source = spec.due.source if spec.due else spec.source
    cited = source_article(source)
    shown = f"({profile.regulation.name} {cited[1]})" if cited else "(society rule)"
    assert status.split(spec.label, 1)[1].split("\n", 1)[0].endswith(shown), status
    opened = joined(await sandbox.press(manager.user, spec.label))
    assert first_question in opened, f"/status's button must open {spec.form}"

    if due is not None:
        # The reminder (overdue since 8 days) carries the date's source and opens the same form.
        await enqueue_due(sandbox.services.db, clock())
        calls = await render_pending(sandbox, manager.user.id)
        ours = [c for c in calls if f"{year}" in c.text and "overdue by 8 days" in c.text
                and any(b.get("callback_data") == f"du:{spec.id}" for b in c.buttons())]
        assert len(ours) == 1, [c.text for c in calls]
        reminder = ours[0].text
        assert "Reminder for" in reminder
        assert shown in reminder
        message = message_with(sandbox, manager.user, reminder)
        again = joined(await sandbox.press(manager.user, "Open the form", message))
        assert first_question in again, f"the reminder's button must open {spec.form}"
        sent_before = await reminder_rows(sandbox, spec.id)

    done = await fill_and_submit(sandbox, manager.user, spec.form, profile, year)
    assert "Submitted" in done
    assert f"✅ {spec.label}: submitted" in joined(await sandbox.send(manager.user, "/status"))
    if due is not None:
        clock.advance(days=7)
        await enqueue_due(sandbox.services.db, clock())
        assert await reminder_rows(sandbox, spec.id) == sent_before, "filed: no more reminders"

    # Staff return it: the item is owed again; the manager reopens and resubmits; staff accept.
    card = joined(await render_pending(sandbox, STAFF.id))
    assert "Answer for" in card or str(year) in card
    await sandbox.press(STAFF, "↩️ 退回并附意见")
    assert "已附意见退回" in joined(await sandbox.send(STAFF, "请补充盖章页。"))
    assert f"✅ {spec.label}: submitted" not in joined(await sandbox.send(manager.user, "/status"))
    notice = joined(await render_pending(sandbox, manager.user.id))
    assert "returned for changes" in notice and "请补充盖章页" in notice
    await sandbox.press(manager.user, "✏️ Reopen and edit")
    assert "Submitted" in joined(await sandbox.press(manager.user, "Submit"))
    await render_pending(sandbox, STAFF.id)
    await sandbox.press(STAFF, "✅ 通过")
    assert f"✅ {spec.label}: submitted" in joined(await sandbox.send(manager.user, "/status"))
    async with sandbox.services.db.session() as session:
        submission = (await session.exec(select(Submission))).one()
        versions = (await session.exec(select(SubmissionVersion))).all()
    assert (submission.kind, submission.year, submission.status, submission.current_version) == (
        spec.id, year, SubmissionStatus.accepted, 2)
    assert submission.due_on == due
    assert all(v.answers.get("attachments") for v in versions), "the signed document is attached"
