"""Answers picked from lists: single and multiple choice, yes/no, and per-item counters."""

from __future__ import annotations

import re
from collections.abc import Sequence

from conversations.fields.base import Choice, FieldError, FormContext, label_strings, normalise
from conversations.formspec import FieldSpec
from locales import Join, Raw, T, Text

YES_NO: tuple[Choice, ...] = (("yes", T("Yes")), ("no", T("No")))
_YES = {"yes", "y", "是", "是的", "对", "有", "好", "1"}
_NO = {"no", "n", "否", "不", "不是", "没有", "无", "0"}


def options(spec: FieldSpec, ctx: FormContext) -> list[Choice]:
    """The choices of a field: the caller's list (``choices_from``), then the form's own (e.g. "Add a new one")."""
    if spec.type == "yes_no":
        return list(YES_NO)
    listed: list[Choice] = []
    if spec.choices_from:
        if spec.choices_from not in ctx.choices:
            raise KeyError(f"FormContext.choices has no list {spec.choices_from!r} (field {spec.name})")
        listed = list(ctx.choices[spec.choices_from])
    return listed + [(c.id, T(c.label)) for c in spec.choices]


def option_list(opts: Sequence[Choice]) -> Text:
    """Numbered options, so a typed number picks one."""
    return Join(tuple(Join((Raw(f"{i}."), label), " ") for i, (_, label) in enumerate(opts, 1)))


def match_option(raw: str, opts: Sequence[Choice], ctx: FormContext) -> int | None:
    """Index of the option a typed text means: its number, id or label, or a unique part of one label."""
    text = normalise(raw).casefold()
    if not text:
        return None
    if text.isdigit() and text.isascii() and 1 <= int(text) <= len(opts):
        return int(text) - 1
    names = [label_strings(label, ctx) | {cid.casefold()} for cid, label in opts]
    exact = [i for i, found in enumerate(names) if text in found]
    if len(exact) == 1:
        return exact[0]
    partial = [i for i, found in enumerate(names) if len(text) >= 2 and any(text in s for s in found)]
    return partial[0] if len(partial) == 1 else None


def not_an_option(opts: Sequence[Choice]) -> FieldError:
    return FieldError(Join((
        T("Please press one of the buttons, or type the number of an option:"), option_list(opts),
    )))


def parse_choice(raw: str, spec: FieldSpec, ctx: FormContext) -> str | bool:
    if spec.type == "yes_no":
        text = normalise(raw).casefold()
        if text in _YES or text in _NO:
            return text in _YES
    opts = options(spec, ctx)
    index = match_option(raw, opts, ctx)
    if index is None:
        raise not_an_option(opts)
    return choice_value(spec, opts, index)


def choice_value(spec: FieldSpec, opts: Sequence[Choice], index: int) -> str | bool:
    return opts[index][0] == "yes" if spec.type == "yes_no" else opts[index][0]


def check_picks(spec: FieldSpec, count: int) -> None:
    low = spec.min if isinstance(spec.min, int) else 1
    if count < low:
        raise FieldError(T("Please pick at least {min}, then press Confirm.", min=low))
    if isinstance(spec.max, int) and count > spec.max:
        raise FieldError(T("Please pick at most {max}.", max=spec.max))


def parse_multi(raw: str, spec: FieldSpec, ctx: FormContext) -> list[str]:
    """Several options typed at once: "1, 3" or "培训、咨询"."""
    opts = options(spec, ctx)
    picks: list[int] = []
    for token in re.split(r"[,;、\s]+", normalise(raw)):
        if not token:
            continue
        index = match_option(token, opts, ctx)
        if index is None:
            raise not_an_option(opts)
        if index not in picks:
            picks.append(index)
    check_picks(spec, len(picks))
    return [opts[i][0] for i in sorted(picks)]


def parse_counters(raw: str, spec: FieldSpec, ctx: FormContext) -> dict[str, int]:
    """One "item: number" per line, or all numbers in order; items not mentioned count 0."""
    opts = options(spec, ctx)
    counts = {cid: 0 for cid, _ in opts}
    lines = [line.strip() for line in re.split(r"[\n;]+", normalise(raw)) if line.strip()]
    numbers = re.split(r"[\s,]+", " ".join(lines)) if lines else []
    if numbers and all(n.isdigit() and n.isascii() for n in numbers):
        if len(numbers) != len(opts):
            raise counters_expected(opts, T("You sent {sent} numbers for {total} items.", sent=len(numbers), total=len(opts)))
        return {cid: int(n) for (cid, _), n in zip(opts, numbers, strict=True)}
    for line in lines:
        match = re.fullmatch(r"(.+?)\s*[:=]?\s*([0-9]{1,9})", line, re.ASCII | re.DOTALL)
        index = match_option(match.group(1), opts, ctx) if match else None
        if match is None or index is None:
            raise counters_expected(opts, T("I could not read this line: {line}", line=Raw(line)))
        counts[opts[index][0]] = int(match.group(2))
    return counts


def counters_expected(opts: Sequence[Choice], problem: Text) -> FieldError:
    return FieldError(Join((
        problem,
        T("Send one line per item as \"name: number\" (items you leave out count 0), or press \"None of these\":"),
        option_list(opts),
    )))
