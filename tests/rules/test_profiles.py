"""Every policy profile loads and is validated; a malformed one names the file, the key and what was expected."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from rules.profile import ProfileError, all_profiles, load_profile, load_profile_file

PROFILE_IDS = ("gd-quality", "gd-scst", "wuhan-qis", "guiyang-kczg", "quzhou")
FORM_CHANGE_KINDS = {"manager_change", "liaison_change", "host_rename", "equity_change", "address_change",
                     "phone_change"}


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_profile_loads_with_its_catalogues(profile_id: str) -> None:
    profile = load_profile(profile_id)
    assert profile.activity_types and profile.station_types and profile.outcome_fields
    assert FORM_CHANGE_KINDS <= {k.id for k in profile.change_kinds}, "the change-report form's relevant conditions name these"
    assert {d.id for d in profile.rating.dimensions} == {"venue", "response", "expertise", "integrity", "expectations"}
    assert profile.annual_submissions


CHANGE_FORM = Path(__file__).resolve().parents[2] / "conversations" / "forms" / "change_report.toml"


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_change_kinds_ask_for_fields_the_change_form_has(profile_id: str) -> None:
    form_fields = {f["name"] for f in tomllib.loads(CHANGE_FORM.read_text(encoding="utf-8"))["fields"]}
    for kind in load_profile(profile_id).change_kinds:
        assert kind.fields and set(kind.fields) <= form_fields, kind.id
        assert kind.source.startswith(("seed", "society rule")), kind.id
        if kind.working_days is not None:
            # Only seed 000 第十八条 (personnel, 5) and 第十九条 (host unit, 10) set limits; others come from overrides.
            assert kind.source.startswith("seed 000 第十八条" if kind.category == "personnel" else "seed 000 第十九条")
            assert (kind.category, kind.working_days) in {("personnel", 5), ("host_unit", 10)}


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_every_number_says_where_it_comes_from(profile_id: str) -> None:
    profile = load_profile(profile_id)
    assert all(s.source.startswith(("seed", "society rule")) for s in profile.annual_submissions)
    assert all(s.due.source.startswith("seed") for s in profile.annual_submissions if s.due is not None)
    assert all(m.source.startswith(("seed", "default")) for m in profile.yearly_minimums)
    assert profile.rating.source.startswith(("seed", "default"))
    for key in ("manager_certificate_years", "agreement_min_years", "subsidy_yuan"):
        if getattr(profile, key):
            assert key in profile.sources, key


def test_quzhou_table_adds_up_to_100() -> None:
    scoring = load_profile("quzhou").scoring
    assert scoring is not None
    assert {g.id: g.points for g in scoring.groups} == {"building": 35, "operation": 45, "output": 20}
    for group in scoring.groups:
        assert sum(i.max_points or 0 for i in scoring.items if i.group == group.id) == group.points, group.id
    assert {i.id for i in scoring.items if not i.capped} == {"commercialised", "problems", "awards", "media"}


def test_wuhan_rubric_groups() -> None:
    scoring = load_profile("wuhan-qis").scoring
    assert scoring is not None and scoring.kind == "counters"
    assert [g.points for g in scoring.groups] == [20, 30, 20, 30]
    assert {i.id: i.target for i in scoring.items}["enterprises_trained"] == 200


def test_guiyang_yearly_evaluation_questions() -> None:
    evaluation = load_profile("guiyang-kczg").rating.yearly_evaluation
    assert evaluation.enabled
    assert [(q.id, q.kind) for q in evaluation.questions] == [
        ("overall", "scale"), ("achievements", "text"), ("continue", "yes_no"), ("comment", "text")]
    assert not load_profile("quzhou").rating.yearly_evaluation.enabled


def test_other_facts() -> None:
    assert load_profile("guiyang-kczg").reminders.progress_note_dates == ("07-01", "10-01")
    assert load_profile("quzhou").reminders.no_progress_months == 9
    assert load_profile("quzhou").subsidy_yuan == {"national": 500000, "provincial": 250000}
    assert load_profile("guiyang-kczg").subsidy_yuan["national"] == 100000
    assert load_profile("gd-quality").reminders.annual_days_before == (30, 14, 7, 1)
    assert len(load_profile("gd-scst").activity_types) == 8
    assert len(load_profile("wuhan-qis").activity_types) == 11, "seed 002 第九条 ten kinds + the annex's training"
    assert len(load_profile("guiyang-kczg").activity_types) == 7
    assert len(load_profile("quzhou").activity_types) == 6
    assert len(load_profile("gd-quality").activity_types) == 9


def test_all_five_regulations_are_present() -> None:
    assert set(all_profiles()) == set(PROFILE_IDS)


def test_seed_numbers() -> None:
    gd = load_profile("gd-quality")
    assert gd.change_kind("manager_change").working_days == 5
    assert gd.change_kind("host_rename").working_days == 10
    assert gd.manager_certificate_years == 3
    wuhan = load_profile("wuhan-qis")
    assert wuhan.rating.target == 80
    assert {m.id: m.minimum for m in wuhan.yearly_minimums}["enterprise_visits"] == 500
    guiyang = load_profile("guiyang-kczg")
    needs = next(m for m in guiyang.yearly_minimums if m.id == "needs_served")
    assert (needs.required("national"), needs.required("provincial"), needs.required("municipal")) == (10, 5, 3)
    assert guiyang.rating.yearly_evaluation.enabled
    assert [p.id for p in guiyang.phases] == ["preparation", "delivery", "summary", "evaluation"]
    assert len(guiyang.budget_categories) == 10
    quzhou = load_profile("quzhou")
    assert quzhou.scoring is not None and quzhou.scoring.pass_mark == 60


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda t: t.replace('working_days = 5', 'working_days = "five"', 1), "change_kinds[0] (manager_change).working_days"),
    (lambda t: t.replace('id = "gd-quality"', 'id = "gd-quality"\nunknown_key = 1', 1), "unknown_key"),
    (lambda t: t.replace('covers = "this_year"', 'covers = "someday"', 1), "annual_submissions[0] (plan).covers"),
    (lambda t: t + "\n[[activity_types]]\nid = \"training\"\nlabel = \"Again\"\n", "duplicate ids: training"),
    (lambda t: t.replace("[reminders]", "[reminders\n", 1), "not valid TOML"),
    (lambda t: t + '\n[[yearly_minimums]]\nid = "x"\nlabel = "X"\nmetric = "outcome:reports_writen"\nminimum = 1\n'
                   'source = "default"\n', "yearly_minimums (x).metric: outcome ids not in this profile: reports_writen"),
    (lambda t: t.replace("sources = { ", 'sources = { bogus = "x", ', 1), "`sources` names unknown keys: bogus"),
    (lambda t: t.replace('category = "personnel"', 'category = "staff"', 1), "change_kinds[0] (manager_change).category"),
])
def test_malformed_profile_names_file_key_and_expectation(tmp_path: Path, edit, expected: str) -> None:  # type: ignore[no-untyped-def]
    source = Path(__file__).resolve().parents[2] / "rules" / "profiles" / "gd-quality.toml"
    broken = tmp_path / "gd-quality.toml"
    broken.write_text(edit(source.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ProfileError) as error:
        load_profile_file(broken)
    assert "gd-quality.toml" in str(error.value) and expected in str(error.value)


def test_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="known: gd-quality"):
        load_profile("shenzhen")


def test_a_broken_profile_stops_the_bot_at_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.app import build_application
    from bot.settings import Settings
    from rules import profile as profile_module

    (tmp_path / "quzhou.toml").write_text('id = "quzhou"\nlabel = 3\n', encoding="utf-8")
    monkeypatch.setattr(profile_module, "PROFILES_DIR", tmp_path)
    profile_module.all_profiles.cache_clear()
    try:
        with pytest.raises(ProfileError, match=r"quzhou\.toml: label"):
            build_application(Settings(_env_file=None, telegram_bot_token="1:X"))
    finally:
        profile_module.all_profiles.cache_clear()
