"""The society's override file (issue 10 section 2): loaded by one command, listed by another, validated like a profile.

A duty, date or change-report limit the regulation does not set is off until the society
turns it on; what it turns on is labelled "society rule" ("学会规定").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.services import FixedClock
from bot.settings import Settings
from conversations.formspec import form_ids
from rules.deadlines import deadline_for, due_items
from rules.policy import PolicyError, apply_override, parse_override, parse_override_text
from rules.profile import load_profile
from storage.db import Database
from storage.models import Submission, SubmissionVersion
from storage.policy import effective_profile, store_override
from testing.client import Sandbox, User, joined
from tests.conftest import SHANGHAI
from tests.forms.conftest import seat
from tests.hardening.support import COMPLETE_2027, run_cli
from tests.helpers import add_station
from tests.outbox.support import add_person
from tests.test_cli import ROOT, stationbot

EXAMPLE = ROOT / "rules" / "overrides" / "wuhan-qis.example.toml"


def test_example_override_turns_on_plan_and_limits_for_wuhan_seed002() -> None:
    """Seed 002 asks only for the 第十六条 report; the example adds plan, summary and limits as society rules."""
    override, _ = parse_override_text(EXAMPLE.read_text(encoding="utf-8"), form_ids(), EXAMPLE.name)
    wuhan = load_profile("wuhan-qis")
    assert [d.id for d in wuhan.duties] == ["efficiency_report"]
    assert deadline_for("manager_change", dt.date(2027, 3, 1), wuhan) is None, "seed 002 sets no change limit"
    run = apply_override(wuhan, override)
    plan = run.submission("plan")
    assert plan is not None and plan.enabled and plan.due is not None and plan.due.source == "society rule"
    assert run.change_kind("manager_change").working_days == 5
    assert run.change_kind("manager_change").source == "society rule"
    assert deadline_for("manager_change", dt.date(2027, 3, 1), run) == dt.date(2027, 3, 8)
    efficiency = run.submission("efficiency_report")
    assert efficiency is not None and efficiency.due is not None
    assert efficiency.due.source.startswith("seed 002 第十六条"), "what the regulation says keeps its article"
    items = {i.key: i for i in due_items(run, dt.date(2027, 2, 1), set())}
    assert items["plan:2027"].source == "society rule" and items["plan:2027"].due_on == dt.date(2027, 2, 28)


@pytest.mark.parametrize(("raw", "message"), [
    ({"profile": "nowhere"}, "profile: expected one of"),
    ({"profile": "wuhan-qis", "duties": [{"id": "plan", "due": {"month": 13, "day": 1}}]},
     "duties[0] (plan).due.month"),
    ({"profile": "wuhan-qis", "duties": [{"id": "midyear"}]}, "a new duty (not declared by wuhan-qis"),
    ({"profile": "wuhan-qis", "duties": [{"id": "midyear", "label": "Mid-year", "form": "nope", "covers": "this_year"}]},
     "duties[0] (midyear).form: expected one of"),
    ({"profile": "wuhan-qis", "duties": [{"id": "plan", "form": "annual_summary"}]}, "give only `due`"),
    ({"profile": "wuhan-qis", "change_limits": [{"kind": "moved_office", "working_days": 5}]},
     "change_limits[0].kind: expected one of"),
    ({"profile": "wuhan-qis", "change_limits": [{"kind": "manager_change", "working_days": 0}]},
     "change_limits[0].working_days"),
    ({"profile": "wuhan-qis", "deadline": "soon"}, "deadline: Extra inputs are not permitted"),
])
def test_invalid_override_is_refused_with_the_key_and_what_was_expected(raw: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]")):
        parse_override(raw, form_ids(), "society.toml")


def test_a_profile_file_cannot_switch_a_society_rule_on() -> None:
    """Profiles say what the regulation says; a duty with source "society rule" must be off there."""
    wuhan = load_profile("wuhan-qis")
    plan = wuhan.submission("plan")
    assert plan is not None
    tampered = wuhan.model_copy(update={"annual_submissions": (plan.model_copy(update={"enabled": True}),)})
    assert any("must be `enabled = false`" in p for p in tampered.regulation_only_problems())
    assert wuhan.regulation_only_problems() == []


@pytest.mark.slow
def test_cli_load_list_invalid_and_remove(tmp_path: Path) -> None:
    """`stationbot policy load` stores the file in the database; `policy list` (another process) shows it."""
    loaded = stationbot(tmp_path, "policy", "load", str(EXAMPLE))
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "loaded wuhan-qis.example.toml for wuhan-qis: 2 duties, 3 change limits" in loaded.stdout
    listed = stationbot(tmp_path, "policy", "list")
    assert listed.returncode == 0, listed.stderr
    assert "wuhan-qis (seed 002) — override wuhan-qis.example.toml loaded" in listed.stdout
    assert "duty on  plan (form annual_plan): due " in listed.stdout and "-02-28 [society rule]" in listed.stdout
    assert "duty on  efficiency_report (form efficiency_report): due " in listed.stdout
    assert "[seed 002 第十六条: 当年10月底前]" in listed.stdout
    assert "change manager_change: 5 working days [society rule]" in listed.stdout
    assert "gd-scst (seed 001) — no override" in listed.stdout and "duty off plan" in listed.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('profile = "wuhan-qis"\n[[change_limits]]\nkind = "manager_change"\nworking_days = 99\n',
                   encoding="utf-8")
    refused = stationbot(tmp_path, "policy", "load", str(bad))
    assert refused.returncode == 2
    assert "error: bad.toml: change_limits[0].working_days: Input should be less than or equal to 60" in refused.stdout
    assert "Traceback" not in refused.stdout + refused.stderr
    removed = stationbot(tmp_path, "policy", "remove", "wuhan-qis")
    assert "removed the override of wuhan-qis" in removed.stdout
    assert "wuhan-qis (seed 002) — no override" in stationbot(tmp_path, "policy", "list").stdout


async def test_a_loaded_override_is_seen_by_the_bot_and_labelled_society_rule(
        sandbox: Sandbox, clock: FixedClock) -> None:
    """wuhan-qis /status: the 第十六条 report only; after the override, the plan too, marked 学会规定."""
    clock.set(dt.datetime(2027, 2, 10, 9, 0, tzinfo=SHANGHAI))
    manager = await seat(sandbox.services.db, User(5300, "武汉站长", "zh-CN"), "武汉某质量服务站", "wuhan-qis")
    before = joined(await sandbox.send(manager.user, "/status"))
    assert "年度服务效能评估报告" in before or "服务效能" in before
    assert "《办法》第十六条" in before
    assert "工作计划" not in before, "seed 002 asks for no plan: not shown, not nagged"
    override, raw = parse_override_text(EXAMPLE.read_text(encoding="utf-8"), form_ids(), EXAMPLE.name)
    async with sandbox.services.db.session() as session:
        await store_override(session, override, raw, file_name=EXAMPLE.name, now=clock())
        await session.commit()
        assert (await effective_profile(session, "wuhan-qis")).submission("plan") is not None
    after = joined(await sandbox.send(manager.user, "/status"))
    assert "工作计划" in after and "（学会规定）" in after and "《办法》第十六条" in after


async def test_holiday_recompute_keeps_a_society_change_limit(settings: Settings, db: Database, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 002 sets no change limit; the society's 5 working days (override) survive a holiday reload.

    Event Monday 2026-12-28 under the example override: counted Monday–Friday, due 2027-01-04 and a
    report on 5 January is 1 day late; with 1 January a holiday the deadline is 5 January: on time.
    """
    override, raw = parse_override_text(EXAMPLE.read_text(encoding="utf-8"), form_ids(), EXAMPLE.name)
    station = await add_station(db, "Wuhan station", "wuhan-qis")
    manager = await add_person(db, 8101, station_id=station.id, language="en")
    assert station.id is not None and manager.id is not None
    async with db.session() as session:
        await store_override(session, override, raw, file_name=EXAMPLE.name, now=dt.datetime(2027, 1, 1, tzinfo=SHANGHAI))
        late = Submission(station_id=station.id, kind="change_report", event_on=dt.date(2026, 12, 28),
                          due_on=dt.date(2027, 1, 4), late_workdays=1,
                          submitted_at=dt.datetime(2027, 1, 5, 10, 0, tzinfo=SHANGHAI))
        session.add(late)
        await session.flush()
        assert late.id is not None
        session.add(SubmissionVersion(submission_id=late.id, version=1, submitted_by_person_id=manager.id,
                                      answers={"kind": "manager_change", "event_date": "2026-12-28"}))
        await session.commit()
        late_id = late.id
    path = tmp_path / "2027.csv"
    path.write_text(COMPLETE_2027, encoding="utf-8")
    code, out = await run_cli(settings, db, capsys, "holidays", "load", str(path))
    assert code == 0, out
    async with db.session() as session:
        fixed = await session.get(Submission, late_id)
    assert fixed is not None and (fixed.due_on, fixed.late_workdays) == (dt.date(2027, 1, 5), 0)
