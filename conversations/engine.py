"""The form engine: (form, draft, input, context) -> outcome, pure and deterministic.

The shell stores ``DraftState`` in a DB row after every call, so a restart loses nothing. Every
accepted change (answer, step, or UI state such as the calendar month) bumps ``rev``; buttons carry
``f:<draft_id>:<rev>:<op>[:<arg>]``, so a button from an older screen is refused as "moved on".
A rejected input returns the very same draft with a reply that says what is expected.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conversations.calendar_picker import parse_day, parse_month
from conversations.fields import (
    FieldError,
    FormContext,
    capitals_problem,
    default_value,
    example,
    is_answered,
    options,
    parse,
)
from conversations.fields.choices import check_picks, choice_value
from conversations.fields.dates import check_date
from conversations.fields.files import parse_file
from conversations.fields.screens import cancel_screen, question, summary
from conversations.form_versions import carry_over, first_open
from conversations.formspec import FieldSpec, FormSpec, relevant_fields, relevant_subs
from conversations.types import ButtonInput, CommandInput, FileInput, Input, Keyboard, Reply, TextInput
from locales import TN, Join, T, Text

__all__ = ["DraftState", "FormContext", "Outcome", "handle", "moved_on", "resume", "start"]

SUMMARY, CONFIRM_CANCEL, CONFIRM_DISCARD = "summary", "confirm_cancel", "confirm_discard"
MODES = frozenset({SUMMARY, CONFIRM_CANCEL, CONFIRM_DISCARD})
MOVED_ON = T("This form has moved on.")
COMMAND_OPS = {"back": "b", "skip": "s", "cancel": "x"}


@dataclass
class DraftState:
    """A form in progress; ``step`` is a field name or a mode, never an index (renames stay safe)."""

    form_id: str
    form_version: int
    draft_id: int
    rev: int
    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    ui: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A deep, plain-JSON copy (fails loudly if a non-JSON value ever slipped into the state)."""
        plain = {name: getattr(self, name) for name in _STATE_FIELDS}
        # json both checks and deep-copies; ``dataclasses.asdict`` would deep-copy once more first.
        result: dict[str, Any] = json.loads(json.dumps(plain, ensure_ascii=False))
        return result

    @classmethod
    def from_json(cls, data: str | Mapping[str, Any]) -> DraftState:
        raw = json.loads(data) if isinstance(data, str) else json.loads(json.dumps(dict(data)))
        return cls(**raw)


_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(DraftState))


@dataclass
class Outcome:
    """What one call produced: replies to show and the draft to store (None once discarded or submitted)."""

    replies: list[Reply]
    draft: DraftState | None
    submitted: dict[str, Any] | None = None
    cancelled_kept: bool = False
    discarded: bool = False


def _callback(draft: DraftState) -> Callable[[str], str]:
    return lambda op: f"f:{draft.draft_id}:{draft.rev}:{op}"


def _screen(form: FormSpec, draft: DraftState, ctx: FormContext) -> tuple[Text, Keyboard]:
    cb = _callback(draft)
    if draft.step == SUMMARY:
        return summary(form, draft.answers, ctx, cb)
    if draft.step in (CONFIRM_CANCEL, CONFIRM_DISCARD):
        return cancel_screen(draft.step == CONFIRM_DISCARD, cb)
    return question(form, draft.step, draft.answers, draft.ui, ctx, cb)


def _show(form: FormSpec, draft: DraftState, ctx: FormContext, note: Text | None = None,
          edit: bool = False) -> Outcome:
    text, buttons = _screen(form, draft, ctx)
    return Outcome([Reply(Join((note, text)) if note is not None else text, buttons, edit=edit)], draft)


def _reject(form: FormSpec, draft: DraftState, ctx: FormContext, message: Text,
            spec: FieldSpec | None = None) -> Outcome:
    """The draft unchanged, and why the input was refused, with a valid example and the current buttons."""
    parts: list[Text] = [message]
    shown = example(spec, ctx) if spec is not None else None
    if shown is not None and spec is not None and spec.type not in {"choice", "yes_no", "multi_choice"}:
        parts.append(T("Example: {example}", example=shown))
    _, buttons = _screen(form, draft, ctx)
    return Outcome([Reply(Join(tuple(parts)), buttons)], draft)


def moved_on(draft: DraftState | None) -> Outcome:
    """The answer to a button from an older screen (or when no draft is open): nothing changes."""
    return Outcome([Reply(MOVED_ON, notice=MOVED_ON)], draft)


