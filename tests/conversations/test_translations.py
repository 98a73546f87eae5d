"""Every msgid the engine, the field types and the form files use has a Chinese translation."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from conversations.formspec import FORMS_DIR, form_ids, iter_fields, load_form
from locales import T, translator
from locales.extract import translatable_strings
from tests.conversations.support import PROFILES

ROOT = Path(__file__).resolve().parents[2]
CODE = [ROOT / "conversations" / name for name in ("engine.py", "calendar_picker.py", "formspec.py")]
CODE += sorted((ROOT / "conversations" / "fields").glob("*.py"))


def code_msgids() -> Iterator[str]:
    for path in CODE:
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords={"T": None, "N_": None}, comment_tags=(), strip_comment_tags=True
        ):
            if isinstance(message, str):
                yield message


def form_msgids() -> Iterator[str]:
    for path in sorted(FORMS_DIR.glob("*.toml")):
        yield from translatable_strings(tomllib.loads(path.read_text(encoding="utf-8")))
    for form_id in form_ids():
        for profile in PROFILES:
            form = load_form(form_id, profile)
            yield form.title
            yield from (fact.label for fact in form.facts)
            for spec in iter_fields(form):
                yield from (s for s in (spec.label, spec.hint, spec.example) if s)
                yield from (choice.label for choice in spec.choices)


def catalog(locale: str) -> Catalog:
    """Every .po file of the locale as one catalog, as the loader merges them (forms of other areas live there)."""
    merged = Catalog(locale=locale)
    for path in sorted((ROOT / "locales" / locale).glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                known = merged.get(message.id) if message.id else None
                if message.id and (known is None or not known.string):
                    merged.add(message.id, message.string)
    return merged


MSGIDS = sorted(set(code_msgids()) | set(form_msgids()))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_there_is_something_to_check() -> None:
    assert len(MSGIDS) > 150 and "Step {n} of {total}" in MSGIDS and "Change report" in MSGIDS


@pytest.mark.parametrize("msgid", MSGIDS)
def test_msgid_has_a_chinese_translation_with_the_same_placeholders(msgid: str) -> None:
    message = catalog("zh_Hans").get(msgid)
    assert message is not None and message.string, f"no zh_Hans msgstr for {msgid!r}"
    assert placeholders(str(message.string)) == placeholders(msgid)


def test_english_catalog_lists_every_msgid() -> None:
    english = catalog("en")
    assert [m for m in MSGIDS if m not in english] == []


def test_rendered_in_chinese() -> None:
    zh = translator("zh_Hans")
    assert zh(T("Step {n} of {total}", n=3, total=9)) == "步骤 3/9"
    assert [zh(T(m)) for m in ("Back", "Skip", "Cancel")] == ["返回", "跳过", "取消"]
