"""Every policy profile loads and is validated; a malformed one names the file, the key and what was expected."""

from __future__ import annotations

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
        with pytest.raises(ProfileError, match="quzhou.toml: label"):
            build_application(Settings(_env_file=None, telegram_bot_token="1:X"))
    finally:
        profile_module.all_profiles.cache_clear()
