"""Forms as data: the TOML form file model, its per-profile variants, and `relevant` conditions.

A form file is validated strictly (pydantic, ``extra="forbid"``) when loaded, so a typo in a
form fails at start-up with the file, the key and what was expected, not in a user's chat.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from rules.datafile import load_validated
from rules.profile import Profile, load_profile

FORMS_DIR = Path(__file__).resolve().parent / "forms"

FieldType = Literal[
    "text", "long_text", "integer", "money", "date", "choice", "multi_choice", "yes_no",
    "phone", "email", "credit_code", "attachment", "repeat", "counters",
]
CHOICE_TYPES = frozenset({"choice", "multi_choice"})
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
DEFAULT_TOKENS = frozenset({"this_year", "next_year", "last_year"})


class FormFileError(ValueError):
    """A form file that does not match the schema: says which file, which key, what was expected."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceSpec(_Strict):
    id: str = Field(min_length=1, max_length=24)
    label: str


class FieldSpec(_Strict):
    """One question (XLSForm row); repeat groups nest their sub-fields in ``fields``."""

    name: str = Field(pattern=NAME_PATTERN, max_length=40)
    type: FieldType
    label: str
    hint: str = ""
    example: str = ""
    required: bool = True
    relevant: str | None = None
    max_length: int | None = Field(default=None, gt=0)
    min: int | float | str | None = None
    max: int | float | str | None = None
    not_future: bool = False
    not_past: bool = False
    min_field: str | None = None
    default: int | str | None = None
    choices: tuple[ChoiceSpec, ...] = ()
    choices_from: str | None = None
    multiple: bool = False
    accept: tuple[str, ...] = ()
    max_size: int | None = Field(default=None, gt=0)
    fields: tuple[FieldSpec, ...] = ()
    min_rows: int = Field(default=0, ge=0)
    total_in_capitals: bool = False
    asked_by: str | None = None
    column: str | None = Field(default=None, pattern=NAME_PATTERN, max_length=60)
    column_label: str = ""  # the column's title in tables (the export); the label when empty

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        kind = self.type
        if kind in CHOICE_TYPES and not (self.choices or self.choices_from):
            raise ValueError(f"a {kind} field needs `choices` or `choices_from`")
        if kind == "counters" and not self.choices_from:
            raise ValueError("a counters field needs `choices_from`")
        if (self.choices or self.choices_from) and kind not in CHOICE_TYPES | {"counters"}:
            raise ValueError(f"`choices`/`choices_from` only apply to choice fields, not {kind}")
        if kind == "repeat":
            if not self.fields:
                raise ValueError("a repeat field needs sub-`fields`")
            for sub in self.fields:
                if sub.type in {"repeat", "attachment", "counters"}:
                    raise ValueError(f"a repeat group cannot contain a {sub.type} field ({sub.name})")
            _unique([s.name for s in self.fields], f"sub-fields of {self.name}")
        elif self.fields or self.min_rows or self.total_in_capitals:
            raise ValueError("`fields`, `min_rows` and `total_in_capitals` only apply to repeat fields")
        if self.column_label and not self.column:
            raise ValueError("`column_label` only applies to a field with a `column`")
        if self.multiple and kind != "attachment":
            raise ValueError("`multiple` only applies to attachment fields (use multi_choice for choices)")
        if (self.accept or self.max_size) and kind != "attachment":
            raise ValueError("`accept` and `max_size` only apply to attachment fields")
        if (self.not_future or self.not_past or self.min_field) and kind != "date":
            raise ValueError("`not_future`, `not_past` and `min_field` only apply to date fields")
        if self.max_length is not None and kind not in {"text", "long_text"}:
            raise ValueError("`max_length` only applies to text fields")
        if self.default is not None:
            if kind != "integer":
                raise ValueError("`default` only applies to integer fields")
            if isinstance(self.default, str) and self.default not in DEFAULT_TOKENS:
                raise ValueError(f"`default` must be a number or one of {sorted(DEFAULT_TOKENS)}")
        for bound in (self.min, self.max):
            if bound is not None:
                _check_bound(kind, bound)
        if self.relevant:
            compile_condition(self.relevant)
        return self


