"""Unified social credit codes (GB 32100-2015), mainland phone numbers, e-mail addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.identifiers import (
    credit_code_problem,
    credit_code_with_check,
    email_valid,
    normalise_phone,
)


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_credit_code_check_digit_round_trip(first17: str) -> None:
    code = credit_code_with_check(first17)
    assert credit_code_problem(code) is None
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert credit_code_problem(wrong) == "check_digit"


@pytest.mark.parametrize(("code", "problem"), [
    ("91350100M000100Y43", None),
    ("91350100m000100y43", None),          # lower case typed on a phone
    ("９１３５０１００M000100Y43", None),   # full-width digits
    ("91350100M000100Y4", "length"),
    ("91350100M000100YI3", "charset"),      # I is not in the alphabet
    ("91350100M000100Y44", "check_digit"),
    ("", "length"),
])
def test_credit_code_problems(code: str, problem: str | None) -> None:
    assert credit_code_problem(code) == problem


@pytest.mark.parametrize(("text", "phone"), [
    ("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"), ("8613800138000", "13800138000"),
    ("0086 13800138000", "13800138000"), ("１３８００１３８０００", "13800138000"),
    ("020-12345678", "020-12345678"), ("(020)12345678", "020-12345678"), ("02012345678", "020-12345678"),
    ("+86 20 1234 5678", "020-12345678"), ("0571-87654321-123", "0571-87654321-123"),
    ("0571-87654321转123", "0571-87654321-123"), ("0755 8888 1234", "0755-88881234"), ("010-1234567", "010-1234567"),
    ("12345", None), ("12800138000", None), ("138001380001", None), ("020-0123456", None), ("abc", None),
    ("13800138000转12", None),
])
def test_normalise_phone(text: str, phone: str | None) -> None:
    assert normalise_phone(text) == phone


@pytest.mark.parametrize(("text", "valid"), [
    ("a.b@example.cn", True), ("zhang_san+station@mail.example.com.cn", True), ("abc@", False),
    ("abc@example", False), ("a b@example.cn", False), ("@example.cn", False), ("x" * 250 + "@a.cn", False),
])
def test_email(text: str, valid: bool) -> None:
    assert email_valid(text) is valid
