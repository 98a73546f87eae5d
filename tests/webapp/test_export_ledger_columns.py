"""The export's ledger sheet takes its columns from the activity form's declarations (issue 15).

A column declared in ``conversations/forms/activity.toml`` (``column = …``) appears in the workbook
titled by the form (``column_label``, else the label) in the reader's language, with the stored values
in its cells; nothing in the export's code names it.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

import conversations.formspec as formspec
from bot.exports import export_year
from conversations.columns import declared_columns
from conversations.formspec import load_form
from locales import T, render, translator
from rules.profile import load_profile
from storage.db import Database
from storage.models import Activity, Need
from tests.conftest import SHANGHAI
from tests.webapp.seed import QUZHOU_NAME, WUHAN_NAME, seed


@pytest.fixture
def forms_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the form files the test may edit; the loader reads it instead of the shipped ones."""
    folder = tmp_path / "forms"
    shutil.copytree(formspec.FORMS_DIR, folder)
    monkeypatch.setattr(formspec, "FORMS_DIR", folder)
    load_form.cache_clear()
    yield folder
    load_form.cache_clear()


def _sheet(content: bytes, name: str) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(r) for r in book[name].iter_rows(values_only=True)]


def _expected_headers(language: str) -> list[str]:
    """Titles of the declared columns in form order (quzhou's form first); a counters column gives one per
    item id of every profile, in its place."""
    tr = translator(language)
    forms = {p: declared_columns(load_form("activity", p)) for p in ("quzhou", "wuhan-qis")}
    headers: list[str] = []
    for column in dict.fromkeys([*forms["quzhou"], *forms["wuhan-qis"]]):
        specs = [(p, form[column]) for p, form in forms.items() if column in form]
        if specs[0][1].type == "counters":  # one column per item id, titled as the first profile words it
            items: dict[str, str] = {}
            for p, spec in specs:
                for item in getattr(load_profile(p), spec.choices_from or ""):
                    items.setdefault(item.id, render(T(item.label), tr))
            headers += list(items.values())
        else:
            headers.append(render(T(specs[0][1].column_label or specs[0][1].label), tr))
    return headers


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
async def test_every_declared_column_is_a_header_in_form_order_with_its_values(db: Database, language: str) -> None:
    seeded = await seed(db, activities=2)
    async with db.session() as session:
        first = await session.get(Activity, seeded.first_activity_id)
        assert first is not None
        first.ended_on = dt.date(2027, 1, 12)
        first.attachments = [{"file_id": "a", "name": "签到表.pdf"}, {"file_id": "b", "name": "照片.jpg"}]
        session.add(first)
        await session.commit()
    async with db.session() as session:
        content = await export_year(session, 2027, translator(language), tz=SHANGHAI)
    ledger = _sheet(content, {"zh_Hans": "工作台帐", "en": "Ledger"}[language])
    header = ledger[0]
    declared = _expected_headers(language)
    assert header[2:2 + len(declared)] == declared, "declared columns, in the form's order, after ID and station"
    row = {title: value for title, value in zip(header, next(r for r in ledger[1:] if r[0] == first.id), strict=True)}
    tr = translator(language)
    quzhou = load_profile("quzhou")
    tackling = next(a for a in quzhou.activity_types if a.id == "tackling")
    solved = next(o for o in quzhou.outcome_fields if o.id == "problems_solved")
    form = declared_columns(load_form("activity", "quzhou"))

    def title(column: str) -> str:
        spec = form[column]
        return render(T(spec.column_label or spec.label), tr)

    assert row[title("activity_type")] == render(T(tackling.label), tr)  # the label, not the id
    assert row[title("title")] == "技术攻关 1"
    assert row[title("started_on")] == dt.datetime(2027, 1, 10) and row[title("ended_on")] == dt.datetime(2027, 1, 12)
    assert row[title("participants")] == 10
    assert row[title("attachments")] == 2  # the number of files
    assert row[render(T(solved.label), tr)] == 2
    wuhan = next(r for r in ledger[1:] if r[1] == WUHAN_NAME)
    assert wuhan[header.index(title("participants"))] == 40
    assert row[header[1]] == QUZHOU_NAME


async def test_a_column_declared_in_the_form_appears_with_no_code_change(db: Database, forms_copy: Path) -> None:
    """Declare one more ledger column in the form file, first: the sheet has it first, with the stored values."""
    activity = forms_copy / "activity.toml"
    first_field = '[[fields]]\nname = "activity_type"'
    new_field = ('[[fields]]\nname = "need_number"\ntype = "integer"\nrequired = false\ncolumn = "need_id"\n'
                 'label = "Which need was it (its number)?"\n\n')
    text = activity.read_text(encoding="utf-8")
    assert first_field in text
    activity.write_text(text.replace(first_field, new_field + first_field, 1), encoding="utf-8")
    load_form.cache_clear()
    assert next(iter(declared_columns(load_form("activity", "quzhou")))) == "need_id"
    seeded = await seed(db, activities=1)
    async with db.session() as session:
        row = (await session.exec(select(Activity).where(Activity.id == seeded.first_activity_id))).one()
        assert row.demand_unit_id is not None
        need = Need(station_id=seeded.quzhou_id, demand_unit_id=row.demand_unit_id, title="降低废品率")
        session.add(need)
        await session.flush()
        row.need_id = need.id
        session.add(row)
        await session.commit()
        need_id = need.id
    async with db.session() as session:
        content = await export_year(session, 2027, translator("en"), tz=SHANGHAI)
    ledger = _sheet(content, "Ledger")
    # An untranslated label shows as written (the English msgid); it is the first declared column.
    assert ledger[0][2] == "Which need was it (its number)?" and ledger[0][3] == "Activity type"
    cells = {r[0]: r[2] for r in ledger[1:]}
    assert cells.pop(seeded.first_activity_id) == need_id and set(cells.values()) == {None} and len(cells) == 1


def test_a_column_label_needs_a_column() -> None:
    with pytest.raises(ValueError, match="column_label"):
        formspec.FieldSpec(name="venue", type="text", label="Where was it?", column_label="Venue")