def _bump(draft: DraftState, **changes: Any) -> DraftState:
    return dataclasses.replace(draft, rev=draft.rev + 1, **changes)


def _enter(form: FormSpec, draft: DraftState, ctx: FormContext, step: str, answers: dict[str, Any],
           editing: bool) -> DraftState:
    """Move to ``step`` with fresh UI state for it (pending picks, repeat row ...)."""
    ui: dict[str, Any] = {"edit": True} if editing and step not in MODES else {}
    spec = form.field(step)
    if spec is not None and spec.type == "repeat" and not answers.get(step):
        ui.update(row={}, sub=relevant_subs(spec, answers)[0].name)
    if spec is not None and spec.type == "multi_choice" and answers.get(step):
        ids = [cid for cid, _ in options(spec, ctx)]
        ui["picks"] = sorted(ids.index(v) for v in answers[step] if v in ids)
    return _bump(draft, step=step, answers=answers, ui=ui)


def _next_step(form: FormSpec, answers: Mapping[str, Any], after: str, editing: bool) -> str:
    """Straight on in order; when editing from the summary, back to it unless a new question appeared."""
    names = [f.name for f in relevant_fields(form, answers)]
    unanswered = [n for n in names if n not in answers]
    if editing or after not in names:
        return unanswered[0] if unanswered else SUMMARY
    position = names.index(after)
    return names[position + 1] if position + 1 < len(names) else SUMMARY


def _accept(form: FormSpec, draft: DraftState, ctx: FormContext, name: str, value: Any) -> Outcome:
    answers = {**draft.answers, name: value}
    editing = bool(draft.ui.get("edit"))
    step = _next_step(form, answers, name, editing)
    return _show(form, _enter(form, draft, ctx, step, answers, editing), ctx)


def _first_open_step(form: FormSpec, answers: Mapping[str, Any]) -> str:
    return first_open(form, answers) or SUMMARY


def upgrade(form: FormSpec, draft: DraftState) -> tuple[DraftState, Text | None]:
    """A draft of an older form version moves to this one, keeping the answers that still fit."""
    if draft.form_version == form.version:
        return draft, None
    kept, set_aside = carry_over(form, draft.answers)
    step = draft.step
    if (step not in MODES and form.field(step) is None) or (step == SUMMARY and first_open(form, kept)):
        step = _first_open_step(form, kept)
    moved = step != draft.step
    upgraded = dataclasses.replace(draft, form_version=form.version, answers=kept, step=step,
                                   ui={} if moved else draft.ui, rev=draft.rev + int(moved))
    if set_aside:
        return upgraded, T("This form was updated since you started it. Your answers were kept, except {n} "
                           "that the new version no longer asks or asks differently.", n=set_aside)
    return upgraded, T("This form was updated since you started it. Your answers were kept.")


def _noted(outcome: Outcome, note: Text | None) -> Outcome:
    if note is not None:
        outcome.replies.insert(0, Reply(note))
    return outcome


def start(form: FormSpec, ctx: FormContext, draft_id: int) -> Outcome:
    """A new draft at the first question."""
    draft = DraftState(form.id, form.version, draft_id, rev=0, step="")
    return _show(form, _enter(form, draft, ctx, _first_open_step(form, {}), {}, editing=False), ctx)


def resume(form: FormSpec, draft: DraftState, ctx: FormContext) -> Outcome:
    """Ask the current step again; a step the form no longer has moves to the first open question."""
    draft, note = upgrade(form, draft)
    return _noted(_resume(form, draft, ctx), note)


def _resume(form: FormSpec, draft: DraftState, ctx: FormContext) -> Outcome:
    if draft.step not in MODES and form.field(draft.step) is None:
        draft = _enter(form, draft, ctx, _first_open_step(form, draft.answers), dict(draft.answers), editing=False)
    return _show(form, draft, ctx)


def handle(form: FormSpec, draft: DraftState, inp: Input, ctx: FormContext) -> Outcome:
    """One user input; the input draft is never mutated."""
    draft, note = upgrade(form, draft)
    return _noted(_handle(form, draft, inp, ctx), note)


