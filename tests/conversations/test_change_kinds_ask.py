"""The change report asks, for each kind of change, the fields the profile lists for it (``ChangeKind.fields``).

The form file names no kind ids: which questions follow "new manager" is each profile's data, so a profile
that lists other fields for a kind changes the questions without touching the form.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.formspec import (
    FORMS_DIR,
    FormFileError,
    apply_variant,
    ask_as_profile_lists,
    load_form,
    parse_form_file,
    relevant_fields,
)
from rules.profile import all_profiles, load_profile

ASKED = {"new_person_name", "new_person_position", "new_person_phone", "new_host_name", "new_credit_code",
         "new_address", "new_phone"}


@pytest.mark.parametrize("profile_id", sorted(all_profiles()))
def test_each_kind_asks_the_fields_its_profile_lists(profile_id: str) -> None:
    form = load_form("change_report", profile_id)
    marked = {f.name for f in form.fields if f.asked_by == "kind"}
    assert marked == ASKED
    for kind in load_profile(profile_id).change_kinds:
        asked = {f.name for f in relevant_fields(form, {"kind": kind.id})} & marked
        assert asked == set(kind.fields) & marked, kind.id


def test_manager_change_seed000_article18_asks_the_new_person_not_the_address() -> None:
    """Seed 000 第十八条: a change of manager is reported with the new person's details."""
    form = load_form("change_report", "gd-quality")
    asked = {f.name for f in relevant_fields(form, {"kind": "manager_change"})}
    assert {"new_person_name", "new_person_position", "new_person_phone"} <= asked
    assert not asked & {"new_host_name", "new_address", "new_phone"}


def test_a_profile_listing_other_fields_changes_the_questions() -> None:
    profile = load_profile("quzhou")
    kinds = tuple(k.model_copy(update={"fields": ("new_address", "new_phone")}) if k.id == "address_change" else k
                  for k in profile.change_kinds)
    changed = profile.model_copy(update={"change_kinds": kinds})
    form = ask_as_profile_lists(apply_variant(parse_form_file(FORMS_DIR / "change_report.toml"), "quzhou"), changed)
    asked = {f.name for f in relevant_fields(form, {"kind": "address_change"})}
    assert {"new_address", "new_phone"} <= asked


def test_a_kind_naming_a_field_the_form_lacks_is_refused() -> None:
    profile = load_profile("quzhou")
    kinds = tuple(k.model_copy(update={"fields": ("new_fax",)}) if k.id == "phone_change" else k
                  for k in profile.change_kinds)
    broken = profile.model_copy(update={"change_kinds": kinds})
    with pytest.raises(ValueError, match="new_fax"):
        ask_as_profile_lists(apply_variant(parse_form_file(FORMS_DIR / "change_report.toml"), "quzhou"), broken)


def test_asked_by_must_name_a_catalogue_choice(tmp_path: Path) -> None:
    text = (FORMS_DIR / "change_report.toml").read_text(encoding="utf-8")
    broken = tmp_path / "change_report.toml"
    broken.write_text(text.replace('\nasked_by = "kind"', '\nasked_by = "event_date"', 1), encoding="utf-8")
    with pytest.raises(FormFileError, match="asked_by must name a choice field"):
        parse_form_file(broken)