def _check_bound(kind: str, bound: int | float | str) -> None:
    if kind == "date":
        if not isinstance(bound, str):
            raise ValueError("date `min`/`max` must be an ISO date string like \"2020-01-01\"")
        dt.date.fromisoformat(bound)
    elif kind in {"integer", "multi_choice"}:
        if not isinstance(bound, int) or isinstance(bound, bool):
            raise ValueError(f"{kind} `min`/`max` must be whole numbers")
    elif kind == "money":
        try:
            Decimal(str(bound))
        except InvalidOperation:
            raise ValueError("money `min`/`max` must be amounts like 1000 or \"1000.50\"") from None
    else:
        raise ValueError(f"`min`/`max` do not apply to {kind} fields")


class AddedField(FieldSpec):
    """A field a profile variant inserts; ``after`` names the field it follows."""

    after: str | None = None


class Relabel(_Strict):
    label: str | None = None
    hint: str | None = None
    example: str | None = None


class VariantSpec(_Strict):
    drop: tuple[str, ...] = ()
    relabel: dict[str, str | Relabel] = Field(default_factory=dict)
    add: tuple[AddedField, ...] = ()


class FactSpec(_Strict):
    """Read-only numbers the caller supplies (``ctx.facts[name]``), shown on the summary screen."""

    name: str
    label: str
    choices_from: str | None = None


class FormSpec(_Strict):
    """A form as one profile sees it (variant applied); field order is the question order."""

    id: str = Field(pattern=NAME_PATTERN)
    version: int = Field(ge=1)
    title: str
    fields: tuple[FieldSpec, ...]
    facts: tuple[FactSpec, ...] = ()
    profile_id: str = ""
    # name -> field, built on first use for the ``fields`` tuple it was built from (a model_copy
    # with other fields copies this too, hence the identity check): a step looks fields up often.
    _by_name: tuple[tuple[FieldSpec, ...], dict[str, FieldSpec]] | None = PrivateAttr(default=None)

    def field(self, name: str) -> FieldSpec | None:
        index = self._by_name
        if index is None or index[0] is not self.fields:
            index = self._by_name = (self.fields, {})
            for f in reversed(self.fields):  # the first of a name wins, as a scan in order would
                index[1][f.name] = f
        return index[1].get(name)

    def index(self, name: str) -> int:
        return next(i for i, f in enumerate(self.fields) if f.name == name)


class FormFile(_Strict):
    id: str = Field(pattern=NAME_PATTERN)
    version: int = Field(ge=1)
    title: str
    fields: tuple[FieldSpec, ...] = Field(min_length=1)
    facts: tuple[FactSpec, ...] = ()
    variants: dict[str, VariantSpec] = Field(default_factory=dict)


def _unique(names: list[str], where: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"duplicate field name {name!r} in {where}")
        seen.add(name)


# --- `relevant` conditions: a whitelisted subset of Python expressions, evaluated without eval() ---

_ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Eq, ast.NotEq,
    ast.In, ast.NotIn, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
)


@functools.lru_cache(maxsize=256)
def compile_condition(source: str) -> ast.Expression:
    """Parse a condition like ``kind in ['manager_change']``; anything beyond comparisons is refused."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"relevant condition {source!r} is not valid: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValueError(
                f"relevant condition {source!r} uses {type(node).__name__}; allowed: field names, literals, "
                "==, !=, <, <=, >, >=, in, not in, and, or, not"
            )
    return tree


def condition_names(source: str) -> set[str]:
    return {n.id for n in ast.walk(compile_condition(source)) if isinstance(n, ast.Name)}


Condition = Callable[[Mapping[str, Any]], Any]


def evaluate(source: str, answers: Mapping[str, Any]) -> bool:
    """Truth of a condition over answers; a missing answer is None and type clashes are False."""
    return bool(_condition(source)(answers))


@functools.lru_cache(maxsize=1024)
def _condition(source: str) -> Condition:
    """The condition as nested closures, made once per source: walking the syntax tree for every
    field of every step was a good part of a form step's engine time."""
    return _closure(compile_condition(source).body)