def _handle(form: FormSpec, draft: DraftState, inp: Input, ctx: FormContext) -> Outcome:
    if draft.step not in MODES and form.field(draft.step) is None:
        return _resume(form, draft, ctx)
    if isinstance(inp, ButtonInput):
        parts = inp.data.split(":")
        if len(parts) < 4 or parts[0] != "f" or parts[1:3] != [str(draft.draft_id), str(draft.rev)]:
            return moved_on(draft)
        return _button(form, draft, ctx, parts[3], ":".join(parts[4:]))
    if isinstance(inp, CommandInput):
        op = COMMAND_OPS.get(inp.command.lstrip("/").lower())
        return _button(form, draft, ctx, op, "") if op else _resume(form, draft, ctx)
    if draft.step in MODES:
        return _reject(form, draft, ctx, T("Please use the buttons below."))
    spec, sub = _active(form, draft)
    if isinstance(inp, FileInput):
        if spec.type != "attachment" or sub is not None:
            return _reject(form, draft, ctx, T("This question expects a typed answer or a button, not a file."), sub or spec)
        return _file(form, draft, ctx, spec, inp)
    assert isinstance(inp, TextInput)
    if spec.type == "repeat" and sub is None:
        return _reject(form, draft, ctx, T("Press \"Add another\" to add an item, or \"Done\" if the list is complete."))
    target = sub or spec
    try:
        value = parse(target, inp.text, ctx, _scope(draft))
    except FieldError as error:
        return _reject(form, draft, ctx, error.message, target)
    return _take(form, draft, ctx, value)


def _active(form: FormSpec, draft: DraftState) -> tuple[FieldSpec, FieldSpec | None]:
    """The current field, and the repeat sub-field being asked (if any)."""
    spec = form.field(draft.step)
    assert spec is not None
    sub_name = draft.ui.get("sub") if spec.type == "repeat" else None
    sub = next((s for s in spec.fields if s.name == sub_name), None)
    return spec, sub


def _scope(draft: DraftState) -> dict[str, Any]:
    return {**draft.answers, **draft.ui.get("row", {})}


def _take(form: FormSpec, draft: DraftState, ctx: FormContext, value: Any) -> Outcome:
    """An accepted value for the current field or, inside a repeat group, for the row's sub-field."""
    spec, sub = _active(form, draft)
    if sub is None:
        return _accept(form, draft, ctx, spec.name, value)
    row = {**draft.ui.get("row", {}), sub.name: value}
    if (problem := capitals_problem(spec, [*(draft.answers.get(spec.name) or []), row])) is not None:
        return _reject(form, draft, ctx, problem, sub)
    names = [s.name for s in relevant_subs(spec, {**draft.answers, **row})]
    later = names[names.index(sub.name) + 1:] if sub.name in names else []
    if later:
        return _show(form, _bump(draft, ui={**draft.ui, "row": row, "sub": later[0]}), ctx)
    rows = [*(draft.answers.get(spec.name) or []), row]
    ui = {"edit": True} if draft.ui.get("edit") else {}
    added = _bump(draft, answers={**draft.answers, spec.name: rows}, ui=ui)
    return _show(form, added, ctx, note=T("Item {n} added.", n=len(rows)))


def _file(form: FormSpec, draft: DraftState, ctx: FormContext, spec: FieldSpec, upload: FileInput) -> Outcome:
    try:
        stored = parse_file(upload, spec)
    except FieldError as error:
        return _reject(form, draft, ctx, error.message, spec)
    if not spec.multiple:
        return _accept(form, draft, ctx, spec.name, stored)
    files = [*(draft.answers.get(spec.name) or []), stored]
    return _show(form, _bump(draft, answers={**draft.answers, spec.name: files}), ctx)


