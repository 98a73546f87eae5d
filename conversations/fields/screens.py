"""What each engine step looks like: the question (header, hint, example, buttons) and the summary.

Rendering is separate from the state machine in ``engine.py``; ``cb`` turns a short op into the
full callback data of the draft's current revision, so every screen's buttons expire together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from conversations.calendar_picker import month_keyboard, parse_month
from conversations.fields import default_value, display, example, is_answered, options
from conversations.fields.base import FormContext
from conversations.fields.dates import bounds, default_month
from conversations.formspec import FieldSpec, FormSpec, relevant_fields, relevant_subs
from conversations.types import Button, Keyboard, keyboard
from locales import Join, Raw, T, Text

Callback = Callable[[str], str]
Row = tuple[Button, ...]
PICKED = Raw("✅")


def _pairs(buttons: Sequence[Button]) -> list[Row]:
    return [tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2)]


def header(form: FormSpec, step: str, answers: Mapping[str, Any]) -> Text:
    names = [f.name for f in relevant_fields(form, answers)]
    position = names.index(step) + 1 if step in names else len(names)
    return T("Step {n} of {total}", n=position, total=len(names))


def _asked(spec: FieldSpec, ctx: FormContext) -> list[Text]:
    lines: list[Text] = [T(spec.label)]
    if spec.hint:
        lines.append(T(spec.hint))
    shown = example(spec, ctx)
    if shown is not None and spec.type not in {"choice", "yes_no", "multi_choice", "attachment"}:
        lines.append(T("Example: {example}", example=shown))
    return lines


def _input_rows(spec: FieldSpec, value: Any, ui: Mapping[str, Any], ctx: FormContext, cb: Callback,
                scope: Mapping[str, Any]) -> list[Row]:
    """Buttons that answer the question itself (choices, calendar, defaults ...)."""
    kind = spec.type
    if kind in {"choice", "yes_no"}:
        opts = options(spec, ctx)
        current = ("yes" if value else "no") if kind == "yes_no" and value is not None else value
        buttons = [Button(Join((PICKED, label), " ") if cid == current else label, cb(f"c:{i}"))
                   for i, (cid, label) in enumerate(opts)]
        return [tuple(buttons)] if kind == "yes_no" else [(b,) for b in buttons]
    if kind == "multi_choice":
        picks = set(ui.get("picks", []))
        rows: list[Row] = [(Button(Join((PICKED, label), " ") if i in picks else label, cb(f"t:{i}")),)
                           for i, (_, label) in enumerate(options(spec, ctx))]
        if picks:
            rows.append((Button(T("Confirm"), cb("ok")),))
        return rows
    if kind == "date":
        month = parse_month(str(ui.get("cal", ""))) or default_month(spec, ctx, scope, value)
        low, high = bounds(spec, ctx, scope)
        return month_keyboard(cb, month, ctx.today, low, high)
    if kind == "integer" and (default := default_value(spec, ctx)) is not None and value != default:
        return [(Button(Raw(str(default)), cb("u")),)]
    if kind == "counters":
        return [(Button(T("None of these (all 0)"), cb("z")),)]
    if kind == "attachment" and spec.multiple and is_answered(value):
        return [(Button(T("Done"), cb("ok")), Button(T("Remove last file"), cb("rl")))]
    return []


def _nav(cb: Callback, back: bool, skip: bool, keep: bool) -> Row:
    buttons = [Button(T("Back"), cb("b"))] if back else []
    if keep:
        buttons.append(Button(T("Keep"), cb("kp")))
    if skip:
        buttons.append(Button(T("Skip"), cb("s")))
    buttons.append(Button(T("Cancel"), cb("x")))
    return tuple(buttons)


def question(form: FormSpec, step: str, answers: Mapping[str, Any], ui: Mapping[str, Any], ctx: FormContext,
             cb: Callback) -> tuple[Text, Keyboard]:
    """The screen of a field step (or of the repeat row / "add another?" prompt inside it)."""
    spec = form.field(step)
    assert spec is not None
    editing = bool(ui.get("edit"))
    first = [f.name for f in relevant_fields(form, answers)][:1] == [step]
    lines: list[Text] = [header(form, step, answers)]
    value = answers.get(step)
    if spec.type == "repeat":
        return _repeat_screen(spec, lines, value or [], ui, answers, ctx, cb, back=editing or not first)
    lines += _asked(spec, ctx)
    if spec.type == "attachment" and spec.multiple and is_answered(value):
        lines.append(T("Received so far: {files}", files=display(spec, value, ctx)))
        lines.append(T("Send another file, or press Done."))
    elif is_answered(value) and spec.type not in {"multi_choice", "choice", "yes_no"}:
        lines.append(T("Current answer: {value}", value=display(spec, value, ctx)))
    keep = is_answered(value) and not (spec.type == "attachment" and spec.multiple)
    rows = _input_rows(spec, value, ui, ctx, cb, answers)
    rows.append(_nav(cb, back=editing or not first, skip=not spec.required, keep=keep))
    return Join(tuple(lines)), keyboard(*rows)


def _repeat_screen(spec: FieldSpec, lines: list[Text], rows: list[dict[str, Any]], ui: Mapping[str, Any],
                   answers: Mapping[str, Any], ctx: FormContext, cb: Callback, back: bool) -> tuple[Text, Keyboard]:
    lines.append(T(spec.label))
    sub_name = ui.get("sub")
    if not sub_name:
        lines.append(display(spec, rows, ctx) if rows else T("No items yet."))
        lines.append(T("Add another item, or press Done if the list is complete."))
        buttons: list[Row] = [(Button(T("Add another"), cb("a")), Button(T("Done"), cb("ok")))]
        if rows:
            buttons.append((Button(T("Remove last item"), cb("rl")),))
        buttons.append(_nav(cb, back=back, skip=False, keep=False))
        return Join(tuple(lines)), keyboard(*buttons)
    row = dict(ui.get("row", {}))
    sub = next(s for s in spec.fields if s.name == sub_name)
    lines.append(T("Item {n}", n=len(rows) + 1))
    lines += _asked(sub, ctx)
    scope = {**answers, **row}
    skip = not sub.required or (not spec.required and not rows and sub_name == relevant_subs(spec, scope)[0].name)
    keyboard_rows = _input_rows(sub, row.get(sub_name), ui, ctx, cb, scope)
    keyboard_rows.append(_nav(cb, back=True if rows else back or sub_name != spec.fields[0].name, skip=skip,
                              keep=False))
    return Join(tuple(lines)), keyboard(*keyboard_rows)


def summary(form: FormSpec, answers: Mapping[str, Any], ctx: FormContext, cb: Callback) -> tuple[Text, Keyboard]:
    """Every relevant answer with an edit button each, read-only facts, then Submit."""
    lines: list[Text] = [T(form.title), T("Please check your answers, then press Submit:")]
    edits: list[Button] = []
    relevant = {id(f) for f in relevant_fields(form, answers)}  # once, not once per field
    for index, spec in enumerate(form.fields):
        if id(spec) not in relevant:
            continue
        shown = display(spec, answers.get(spec.name), ctx)
        if spec.type == "repeat" and is_answered(answers.get(spec.name)):
            lines += [Join((Raw("•"), T("{label}:", label=T(spec.label))), " "), shown]
        else:
            lines.append(Join((Raw("•"), T("{label}: {value}", label=T(spec.label), value=shown)), " "))
        edits.append(Button(Join((Raw("✏️"), T(spec.label)), " "), cb(f"e:{index}")))
    lines += facts_lines(form, ctx)
    rows = [*_pairs(edits), (Button(T("Submit"), cb("sub")),), _nav(cb, back=True, skip=False, keep=False)]
    return Join(tuple(lines)), keyboard(*rows)


def facts_lines(form: FormSpec, ctx: FormContext) -> list[Text]:
    """Numbers the caller already knows (ledger counts), shown so nobody retypes them."""
    lines: list[Text] = []
    for fact in form.facts:
        value = ctx.facts.get(fact.name)
        if value is None:
            continue
        lines.append(T(fact.label))
        if isinstance(value, Mapping):
            labels = dict(ctx.choices.get(fact.choices_from or "", ()))
            lines += [Join((Raw("  ·"), T("{label}: {value}", label=labels.get(k, Raw(str(k))), value=n)), " ")
                      for k, n in value.items()]
            if not value:
                lines.append(T("none"))
        else:
            lines.append(Raw(f"  · {value}"))
    return lines


def cancel_screen(discard: bool, cb: Callback) -> tuple[Text, Keyboard]:
    if discard:
        return T("Discard this draft and all its answers? This cannot be undone."), keyboard(
            [Button(T("Yes, discard"), cb("dy"))], [Button(T("Continue filling"), cb("n"))])
    return T("Leave this form? Your answers so far can be kept as a draft."), keyboard(
        [Button(T("Keep draft and leave"), cb("k"))], [Button(T("Discard draft"), cb("dd"))],
        [Button(T("Continue filling"), cb("n"))])
