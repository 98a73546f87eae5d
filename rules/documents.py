"""The paper documents: which submission renders into which Word template, per policy profile.

Templates are data files beside the profiles (``profiles/documents/<profile>/<kind>.docx``);
the registry (``profiles/documents/registry.toml``) says which submission kind and form each
document kind is filled from. A profile *has* a document when its template file exists, so a
sixth regulation adds its documents by adding template files, and a new kind is one registry
entry plus its templates.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rules.datafile import load_validated
from rules.profile import PROFILES_DIR, all_profiles

DOCUMENTS_DIR = PROFILES_DIR / "documents"
REGISTRY_FILE = DOCUMENTS_DIR / "registry.toml"


class RegistryError(ValueError):
    """A registry file that does not match the schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentKind(_Strict):
    """One kind of paper document; ``id`` is also the template's file name (without ``.docx``).

    ``filled_from = "submission"``: rendered from a submitted form (``submission_kind``, ``form``);
    ``"round"``: from an assessment round's computed and staff-given points (the station's
    assessment table), with no form behind it.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=30)
    label: str = Field(min_length=1)
    filled_from: Literal["submission", "round"] = "submission"
    submission_kind: str = Field(default="", max_length=50)
    form: str = ""
    title_contains: tuple[str, ...] = Field(min_length=1)  # the title holds one of these (tests check it)
    all_answers: bool = True  # every answer has its cell; false for a form filled in part (a 备案表)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _filled_from(self) -> DocumentKind:
        from_submission = self.filled_from == "submission"
        if from_submission != bool(self.submission_kind and self.form):
            raise ValueError("a document filled from a submission names its `submission_kind` and `form`; "
                             "one filled from a round names neither")
        return self


class Registry(_Strict):
    documents: tuple[DocumentKind, ...] = Field(min_length=1)


@functools.cache
def registry() -> tuple[DocumentKind, ...]:
    loaded, _ = load_validated(REGISTRY_FILE, Registry, RegistryError)
    ids = [d.id for d in loaded.documents]
    duplicates = sorted({v for v in ids if ids.count(v) > 1})
    if duplicates:
        raise RegistryError(f"{REGISTRY_FILE.name}: documents: duplicate id: {', '.join(duplicates)}")
    return loaded.documents


def document_kind(kind_id: str) -> DocumentKind | None:
    return next((d for d in registry() if d.id == kind_id), None)


def for_submission(submission_kind: str, profile_id: str) -> list[DocumentKind]:
    """The documents a submission renders into for one profile (an application: 申请表 and 备案表)."""
    return [d for d in kinds_for(profile_id) if d.filled_from == "submission" and d.submission_kind == submission_kind]


def for_round(profile_id: str) -> list[DocumentKind]:
    """The documents an assessment round renders per station for one profile (quzhou's 绩效考核表)."""
    return [d for d in kinds_for(profile_id) if d.filled_from == "round"]


def template_path(profile_id: str, kind_id: str) -> Path | None:
    path = DOCUMENTS_DIR / profile_id / f"{kind_id}.docx"
    return path if path.is_file() else None


def kinds_for(profile_id: str) -> list[DocumentKind]:
    """The document kinds this profile has a template for, in registry order."""
    return [d for d in registry() if template_path(profile_id, d.id) is not None]


def available(filled_from: str = "submission") -> list[tuple[str, DocumentKind]]:
    """Every (profile, kind) with a template filled from submissions (or rounds): what the table-driven tests cover."""
    return [(p, d) for p in sorted(all_profiles()) for d in kinds_for(p) if d.filled_from == filled_from]


def chinese_date(day: dt.date) -> str:
    """Dates as official documents write them: 2027年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def figures(amount: Decimal) -> str:
    """An amount in figures with thousands separators and two decimals: 17,000.50."""
    return f"{amount.quantize(Decimal('0.01')):,}"
