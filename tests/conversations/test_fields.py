"""Every field type: rejected inputs leave the draft untouched and say what is expected; good ones are stored."""

from __future__ import annotations

from typing import Any

import pytest

from conversations.engine import FormContext
from conversations.fields.text import CREDIT_EXAMPLE
from conversations.types import ButtonInput
from tests.conversations.support import Driver, single

INTEGER = {"name": "n", "type": "integer", "max": 100000}
MONEY = {"name": "m", "type": "money"}
PAST_DATE = {"name": "d", "type": "date", "not_future": True}
FUTURE_DATE = {"name": "d", "type": "date", "not_past": True}
SHORT = {"name": "s", "type": "text"}
LONG = {"name": "l", "type": "long_text"}
PHONE = {"name": "p", "type": "phone"}
EMAIL = {"name": "e", "type": "email"}
CREDIT = {"name": "c", "type": "credit_code"}
CHOICE = {"name": "k", "type": "choice", "choices_from": "activity_types"}
YES_NO = {"name": "y", "type": "yes_no"}
ATTACH = {"name": "a", "type": "attachment", "accept": [".pdf"], "max_size": 5_000_000}
WRONG_CHECK = CREDIT_EXAMPLE[:17] + ("0" if CREDIT_EXAMPLE[17] != "0" else "1")

REJECTED: list[tuple[dict[str, Any], str, str]] = [
    (INTEGER, "12🙂", "whole number using digits"),
    (INTEGER, "🙂", "whole number using digits"),
    (INTEGER, "12a", "whole number using digits"),
    (INTEGER, "1.5", "without decimals"),
    (INTEGER, "-3", "at least 0"),
    (INTEGER, "100001", "at most 100000"),
    (INTEGER, "9" * 5000, "too large"),
    (INTEGER, "", "whole number"),
    (MONEY, "abc", "amount in yuan"),
    (MONEY, "-5", "cannot be negative"),
    (MONEY, "1.234", "two decimals"),
    (MONEY, "12,34", "amount in yuan"),
    (MONEY, "1.2.3", "amount in yuan"),
    (PAST_DATE, "2027-03-05", "cannot be in the future"),
    (PAST_DATE, "2027-02-30", "not a real date"),
    (PAST_DATE, "2026-13-01", "not a real date"),
    (PAST_DATE, "next tuesday", "Please type a date like 2027-02-10"),
    (PAST_DATE, "明天", "Please type a date like"),
    (FUTURE_DATE, "2027-01-05", "cannot be in the past"),
    (SHORT, "   ", "empty message"),
    (SHORT, "x" * 201, "the limit here is 200"),
    (LONG, "x" * 10_000, "That is 10000 characters; the limit here is 4000"),
    (LONG, "长" * (5 * 1024 * 1024), "the limit here is 4000"),
    (PHONE, "+1 415 555 0100", "mainland China phone number"),
    (PHONE, "+44 20 7946 0958", "mainland China phone number"),
    (PHONE, "12812345678", "mainland China phone number"),
    (PHONE, "1381234567", "mainland China phone number"),
    (PHONE, "12345", "mainland China phone number"),
    (PHONE, "0201-2345678", "mainland China phone number"),
    (EMAIL, "abc@", "name@example.com"),
    (EMAIL, "abc@example", "name@example.com"),
    (EMAIL, "a b@example.com", "name@example.com"),
    (EMAIL, "a..b@example.com", "name@example.com"),
    (CREDIT, WRONG_CHECK, f"the last character should be {CREDIT_EXAMPLE[17]}"),
    (CREDIT, CREDIT_EXAMPLE[:17], "18 characters; this one has 17"),
    (CREDIT, "91440101MA59ABCDI" + "0", "never appears in a credit code"),
    (CHOICE, "9", "type the number of an option"),
    (CHOICE, "football", "1. 人才培训"),
    (YES_NO, "maybe", "press one of the buttons"),
    (ATTACH, "here is my file", "send the file itself"),
]


