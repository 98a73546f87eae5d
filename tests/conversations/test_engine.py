"""Navigation the engine gives every form: progress, back, skip, cancel, summary edits, stale buttons."""

from __future__ import annotations

import dataclasses

import pytest

from conversations.engine import DraftState, FormContext, handle, moved_on, resume
from conversations.formspec import FieldSpec, FormSpec, evaluate
from conversations.types import ButtonInput, CommandInput, TextInput
from tests.conversations.support import Driver, button_texts, english

FORM = FormSpec(id="t", version=1, title="Test form", fields=(
    FieldSpec(name="name", type="text", label="Your name", example="Zhang San"),
    FieldSpec(name="kind", type="choice", label="Kind", choices_from="change_kinds"),
    FieldSpec(name="phone", type="phone", label="New phone", relevant="kind == 'phone_change'"),
    FieldSpec(name="note", type="text", label="A note", required=False),
    FieldSpec(name="day", type="date", label="Day", not_future=True),
))


def test_progress_counts_only_relevant_questions(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    assert "Step 1 of 4" in driver.last()
    driver.text("张三")
    assert "Step 2 of 4" in driver.last()
    driver.text("电话变更")
    assert driver.draft.step == "phone" and "Step 3 of 5" in driver.last()


def test_buttons_back_skip_cancel_appear_where_they_apply(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    assert driver.actions() == ["f:7:1:x"], "first step: Cancel only (no Back, not skippable)"
    driver.text("张三")
    assert "f:7:2:b" in driver.actions() and "f:7:2:s" not in driver.actions()
    driver.text("1")
    assert driver.draft.step == "note" and "f:7:3:s" in driver.actions()


def test_back_from_first_step_stays_and_back_moves_one_step(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    before = driver.draft
    out = driver.command("back")
    assert out.draft is before and "first question" in driver.last()
    driver.text("张三")
    driver.press("b")
    assert driver.draft.step == "name" and "Current answer: 张三" in driver.last()
    driver.press("kp")
    assert driver.draft.step == "kind" and driver.draft.answers["name"] == "张三"


def test_skip_optional_and_refuse_skipping_required(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    before = driver.draft
    assert driver.command("skip").draft is before and "cannot be skipped" in driver.last()
    driver.text("张三")
    driver.text("1")
    driver.press("s")
    assert driver.draft.answers["note"] is None and driver.draft.step == "day"


def _to_summary(ctx: FormContext) -> Driver:
    driver = Driver(FORM, ctx)
    driver.text("张三")
    driver.text("地址变更")
    driver.text("all fine")
    driver.text("2027-02-01")
    assert driver.draft.step == "summary"
    return driver


def test_summary_lists_answers_and_back_goes_to_last_step(ctx: FormContext) -> None:
    driver = _to_summary(ctx)
    text = driver.last()
    assert "Your name: 张三" in text and "Kind: 地址变更" in text and "A note: all fine" in text
    assert "Day: Feb 1, 2027" in text
    assert [a for a in driver.actions() if ":e:" in a] == [f"f:7:{driver.draft.rev}:e:{i}" for i in (0, 1, 3, 4)]
    driver.press("b")
    assert driver.draft.step == "day"


def test_edit_from_summary_asks_one_field_and_returns(ctx: FormContext) -> None:
    driver = _to_summary(ctx)
    driver.press("e:0")
    assert driver.draft.step == "name" and driver.draft.ui.get("edit")
    driver.text("李四")
    assert driver.draft.step == "summary" and "Your name: 李四" in driver.last()


def test_edit_that_makes_a_new_question_relevant_asks_it_first(ctx: FormContext) -> None:
    driver = _to_summary(ctx)
    driver.press("e:1")
    driver.press("c:4")
    assert driver.draft.step == "phone"
    driver.text("13812345678")
    assert driver.draft.step == "summary" and "New phone: 13812345678" in driver.last()


def test_back_while_editing_returns_to_summary_unchanged(ctx: FormContext) -> None:
    driver = _to_summary(ctx)
    answers = dict(driver.draft.answers)
    driver.press("e:3")
    driver.press("b")
    assert driver.draft.step == "summary" and driver.draft.answers == answers


def test_submit_returns_relevant_answers_only(ctx: FormContext) -> None:
    driver = _to_summary(ctx)
    driver.press("e:1")
    driver.press("c:4")
    driver.text("13812345678")
    driver.press("e:1")
    driver.press("c:3")
    out = driver.press("sub")
    assert out.draft is None and out.submitted == {
        "name": "张三", "kind": "address_change", "note": "all fine", "day": "2027-02-01"}


def test_submit_revalidates_required_answers(ctx: FormContext) -> None:
    driver = _to_summary(ctx)
    broken = dataclasses.replace(driver.draft, answers={**driver.draft.answers, "name": None})
    out = handle(FORM, broken, ButtonInput(f"f:7:{broken.rev}:sub"), ctx)
    assert out.submitted is None and out.draft is not None and out.draft.step == "name"
    assert "Before submitting, please answer: Your name" in english(out.replies[0])


@pytest.mark.parametrize("how", ["button", "command"])
def test_cancel_then_keep(ctx: FormContext, how: str) -> None:
    driver = Driver(FORM, ctx)
    driver.text("张三")
    driver.press("x") if how == "button" else driver.command("cancel")
    assert driver.draft.step == "confirm_cancel"
    assert "Keep draft and leave" in button_texts(driver)
    out = driver.press("k")
    assert out.cancelled_kept and out.draft is not None and out.draft.step == "kind"
    assert out.draft.answers == {"name": "张三"} and "/resume" in driver.last()
    assert "Step 2 of 4" in english(resume(FORM, out.draft, ctx).replies[0])


def test_cancel_then_continue(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    driver.text("张三")
    driver.press("x")
    driver.press("n")
    assert driver.draft.step == "kind" and "Step 2 of 4" in driver.last()


def test_cancel_then_discard_asks_once_more(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    driver.text("张三")
    driver.press("x")
    driver.press("dd")
    assert driver.draft.step == "confirm_discard"
    out = driver.press("dy")
    assert out.discarded and out.draft is None


def test_text_during_cancel_dialog_is_refused(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    driver.press("x")
    before = driver.draft
    assert driver.text("hello").draft is before and "use the buttons" in driver.last()


@pytest.mark.parametrize("data", ["f:7:0:x", "f:8:1:x", "f:7:99:x", "x", "f:7:1", "f:7:1:zz"])
def test_stale_or_foreign_buttons_have_moved_on(ctx: FormContext, data: str) -> None:
    driver = Driver(FORM, ctx)
    before = driver.draft
    snapshot = before.to_json()
    out = handle(FORM, before, ButtonInput(data), ctx)
    assert out.draft is before and before.to_json() == snapshot
    assert len(out.replies) == 1 and english(out.replies[0]) == "This form has moved on."
    assert out.replies[0].notice is not None


def test_button_of_an_older_screen_is_refused_after_an_answer(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    old_cancel = driver.actions()[0]
    driver.text("张三")
    before = driver.draft
    assert handle(FORM, before, ButtonInput(old_cancel), ctx).draft is before


def test_moved_on_without_a_draft() -> None:
    out = moved_on(None)
    assert out.draft is None and english(out.replies[0]) == "This form has moved on."


def test_calendar_paging_changes_only_ui(ctx: FormContext) -> None:
    driver = Driver(FormSpec(id="t", version=1, title="T", fields=(
        FieldSpec(name="day", type="date", label="Day", not_future=True),)), ctx)
    actions = driver.actions()
    assert "f:7:1:cal:202701" in actions and not any(":cal:202703" in a for a in actions), "no paging into the future"
    assert "f:7:1:d:20270210" in actions and "f:7:1:d:20270211" not in actions
    week_rows = [r for r in driver.out.replies[0].buttons if len(r) == 7]
    assert len(week_rows) >= 5, "weekday header plus the weeks, 7 columns each"
    answers = dict(driver.draft.answers)
    out = driver.press("cal:202701")
    assert out.replies[0].edit and driver.draft.answers == answers and driver.draft.step == "day"
    assert "f:8:0:x" not in driver.actions() and f"f:7:{driver.draft.rev}:d:20270115" in driver.actions()
    assert "2027-01" in button_texts(driver)
    driver.press("d:20270115")
    assert driver.draft.answers["day"] == "2027-01-15" and driver.draft.step == "summary"


def test_a_forged_future_day_button_is_refused(ctx: FormContext) -> None:
    driver = Driver(FormSpec(id="t", version=1, title="T", fields=(
        FieldSpec(name="day", type="date", label="Day", not_future=True),)), ctx)
    before = driver.draft
    out = handle(driver.form, before, ButtonInput("f:7:1:d:20270301"), ctx)
    assert out.draft is before and "cannot be in the future" in english(out.replies[0])
    out = handle(driver.form, before, ButtonInput("f:7:1:d:20270230"), ctx)
    assert out.draft is before and "moved on" in english(out.replies[0])


MULTI = FormSpec(id="t", version=1, title="T", fields=(
    FieldSpec(name="kinds", type="multi_choice", label="Kinds", choices_from="activity_types", max=2),))


def test_multi_choice_toggles_and_confirms(ctx: FormContext) -> None:
    driver = Driver(MULTI, ctx)
    assert not any(a.endswith(":ok") for a in driver.actions()), "Confirm only once something is picked"
    driver.press("t:0")
    driver.press("t:2")
    assert driver.draft.ui["picks"] == [0, 2] and driver.draft.answers == {}
    assert "✅ 人才培训" in button_texts(driver)
    before = driver.draft
    assert driver.press("t:1").draft is before and "at most 2" in driver.last()
    driver.out = resume(MULTI, driver.draft, ctx)
    driver.press("t:0")
    assert driver.draft.ui["picks"] == [2]
    driver.press("t:0")
    driver.press("ok")
    assert driver.draft.answers["kinds"] == ["training", "tackling"] and driver.draft.step == "summary"
    driver.press("e:0")
    assert driver.draft.ui["picks"] == [0, 2]


def test_multi_choice_typed(ctx: FormContext) -> None:
    driver = Driver(MULTI, ctx)
    driver.text("1、3")
    assert driver.draft.answers["kinds"] == ["training", "tackling"]


def test_unknown_commands_reask_the_question(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    out = handle(FORM, driver.draft, CommandInput("help"), ctx)
    assert out.draft is driver.draft and "Your name" in english(out.replies[0])


def test_draft_json_round_trip_and_renamed_step_recovers(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    driver.text("张三")
    again = DraftState.from_json(driver.draft.to_json())
    assert again == driver.draft
    renamed = dataclasses.replace(again, step="old_field_name")
    out = handle(FORM, renamed, TextInput("whatever"), ctx)
    assert out.draft is not None and out.draft.step == "kind"


def test_handle_never_mutates_its_input(ctx: FormContext) -> None:
    driver = Driver(FORM, ctx)
    draft = driver.draft
    snapshot = draft.to_json()
    handle(FORM, draft, TextInput("张三"), ctx)
    handle(FORM, draft, ButtonInput("f:7:1:x"), ctx)
    assert draft.to_json() == snapshot


@pytest.mark.parametrize(("condition", "answers", "expected"), [
    ("kind in ['a', 'b']", {"kind": "a"}, True),
    ("kind in ['a', 'b']", {}, False),
    ("kind not in ['a']", {"kind": "c"}, True),
    ("n >= 3 and flag", {"n": 3, "flag": True}, True),
    ("n > 3 or not flag", {"n": None, "flag": True}, False),
    ("'x' in picks", {"picks": ["x", "y"]}, True),
    ("n < 'a'", {"n": 1}, False),
])
def test_relevant_conditions(condition: str, answers: dict[str, object], expected: bool) -> None:
    assert evaluate(condition, answers) is expected


@pytest.mark.parametrize("condition", ["__import__('os')", "kind.upper() == 'A'", "kind[0] == 'a'", "1 +", "(lambda: 1)()"])
def test_unsafe_or_bad_conditions_are_refused(condition: str) -> None:
    with pytest.raises(ValueError):
        evaluate(condition, {})


def test_typed_text_matches_localised_labels_when_the_shell_passes_a_renderer(ctx: FormContext) -> None:
    from locales import translator

    form = FormSpec(id="t", version=1, title="T", fields=(
        FieldSpec(name="unit", type="choice", label="Unit", choices_from="demand_units",
                  choices=({"id": "new", "label": "➕ Add a new one"},)),))  # type: ignore[arg-type]
    plain = Driver(form, ctx)
    before = plain.draft
    assert plain.text("新增单位").draft is before
    localised = Driver(form, dataclasses.replace(ctx, render=translator("zh_Hans")))
    localised.text("新增单位")
    assert localised.draft.answers["unit"] == "new"


def test_callback_data_fits_telegram_for_large_ids(ctx: FormContext) -> None:
    big = dataclasses.replace(Driver(FORM, ctx).draft, draft_id=2**53, rev=10**9, step="day")
    out = resume(FORM, big, ctx)
    actions = [b.action for r in out.replies[0].buttons for b in r]
    assert actions and max(len(a.encode()) for a in actions) <= 64