def _button(form: FormSpec, draft: DraftState, ctx: FormContext, op: str, arg: str) -> Outcome:
    """Route a button (or /back, /skip, /cancel); an op that does not fit the step is stale."""
    if op == "nop":
        return Outcome([], draft)
    if draft.step in (CONFIRM_CANCEL, CONFIRM_DISCARD):
        return _confirm(form, draft, ctx, op)
    if op == "x":
        ui = {"return_to": draft.step, "saved_ui": draft.ui}
        return _show(form, _bump(draft, step=CONFIRM_CANCEL, ui=ui), ctx)
    if op == "b":
        return _back(form, draft, ctx)
    if draft.step == SUMMARY and op == "s":
        return _reject(form, draft, ctx, T("There is nothing to skip here: press Submit, or edit an answer."))
    if draft.step == SUMMARY:
        return _summary_button(form, draft, ctx, op, arg)
    spec, sub = _active(form, draft)
    target = sub or spec
    if op == "s":
        return _skip(form, draft, ctx, spec, sub)
    if op == "kp" and sub is None and is_answered(draft.answers.get(spec.name)):
        return _accept(form, draft, ctx, spec.name, draft.answers[spec.name])
    if op == "c" and target.type in {"choice", "yes_no"} and arg.isdigit():
        opts = options(target, ctx)
        if int(arg) < len(opts):
            return _take(form, draft, ctx, choice_value(target, opts, int(arg)))
    if op == "t" and target.type == "multi_choice" and arg.isdigit():
        return _toggle(form, draft, ctx, target, int(arg))
    if op == "ok":
        return _done(form, draft, ctx, spec, target)
    if op == "d" and target.type == "date" and (day := parse_day(arg)) is not None:
        try:
            return _take(form, draft, ctx, check_date(day, target, ctx, _scope(draft)))
        except FieldError as error:
            return _reject(form, draft, ctx, error.message, target)
    if op == "cal" and target.type == "date" and parse_month(arg) is not None:
        return _show(form, _bump(draft, ui={**draft.ui, "cal": arg}), ctx, edit=True)
    if op == "u" and target.type == "integer" and (value := default_value(target, ctx)) is not None:
        return _take(form, draft, ctx, value)
    if op == "z" and target.type == "counters":
        return _take(form, draft, ctx, {cid: 0 for cid, _ in options(target, ctx)})
    if op in {"a", "rl"} and spec.type == "repeat" and sub is None:
        return _repeat_edit(form, draft, ctx, spec, op)
    if op == "rl" and spec.type == "attachment" and draft.answers.get(spec.name):
        files = list(draft.answers[spec.name])[:-1]
        return _show(form, _bump(draft, answers={**draft.answers, spec.name: files}), ctx)
    return moved_on(draft)


def _confirm(form: FormSpec, draft: DraftState, ctx: FormContext, op: str) -> Outcome:
    """The cancel dialog: keep the draft and leave, discard it (asked twice), or go on filling."""
    restored = _bump(draft, step=draft.ui.get("return_to", SUMMARY), ui=dict(draft.ui.get("saved_ui", {})))
    if op == "k" and draft.step == CONFIRM_CANCEL:
        kept = T("Your draft is kept. Send /resume to continue where you left off.")
        return Outcome([Reply(kept)], restored, cancelled_kept=True)
    if op == "dd" and draft.step == CONFIRM_CANCEL:
        return _show(form, _bump(draft, step=CONFIRM_DISCARD), ctx, edit=True)
    if op == "dy" and draft.step == CONFIRM_DISCARD:
        return Outcome([Reply(T("The draft is discarded."), edit=True)], None, discarded=True)
    if op in {"n", "b"}:
        return _show(form, restored, ctx)
    if op in {"x", "s"}:
        return _show(form, draft, ctx)
    return moved_on(draft)


def _back(form: FormSpec, draft: DraftState, ctx: FormContext) -> Outcome:
    """One step back: inside a repeat row, to the previous sub-field; from the summary, to the last question."""
    names = [f.name for f in relevant_fields(form, draft.answers)]
    if draft.step == SUMMARY:
        return _show(form, _enter(form, draft, ctx, names[-1], dict(draft.answers), editing=False), ctx)
    if draft.ui.get("edit"):
        return _show(form, _enter(form, draft, ctx, SUMMARY, dict(draft.answers), editing=False), ctx)
    spec, sub = _active(form, draft)
    if sub is not None:
        subs = [s.name for s in relevant_subs(spec, _scope(draft))]
        position = subs.index(sub.name) if sub.name in subs else 0
        if position > 0:
            return _show(form, _bump(draft, ui={**draft.ui, "sub": subs[position - 1]}), ctx)
        if draft.answers.get(spec.name):
            return _show(form, _bump(draft, ui={}), ctx)
    position = names.index(draft.step) if draft.step in names else 0
    if position == 0:
        return _show(form, draft, ctx, note=T("This is the first question."))
    return _show(form, _enter(form, draft, ctx, names[position - 1], dict(draft.answers), editing=False), ctx)


