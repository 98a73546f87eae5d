"""Counting as the seeds count, through /log and /status: distinct needs, people and enterprises.

Seed 003 三（三）7 ("服务的技术需求 N 项", "进站专家 N 人（其中省外专家 N 人）"), seed 004's table
(在站时间: the average yearly days per expert) and seed 002's annex (200 家, 500 家次).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.services import FixedClock
from storage.models import Activity, ActivityExpert, AuditLog, Expert, Need, Society, Station
from testing.client import Sandbox, User, joined
from tests.conftest import SHANGHAI
from tests.forms.conftest import Seat, seat

FIRST_UNIT = "Guiyang Example Aluminium Co., Ltd."


async def at_level(box: Sandbox, who: Seat, level: str) -> None:
    async with box.services.db.session() as session:
        society = Society(name=f"Society of {who.station.name}", level=level)
        session.add(society)
        await session.flush()
        station = await session.get(Station, who.station.id)
        assert station is not None
        station.society_id = society.id
        await session.commit()


async def log_first(box: Sandbox, who: Seat, kind: str, unit: str, need: str, expert: str, title: str,
                    outside: bool | None, days: int, participants: int = 12) -> str:
    """A service for a new unit with a new need and a new roster expert; returns the confirmation."""
    await box.send(who.user, "/log")
    await box.press(who.user, kind)
    await box.send(who.user, "First service")
    await box.send(who.user, "2027-02-03")
    await box.press(who.user, "Skip")
    await box.press(who.user, "➕ Add a new one")
    await box.send(who.user, unit)
    await box.press(who.user, "Skip")
    await box.send(who.user, "Wang Wu")
    await box.send(who.user, "13800138000")
    await box.send(who.user, need)
    await box.press(who.user, "➕ Add experts to the roster")
    await box.press(who.user, "Confirm")
    await box.send(who.user, expert)
    await box.send(who.user, title)
    if outside is not None:
        await box.press(who.user, "Yes" if outside else "No")
    await box.press(who.user, "Done")
    await box.send(who.user, str(days))
    await box.send(who.user, str(participants))
    await box.press(who.user, "None of these (all 0)")
    await box.press(who.user, "Skip")
    return joined(await box.press(who.user, "Submit"))


async def log_again(box: Sandbox, who: Seat, kind: str, unit: str, need: str | None, experts: list[str],
                    days: int, participants: int = 12, new_need: str | None = None) -> str:
    """A further service: a listed unit, a listed need (or ``new_need``), roster experts picked by name."""
    await box.send(who.user, "/log")
    await box.press(who.user, kind)
    await box.send(who.user, "Follow-up service")
    await box.send(who.user, "2027-02-10")
    await box.press(who.user, "Skip")
    await box.press(who.user, unit)
    if need is not None:
        await box.press(who.user, need)
    else:
        await box.press(who.user, "➕ A new need")
        await box.send(who.user, new_need or "Another need")
    for name in experts:
        await box.press(who.user, name)
    if experts:
        await box.press(who.user, "Confirm")
        await box.send(who.user, str(days))
    else:
        await box.press(who.user, "Skip")
    await box.send(who.user, str(participants))
    await box.press(who.user, "None of these (all 0)")
    await box.press(who.user, "Skip")
    return joined(await box.press(who.user, "Submit"))


async def test_guiyang_needs_counted_distinct_seed003_3_3_7(sandbox: Sandbox, clock: FixedClock) -> None:
    """Seed 003 三（三）7 "每年服务的技术需求不少于10项": ten activities for one need are one need."""
    clock.set(dt.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5101, "Wang", "en"), "Guiyang Aluminium Workstation",
                         "guiyang-kczg")
    await at_level(sandbox, manager, "national")
    done = await log_first(sandbox, manager, "Tackling technical problems", FIRST_UNIT, "Cut electrolysis energy use",
                           "Chen Yi", "Professor, metallurgy", outside=False, days=2)
    assert "Recorded in the station ledger" in done
    for _ in range(9):
        again = await log_again(sandbox, manager, "Tackling technical problems", FIRST_UNIT,
                                "Cut electrolysis energy use", ["Chen Yi"], days=1)
        assert "Recorded in the station ledger" in again
    status = joined(await sandbox.send(manager.user, "/status"))
    assert "Tackling technical problems: 10" in status, "ten activities in the ledger"
    assert "Technical needs served: 1 of 10" in status, "ten activities for one need show 1, not 10"
    assert "Experts who served the station: 1 of 10" in status
    await log_again(sandbox, manager, "Tackling technical problems", FIRST_UNIT, None, [], days=0,
                    new_need="Recycle the red mud")
    status = joined(await sandbox.send(manager.user, "/status"))
    assert "Technical needs served: 2 of 10" in status, "a new need of the same unit is a second need"
    async with sandbox.services.db.session() as session:
        needs = (await session.exec(select(Need))).all()
        activities = (await session.exec(select(Activity))).all()
    assert sorted(n.title for n in needs) == ["Cut electrolysis energy use", "Recycle the red mud"]
    assert len(activities) == 11 and len({a.need_id for a in activities}) == 2


async def test_guiyang_outside_expert_counted_once_seed003_3_3_7(sandbox: Sandbox, clock: FixedClock) -> None:
    """Seed 003 三（三）7 "进站专家人数不少于10人（其中省外专家不少于5人）": people, not visits."""
    clock.set(dt.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5102, "Li", "en"), "Guiyang Seeds Workstation", "guiyang-kczg")
    await at_level(sandbox, manager, "national")
    await log_first(sandbox, manager, "Technology promotion", FIRST_UNIT, "Drought-resistant maize",
                    "Zhao Liu", "Researcher, crop breeding", outside=True, days=3)
    for _ in range(4):
        await log_again(sandbox, manager, "Technology promotion", FIRST_UNIT, "Drought-resistant maize",
                        ["Zhao Liu"], days=3)
    status = joined(await sandbox.send(manager.user, "/status"))
    assert "Experts from outside the province: 1 of 5" in status, "one outside expert visiting five times is 1"
    assert "Experts who served the station: 1 of 10" in status
    async with sandbox.services.db.session() as session:
        roster = (await session.exec(select(Expert))).all()
        links = (await session.exec(select(ActivityExpert))).all()
    assert [(e.name, e.title, e.outside_province) for e in roster] == [("Zhao Liu", "Researcher, crop breeding", True)]
    assert len(links) == 5 and {link.days for link in links} == {3}


async def test_roster_expert_added_twice_by_name_is_one_person_seed003_3_3_7(sandbox: Sandbox,
                                                                               clock: FixedClock) -> None:
    """Typing an expert already on the roster as "new" again does not make a second person."""
    clock.set(dt.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5103, "Zhou", "en"), "Guiyang Food Workstation", "guiyang-kczg")
    for _ in range(2):
        await log_first(sandbox, manager, "Product development", f"Unit {_}", "New sauce line", "Sun Qi",
                        "Food engineer", outside=False, days=1)
    async with sandbox.services.db.session() as session:
        roster = (await session.exec(select(Expert))).all()
    assert [e.name for e in roster] == ["Sun Qi"]
    status = joined(await sandbox.send(manager.user, "/status"))
    assert "Experts who served the station: 1 of 5" in status and "Technical needs served: 2 of 5" in status


async def test_wuhan_visits_counter_is_the_form_question_seed002_annex(sandbox: Sandbox, clock: FixedClock) -> None:
    """Seed 002 annex 经济效益 "全年服务企业数量达500家次以上": the 家次 the form asks is what the target reads;
    "为200家以上企业提供质量技术培训服务" counts enterprises, not trainings."""
    clock.set(dt.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5104, "Wu", "en"), "Wuhan Quality Station", "wuhan-qis")
    first = await log_first(sandbox, manager, "Quality technical training", "Wuhan Optics Co.", "ISO 9001 training",
                            "Qian Ba", "Quality engineer", outside=None, days=1, participants=120)
    assert "Recorded in the station ledger" in first
    await log_again(sandbox, manager, "Quality technical training", "Wuhan Optics Co.", "ISO 9001 training",
                    ["Qian Ba"], days=1, participants=30)
    status = joined(await sandbox.send(manager.user, "/status"))
    assert "Enterprise-visits served (家次): 150 of 500" in status, "120 + 30 家次 from the form's question"
    assert "Enterprises trained: 1 of 200" in status, "two trainings of one enterprise: one enterprise"


async def test_manager_corrects_outside_province_on_the_roster_seed003_3_3_7(sandbox: Sandbox,
                                                                             clock: FixedClock) -> None:
    """/experts: the manager sets "outside the province" (migrated names did not say it); the count follows,
    the change is audited, and another station's expert cannot be switched with forged data."""
    clock.set(dt.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5105, "Roster", "en"), "Guiyang Roster Workstation", "guiyang-kczg")
    other = await seat(sandbox.services.db, User(5106, "Other", "en"), "Guiyang Other Workstation", "guiyang-kczg")
    await at_level(sandbox, manager, "national")
    empty = joined(await sandbox.send(manager.user, "/experts"))
    assert "No experts on the roster yet" in empty
    await log_first(sandbox, manager, "Tackling technical problems", FIRST_UNIT, "Anode life", "Zhou Jiu",
                    "Professor", outside=False, days=2)
    listed = joined(await sandbox.send(manager.user, "/experts"))
    assert "1. Zhou Jiu (Professor) — from the province" in listed
    assert "Experts from outside the province: 0 of 5" in joined(await sandbox.send(manager.user, "/status"))
    switched = joined(await sandbox.press(manager.user, "Zhou Jiu: from the province"))
    assert "1. Zhou Jiu (Professor) — 🌏 outside the province" in switched
    assert "Experts from outside the province: 1 of 5" in joined(await sandbox.send(manager.user, "/status"))
    async with sandbox.services.db.session() as session:
        expert = (await session.exec(select(Expert))).one()
        audit = (await session.exec(select(AuditLog).where(AuditLog.action == "expert_outside_set"))).all()
    assert expert.outside_province and [a.subject for a in audit] == [f"expert:{expert.id}"]
    forged = joined(await sandbox.press_data(other.user, f"ex:o:{expert.id}"))
    assert "not on your station's roster" in forged
    async with sandbox.services.db.session() as session:
        assert (await session.get(Expert, expert.id)).outside_province is True  # type: ignore[union-attr]