def _closure(node: ast.expr) -> Condition:
    if isinstance(node, ast.Constant):
        constant = node.value
        return lambda _answers: constant
    if isinstance(node, ast.Name):
        name = node.id
        return lambda answers: answers.get(name)
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_closure(e) for e in node.elts]
        return lambda answers: [item(answers) for item in items]
    if isinstance(node, ast.UnaryOp):
        operand = _closure(node.operand)
        return lambda answers: not operand(answers)
    if isinstance(node, ast.BoolOp):
        parts = [_closure(v) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda answers: all(part(answers) for part in parts)
        return lambda answers: any(part(answers) for part in parts)
    if isinstance(node, ast.Compare):
        first = _closure(node.left)
        steps = [(op, _closure(right)) for op, right in zip(node.ops, node.comparators, strict=True)]

        def compare(answers: Mapping[str, Any]) -> bool:
            left = first(answers)
            for op, right_of in steps:
                right = right_of(answers)
                if not _compare(op, left, right):
                    return False
                left = right
            return True
        return compare
    raise ValueError(f"unsupported expression {ast.dump(node)}")


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    try:
        if isinstance(op, ast.Eq):
            return bool(left == right)
        if isinstance(op, ast.NotEq):
            return bool(left != right)
        if isinstance(op, (ast.In, ast.NotIn)):
            found = right is not None and left in right
            return found if isinstance(op, ast.In) else not found
        if left is None or right is None:
            return False
        if isinstance(op, ast.Lt):
            return bool(left < right)
        if isinstance(op, ast.LtE):
            return bool(left <= right)
        if isinstance(op, ast.Gt):
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        return False


# --- loading ---

def parse_form_file(path: Path) -> FormFile:
    """Read and validate one form file; every problem names the file and key."""
    form, _ = load_validated(path, FormFile, FormFileError)
    for profile in [None, *form.variants]:
        try:
            check_fields(apply_variant(form, profile).fields)
        except ValueError as exc:
            where = f"variants.{profile}" if profile else "fields"
            raise FormFileError(f"{path.name}: {where}: {exc}") from None
    return form


def check_fields(fields: tuple[FieldSpec, ...]) -> None:
    """Cross-field rules a single row cannot check: unique names, references to known fields."""
    _unique([f.name for f in fields], "the form")
    _unique([f.column for f in fields if f.column], "the form's columns")
    known = {f.name for f in fields}
    for f in fields:
        siblings = {s.name for s in f.fields}
        if f.relevant and not condition_names(f.relevant) <= known:
            raise ValueError(f"{f.name}.relevant refers to unknown fields {sorted(condition_names(f.relevant) - known)}")
        if f.min_field and f.min_field not in known:
            raise ValueError(f"{f.name}.min_field refers to unknown field {f.min_field!r}")
        if any(sub.column for sub in f.fields) or (f.column and f.type == "repeat"):
            raise ValueError(f"{f.name}: a repeat group and its sub-fields are not table columns")
        if f.asked_by is not None:
            chooser = next((c for c in fields if c.name == f.asked_by), None)
            if chooser is None or chooser.type != "choice" or not chooser.choices_from:
                raise ValueError(f"{f.name}.asked_by must name a choice field with `choices_from`")
        for sub in f.fields:
            scope = known | siblings
            if sub.relevant and not condition_names(sub.relevant) <= scope:
                raise ValueError(f"{f.name}.{sub.name}.relevant refers to unknown fields")
            if sub.min_field and sub.min_field not in scope:
                raise ValueError(f"{f.name}.{sub.name}.min_field refers to unknown field {sub.min_field!r}")


def apply_variant(form: FormFile, profile_id: str | None) -> FormSpec:
    """The form as ``profile_id`` sees it: dropped, relabelled and added fields applied."""
    variant = form.variants.get(profile_id or "") or VariantSpec()
    names = [f.name for f in form.fields]
    for name in (*variant.drop, *variant.relabel):
        if name not in names:
            raise ValueError(f"variant refers to unknown field {name!r}")
    fields = [f for f in form.fields if f.name not in variant.drop]
    for name, change in variant.relabel.items():
        patch = {"label": change} if isinstance(change, str) else change.model_dump(exclude_none=True)
        fields = [f.model_copy(update=patch) if f.name == name else f for f in fields]
    for added in variant.add:
        plain = FieldSpec.model_validate(added.model_dump(exclude={"after"}))
        if added.after is None:
            fields.append(plain)
            continue
        position = next((i for i, f in enumerate(fields) if f.name == added.after), None)
        if position is None:
            raise ValueError(f"added field {added.name!r} comes after unknown field {added.after!r}")
        fields.insert(position + 1, plain)
    return FormSpec(id=form.id, version=form.version, title=form.title, fields=tuple(fields),
                    facts=form.facts, profile_id=profile_id or "")


def form_ids() -> list[str]:
    return sorted(p.stem for p in FORMS_DIR.glob("*.toml"))


@functools.cache
def load_form(form_id: str, profile_id: str) -> FormSpec:
    """The form ``form_id`` for one policy profile (a profile without a variant gets the base form)."""
    path = FORMS_DIR / f"{form_id}.toml"
    if not path.is_file():
        raise FormFileError(f"no form {form_id!r} (known: {', '.join(form_ids())})")
    form = parse_form_file(path)
    if form.id != form_id:
        raise FormFileError(f"{path.name}: id: expected {form_id!r}, found {form.id!r}")
    try:
        spec = apply_variant(form, profile_id)
        return ask_as_profile_lists(spec, load_profile(profile_id)) if any(f.asked_by for f in spec.fields) else spec
    except ValueError as exc:
        raise FormFileError(f"{path.name} for profile {profile_id}: {exc}") from None


def ask_as_profile_lists(form: FormSpec, profile: Profile) -> FormSpec:
    """Turn ``asked_by`` into conditions from the profile's catalogue (e.g. ``ChangeKind.fields``).

    Which questions a change report asks for a new manager is the profile's data, so the form file
    names no kind ids; a catalogue item naming a field the form lacks is refused here, at start.
    """
    asked = [f for f in form.fields if f.asked_by is not None]
    names = {f.name for f in form.fields}
    lists: dict[str, dict[str, tuple[str, ...]]] = {}
    for f in asked:
        assert f.asked_by is not None
        chooser = form.field(f.asked_by)
        assert chooser is not None and chooser.choices_from is not None
        items = getattr(profile, chooser.choices_from, ())
        lists[f.name] = {item.id: tuple(getattr(item, "fields", ())) for item in items}
        for item_id, wanted in lists[f.name].items():
            unknown = sorted(set(wanted) - names)
            if unknown:
                raise ValueError(f"{chooser.choices_from} item {item_id!r} asks for unknown fields {unknown}")
    fields: list[FieldSpec] = []
    for f in form.fields:
        if f.asked_by is None:
            fields.append(f)
            continue
        ids = [item_id for item_id, wanted in lists[f.name].items() if f.name in wanted]
        if not ids:
            raise ValueError(f"{f.name} is asked by {f.asked_by}, but no choice lists it")
        condition = f"{f.asked_by} in {ids!r}" + (f" and ({f.relevant})" if f.relevant else "")
        fields.append(f.model_copy(update={"relevant": condition}))
    return form.model_copy(update={"fields": tuple(fields)})


def iter_fields(form: FormSpec) -> Iterator[FieldSpec]:
    """Every field and repeat sub-field, for checks that must see them all (e.g. translations)."""
    for f in form.fields:
        yield f
        yield from f.fields


def relevant_fields(form: FormSpec, answers: Mapping[str, Any]) -> list[FieldSpec]:
    """The questions that apply under the current answers, in order (progress counts only these)."""
    return [f for f in form.fields if not f.relevant or evaluate(f.relevant, answers)]


def relevant_subs(group: FieldSpec, scope: Mapping[str, Any]) -> list[FieldSpec]:
    """A repeat group's sub-fields that apply to the row in progress (``scope`` = answers + row)."""
    return [s for s in group.fields if not s.relevant or evaluate(s.relevant, scope)]