def _skip(form: FormSpec, draft: DraftState, ctx: FormContext, spec: FieldSpec, sub: FieldSpec | None) -> Outcome:
    if sub is not None and not sub.required:
        return _take(form, draft, ctx, None)
    if spec.type == "attachment" and spec.multiple and draft.answers.get(spec.name):
        return _accept(form, draft, ctx, spec.name, draft.answers[spec.name])  # files already sent are kept
    skippable = not spec.required and (spec.type != "repeat" or not draft.answers.get(spec.name))
    if skippable:
        return _accept(form, draft, ctx, spec.name, None)
    return _reject(form, draft, ctx, T("This question cannot be skipped; it is required."), sub or spec)


def _toggle(form: FormSpec, draft: DraftState, ctx: FormContext, spec: FieldSpec, index: int) -> Outcome:
    if index >= len(options(spec, ctx)):
        return moved_on(draft)
    picks = [p for p in draft.ui.get("picks", []) if p != index]
    if len(picks) == len(draft.ui.get("picks", [])):
        if isinstance(spec.max, int) and len(picks) >= spec.max:
            return _reject(form, draft, ctx, T("Please pick at most {max}.", max=spec.max))
        picks = sorted([*picks, index])
    return _show(form, _bump(draft, ui={**draft.ui, "picks": picks}), ctx, edit=True)


def _done(form: FormSpec, draft: DraftState, ctx: FormContext, spec: FieldSpec, target: FieldSpec) -> Outcome:
    """"Confirm"/"Done": closes a multi-choice, a list of files, or a repeat group."""
    if target.type == "multi_choice":
        picks = list(draft.ui.get("picks", []))
        try:
            check_picks(target, len(picks))
        except FieldError as error:
            return _reject(form, draft, ctx, error.message)
        opts = options(target, ctx)
        return _take(form, draft, ctx, [opts[i][0] for i in picks if i < len(opts)])
    if spec.type == "attachment" and spec.multiple:
        files = draft.answers.get(spec.name) or []
        if not files and spec.required:
            return _reject(form, draft, ctx, T("Please send at least one file first."), spec)
        return _accept(form, draft, ctx, spec.name, files or None)
    if spec.type == "repeat" and target is spec:
        rows = draft.answers.get(spec.name) or []
        needed = max(spec.min_rows, 1 if spec.required else 0)
        if len(rows) < needed:
            return _reject(form, draft, ctx, TN("Please add at least {n} item.", "Please add at least {n} items.", needed))
        return _accept(form, draft, ctx, spec.name, rows or None)
    return moved_on(draft)


def _repeat_edit(form: FormSpec, draft: DraftState, ctx: FormContext, spec: FieldSpec, op: str) -> Outcome:
    base = {"edit": True} if draft.ui.get("edit") else {}
    rows = list(draft.answers.get(spec.name) or [])
    if op == "rl" and rows:
        rows.pop()
        answers = {**draft.answers, spec.name: rows}
        ui = base if rows else {**base, "row": {}, "sub": relevant_subs(spec, answers)[0].name}
        return _show(form, _bump(draft, answers=answers, ui=ui), ctx)
    ui = {**base, "row": {}, "sub": relevant_subs(spec, draft.answers)[0].name}
    return _show(form, _bump(draft, ui=ui), ctx)


def _summary_button(form: FormSpec, draft: DraftState, ctx: FormContext, op: str, arg: str) -> Outcome:
    relevant = relevant_fields(form, draft.answers)
    if op == "e" and arg.isdigit() and int(arg) < len(form.fields) and form.fields[int(arg)] in relevant:
        name = form.fields[int(arg)].name
        return _show(form, _enter(form, draft, ctx, name, dict(draft.answers), editing=True), ctx)
    if op == "sub":
        return _submit(form, draft, ctx, relevant)
    return moved_on(draft)


def _submit(form: FormSpec, draft: DraftState, ctx: FormContext, relevant: list[FieldSpec]) -> Outcome:
    """Validate the whole form once more; only answers to relevant questions are submitted."""
    for spec in relevant:
        value = draft.answers.get(spec.name)
        short = spec.type == "repeat" and len(value or []) < spec.min_rows
        if (spec.required and not is_answered(value)) or short:
            missing = T("Before submitting, please answer: {label}", label=T(spec.label))
            return _show(form, _enter(form, draft, ctx, spec.name, dict(draft.answers), editing=True), ctx, note=missing)
    submitted = {spec.name: draft.answers.get(spec.name) for spec in relevant}
    return Outcome([], None, submitted=submitted)  # the shell confirms: it knows the number and deadline