def _example_shown(kind: str) -> bool:
    return kind not in {"choice", "yes_no", "attachment", "text", "long_text"}


@pytest.mark.parametrize(("spec", "raw", "expected"), REJECTED, ids=[f"{s['type']}:{r[:20]!r}" for s, r, _ in REJECTED])
def test_rejected_input_keeps_the_draft_and_explains(ctx: FormContext, spec: dict[str, Any], raw: str,
                                                      expected: str) -> None:
    driver = Driver(single(spec), ctx)
    before = driver.draft
    snapshot = before.to_json()
    out = driver.text(raw)
    assert out.draft is before and before.to_json() == snapshot
    assert out.submitted is None and not out.discarded
    message = driver.last()
    assert expected in message
    if _example_shown(spec["type"]):
        assert "Example:" in message
    assert out.replies[0].buttons, "the rejection keeps the step's buttons (Cancel at least)"


ACCEPTED: list[tuple[dict[str, Any], str, Any]] = [
    (INTEGER, "１２", 12),
    (INTEGER, "1,234", 1234),
    (INTEGER, " 30人 ", 30),
    (MONEY, "1,234.5", "1234.50"),
    (MONEY, "¥1234.50", "1234.50"),
    (MONEY, "￥1234.50", "1234.50"),
    (MONEY, "1234.5元", "1234.50"),
    (MONEY, "12万", "120000.00"),
    (MONEY, "1.5万元", "15000.00"),
    (MONEY, "0", "0.00"),
    (PAST_DATE, "2027-02-05", "2027-02-05"),
    (PAST_DATE, "2027/2/5", "2027-02-05"),
    (PAST_DATE, "2027.2.5", "2027-02-05"),
    (PAST_DATE, "2月5日", "2027-02-05"),
    (PAST_DATE, "2026年12月31日", "2026-12-31"),
    (PAST_DATE, "20270205", "2027-02-05"),
    (PAST_DATE, "今天", "2027-02-10"),
    (PAST_DATE, "昨天", "2027-02-09"),
    (PAST_DATE, "前天", "2027-02-08"),
    (PAST_DATE, "Yesterday", "2027-02-09"),
    (PAST_DATE, "２０２７－０２－０１", "2027-02-01"),
    (SHORT, "  张三  ", "张三"),
    (LONG, "x" * 4000, "x" * 4000),
    (PHONE, "+86 138-1234-5678", "13812345678"),
    (PHONE, "8613812345678", "13812345678"),
    (PHONE, "020-12345678", "020-12345678"),
    (PHONE, "02012345678", "020-12345678"),
    (PHONE, "(0755) 1234567 转 801", "0755-1234567-801"),
    (PHONE, "+86 10 87654321", "010-87654321"),
    (EMAIL, "Name@Example.COM", "Name@example.com"),
    (EMAIL, "li.si＠qq.com", "li.si@qq.com"),
    (CREDIT, CREDIT_EXAMPLE.lower(), CREDIT_EXAMPLE),
    (CHOICE, "2", "consulting"),
    (CHOICE, "技术攻关", "tackling"),
    (CHOICE, "攻关", "tackling"),
    (CHOICE, "Training", "training"),
    (YES_NO, "是", True),
    (YES_NO, "no", False),
]


@pytest.mark.parametrize(("spec", "raw", "stored"), ACCEPTED, ids=[f"{s['type']}:{r[:20]!r}" for s, r, _ in ACCEPTED])
def test_accepted_input_is_stored_and_moves_on(ctx: FormContext, spec: dict[str, Any], raw: str, stored: Any) -> None:
    driver = Driver(single(spec), ctx)
    rev = driver.draft.rev
    out = driver.text(raw)
    assert out.draft is not None
    assert out.draft.answers[spec["name"]] == stored
    assert out.draft.rev == rev + 1 and out.draft.step == "last"


