"""Manager B with forged callback data aimed at station A's drafts and submissions gets nothing of A."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from storage.models import Draft, Person, Submission, SubmissionStatus, SubmissionVersion
from testing.client import Sandbox
from tests.security.support import ALPHA, CONTACT, MANAGER_A, MANAGER_B, seed, snapshot
from tests.security.test_routes_by_role import visible

SECRET = "Alpha kiln secret budget line"


async def test_forged_form_buttons_on_another_stations_draft(sandbox: Sandbox) -> None:
    db = sandbox.services.db
    await seed(db)
    await sandbox.send(MANAGER_A, "/log")
    await sandbox.press(MANAGER_A, "Quality training and consulting")
    await sandbox.send(MANAGER_A, SECRET)
    async with db.session() as session:
        draft = (await session.exec(select(Draft))).one()
    before = await snapshot(db)
    forged = [f"f:{draft.id}:{draft.rev}:c:1", f"f:{draft.id}:{draft.rev}:back", f"f:{draft.id}:{draft.rev}:skip",
              f"f:{draft.id}:{draft.rev}:submit", f"f:{draft.id}:{draft.rev}:e:title", f"fs:c:{draft.id}",
              f"fs:d:{draft.id}:log", f"fs:d:{draft.id}", "f:999:0:c:1"]
    seen = []
    for data in forged:
        calls = await sandbox.press_data(MANAGER_B, data)
        assert calls, f"no answer to {data}"
        seen.append(visible(calls))
    await sandbox.send(MANAGER_B, "/resume")
    seen.append(visible(sandbox.api.calls_to(MANAGER_B.id)))
    everything = "\n".join(seen)
    assert ALPHA not in everything and SECRET not in everything
    assert await snapshot(db) == before, "station A's draft is untouched and nothing was created"


async def test_forged_review_buttons_on_another_stations_submission(sandbox: Sandbox) -> None:
    db = sandbox.services.db
    world = await seed(db)
    async with db.session() as session:
        alice = (await session.exec(select(Person).where(Person.telegram_user_id == MANAGER_A.id))).one()
        sub = Submission(station_id=world.station_a.id, kind="plan", year=2027, status=SubmissionStatus.returned,
                         review_comment="Fix the budget", submitted_at=dt.datetime(2027, 1, 10, tzinfo=dt.UTC))
        session.add(sub)
        await session.flush()
        session.add(SubmissionVersion(submission_id=sub.id, version=1, submitted_by_person_id=alice.id,
                                      answers={"year": 2027, "goals": SECRET}))
        await session.commit()
    before = await snapshot(db)
    seen = []
    for who in (MANAGER_B, CONTACT):
        for data in (f"rv:o:{sub.id}", f"rv:s:{sub.id}", f"rv:a:{sub.id}:1", f"rv:r:{sub.id}:1", "rv:a:1:1"):
            calls = await sandbox.press_data(who, data)
            assert calls, f"no answer to {data}"
            seen.append(visible(calls))
    everything = "\n".join(seen)
    assert ALPHA not in everything and SECRET not in everything
    assert await snapshot(db) == before, "no draft reopened, no review recorded"
    async with db.session() as session:
        assert (await session.get(Submission, sub.id)).status == SubmissionStatus.returned  # type: ignore[union-attr]
