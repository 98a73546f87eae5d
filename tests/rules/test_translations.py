"""Every user-facing string of the profiles and of rules/ code has a Chinese translation."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from locales.extract import translatable_strings

ROOT = Path(__file__).resolve().parents[2]
PROFILES = sorted((ROOT / "rules" / "profiles").glob("*.toml"))


def catalog(locale: str, only: str | None = None) -> dict[str, str]:
    """The locale's .po files merged (one per area), or only the file ``only``."""
    merged: dict[str, str] = {}
    for path in sorted((ROOT / "locales" / locale).glob(f"{only or '*'}.po")):
        with path.open("rb") as fh:
            for m in read_po(fh):
                if m.id and not merged.get(str(m.id)):
                    merged[str(m.id)] = str(m.string or "")
    return merged


def code_msgids() -> set[str]:
    """Strings marked ``N_("...")`` in rules/*.py."""
    found = set()
    for path in (ROOT / "rules").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(str(node.args[0].value))
    return found


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_profile_strings_have_chinese(path: Path) -> None:
    zh = catalog("zh_Hans")
    with path.open("rb") as fh:
        strings = set(translatable_strings(tomllib.load(fh)))
    missing = sorted(s for s in strings if not zh.get(s))
    assert not missing, f"{path.name}: no msgstr in locales/zh_Hans/*.po for: {missing}"


def test_code_strings_have_chinese_and_english_lists_the_same_msgids() -> None:
    zh, en = catalog("zh_Hans", "rules"), catalog("en", "rules")
    assert all(catalog("zh_Hans").get(s) for s in code_msgids()), sorted(s for s in code_msgids() if not zh.get(s))
    assert set(zh) == set(en), "zh_Hans/rules.po and en/rules.po must list the same msgids"
    assert not any(en.values()), "en/rules.po keeps msgstr empty (English msgids are shown as they are)"
