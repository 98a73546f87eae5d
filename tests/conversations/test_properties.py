"""Round trips over many generated values: what a user may type is read back to the same value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from conversations.fields import FieldError, FormContext, display, parse
from conversations.fields.text import CREDIT_CHARSET, credit_check_char
from conversations.formspec import FieldSpec
from locales import translator
from tests.conversations.support import TODAY

CTX = FormContext(today=TODAY)
INTEGER = FieldSpec(name="n", type="integer", label="Q", min=-(10**12), max=10**12)
MONEY = FieldSpec(name="m", type="money", label="Q")
DATE = FieldSpec(name="d", type="date", label="Q")
CREDIT = FieldSpec(name="c", type="credit_code", label="Q")
FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_integers_round_trip_plain_grouped_and_full_width(n: int) -> None:
    assert parse(INTEGER, str(n), CTX, {}) == n
    assert parse(INTEGER, f"{n:,}", CTX, {}) == n
    assert parse(INTEGER, f"{n:,}".translate(FULL_WIDTH), CTX, {}) == n


@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips(amount: Decimal) -> None:
    stored = parse(MONEY, str(amount), CTX, {})
    assert Decimal(stored) == amount and stored == f"{amount:.2f}"
    assert parse(MONEY, f"¥{amount:,.2f}", CTX, {}) == stored
    assert parse(MONEY, f"{amount}元", CTX, {}) == stored
    assert translator("zh_Hans")(display(MONEY, stored, CTX)).startswith("¥")


@given(st.decimals(min_value=0, max_value=99999, places=4, allow_nan=False, allow_infinity=False))
def test_wan_amounts_scale_by_ten_thousand(amount: Decimal) -> None:
    assert parse(MONEY, f"{amount}万", CTX, {}) == f"{amount * 10000:.2f}"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_dates_round_trip_in_every_written_form(day: dt.date) -> None:
    iso = day.isoformat()
    assert parse(DATE, iso, CTX, {}) == iso
    assert parse(DATE, f"{day.year}/{day.month}/{day.day}", CTX, {}) == iso
    assert parse(DATE, f"{day.year}.{day.month}.{day.day}", CTX, {}) == iso
    assert parse(DATE, f"{day.year}年{day.month}月{day.day}日", CTX, {}) == iso


@given(st.text(alphabet=CREDIT_CHARSET, min_size=17, max_size=17), st.sampled_from(CREDIT_CHARSET))
def test_credit_codes_with_the_right_check_character_pass_and_others_fail(body: str, other: str) -> None:
    code = body + credit_check_char(body)
    assert parse(CREDIT, code.lower(), CTX, {}) == code
    wrong = body + other
    if other == code[-1]:
        return
    try:
        parse(CREDIT, wrong, CTX, {})
    except FieldError as error:
        assert f"should be {code[-1]}" in translator("en")(error.message)
    else:
        raise AssertionError(f"{wrong} accepted")


@given(st.text(max_size=30))
def test_parsers_never_crash_on_arbitrary_text(raw: str) -> None:
    for spec in (INTEGER, MONEY, DATE, CREDIT, FieldSpec(name="p", type="phone", label="Q"), FieldSpec(name="e", type="email", label="Q")):
        try:
            parse(spec, raw, CTX, {})
        except FieldError:
            pass