def test_a_file_too_large_or_of_the_wrong_type_is_refused(ctx: FormContext) -> None:
    driver = Driver(single(ATTACH), ctx)
    before = driver.draft
    out = driver.file("scan.pdf", size=6_000_000)
    assert out.draft is before and "at most 4.8 MB" in driver.last()
    out = driver.file("photo.jpg", mime="image/jpeg")
    assert out.draft is before and "not a file type this question accepts" in driver.last() and ".pdf" in driver.last()
    out = driver.file("plan.pdf")
    assert out.draft is not None and out.draft.answers["a"]["name"] == "plan.pdf"
    assert set(out.draft.answers["a"]) == {"file_id", "file_unique_id", "name", "size", "mime_type", "kind"}


def test_a_file_where_text_is_expected_is_refused(ctx: FormContext) -> None:
    driver = Driver(single(SHORT), ctx)
    before = driver.draft
    assert driver.file().draft is before
    assert "not a file" in driver.last()


def test_multiple_attachments_collect_until_done(ctx: FormContext) -> None:
    driver = Driver(single({"name": "a", "type": "attachment", "multiple": True}), ctx)
    assert "f:7:1:ok" not in driver.actions(), "Done appears only once a file is in"
    driver.file("one.pdf")
    driver.file("two.jpg", mime="image/jpeg", kind="photo")
    assert driver.draft.step == "a" and [f["name"] for f in driver.draft.answers["a"]] == ["one.pdf", "two.jpg"]
    assert "one.pdf" in driver.last()
    driver.press("rl")
    assert [f["name"] for f in driver.draft.answers["a"]] == ["one.pdf"]
    driver.press("ok")
    assert driver.draft.step == "last"


def test_skip_after_sending_files_keeps_them(ctx: FormContext) -> None:
    driver = Driver(single({"name": "a", "type": "attachment", "multiple": True, "required": False}), ctx)
    driver.file("one.pdf")
    driver.command("skip")
    assert driver.draft.step == "last" and [f["name"] for f in driver.draft.answers["a"]] == ["one.pdf"]


def test_required_multiple_attachments_cannot_finish_empty(ctx: FormContext) -> None:
    driver = Driver(single({"name": "a", "type": "attachment", "multiple": True}), ctx)
    before = driver.draft
    assert driver.command("skip").draft is before
    assert "cannot be skipped" in driver.last()


def test_integer_default_is_one_tap(ctx: FormContext) -> None:
    driver = Driver(single({"name": "year", "type": "integer", "default": "next_year"}), ctx)
    assert "Example: 2028" in driver.last()
    driver.press("u")
    assert driver.draft.answers["year"] == 2028


def test_choice_by_button_and_unknown_index_is_stale(ctx: FormContext) -> None:
    driver = Driver(single(CHOICE), ctx)
    before = driver.draft
    stale = driver._feed(ButtonInput("f:7:1:c:99"))
    assert stale.draft is before and "moved on" in driver.last()
    driver = Driver(single(CHOICE), ctx)
    driver.press("c:2")
    assert driver.draft.answers["k"] == "tackling"


def test_counters_by_lines_by_order_or_one_tap(ctx: FormContext) -> None:
    spec = {"name": "o", "type": "counters", "choices_from": "outcome_fields", "required": False}
    driver = Driver(single(spec), ctx)
    driver.text("解决问题: 3\n制定标准：1")
    assert driver.draft.answers["o"] == {"problems_solved": 3, "standards": 1}
    driver = Driver(single(spec), ctx)
    driver.text("2 5")
    assert driver.draft.answers["o"] == {"problems_solved": 2, "standards": 5}
    driver = Driver(single(spec), ctx)
    driver.text("标准 4")
    assert driver.draft.answers["o"] == {"problems_solved": 0, "standards": 4}
    driver = Driver(single(spec), ctx)
    before = driver.draft
    assert driver.text("lots").draft is before and "name: number" in driver.last()
    assert driver.text("1 2 3").draft is before and "3 numbers for 2 items" in driver.last()
    driver.press("z")
    assert driver.draft.answers["o"] == {"problems_solved": 0, "standards": 0}
