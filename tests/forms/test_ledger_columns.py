"""The ledger's columns are declared in the activity form file (``column = …``) and fill the Activity row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conversations.columns import column_values, declared_columns
from conversations.formspec import FORMS_DIR, FormFileError, load_form, parse_form_file
from rules.profile import all_profiles
from storage.ledger import activity_columns


@pytest.mark.parametrize("profile_id", sorted(all_profiles()))
def test_every_column_the_activity_form_declares_is_a_ledger_column(profile_id: str) -> None:
    form = load_form("activity", profile_id)
    values = activity_columns(form, {})
    assert {"activity_type", "title", "started_on", "ended_on", "participants", "outcomes", "attachments"} <= set(values)


def test_answers_become_typed_column_values() -> None:
    form = load_form("activity", "quzhou")
    values = column_values(form, {"activity_type": "training", "title": "Kiln training", "start_date": "2027-01-20",
                                  "participants": 35, "outcomes": {"patents": 2},
                                  "evidence": {"file_id": "x", "name": "sign-in.pdf"}})
    assert values["started_on"] == dt.date(2027, 1, 20) and values["ended_on"] is None
    assert values["participants"] == 35 and values["outcomes"] == {"patents": 2}
    assert values["attachments"] == [{"file_id": "x", "name": "sign-in.pdf"}]


def test_a_column_the_ledger_lacks_fails_loudly() -> None:
    form = load_form("activity", "quzhou")
    title = form.field("title")
    assert title is not None
    renamed = form.model_copy(update={"fields": tuple(f.model_copy(update={"column": "headline"}) if f is title else f
                                                      for f in form.fields)})
    assert "headline" in declared_columns(renamed)
    with pytest.raises(LookupError, match="headline"):
        activity_columns(renamed, {})


def test_two_fields_filling_one_column_are_refused(tmp_path: Path) -> None:
    text = (FORMS_DIR / "activity.toml").read_text(encoding="utf-8")
    broken = tmp_path / "activity.toml"
    broken.write_text(text.replace('column = "ended_on"', 'column = "started_on"'), encoding="utf-8")
    with pytest.raises(FormFileError, match="columns"):
        parse_form_file(broken)
