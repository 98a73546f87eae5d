"""Identifiers people type on phones: unified social credit codes, mainland phones, e-mail."""

from __future__ import annotations

import re
import unicodedata

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check
# character computed from the first 17 with weights 3^i mod 31.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_with_check(first17: str) -> str:
    return first17 + credit_check_char(first17)


def normalise_credit_code(code: str) -> str:
    return unicodedata.normalize("NFKC", code).strip().upper().replace(" ", "")


def credit_code_problem(code: str) -> str | None:
    """None when valid; else "length", "charset" or "check_digit"."""
    code = normalise_credit_code(code)
    if len(code) != 18:
        return "length"
    if any(c not in CREDIT_ALPHABET for c in code):
        return "charset"
    if credit_check_char(code[:17]) != code[17]:
        return "check_digit"
    return None


def credit_code_valid(code: str) -> bool:
    return credit_code_problem(code) is None


def normalise_phone(text: str) -> str | None:
    """A mainland mobile (11 digits) or landline with area code; None when it is neither."""
    raw = unicodedata.normalize("NFKC", text).strip()
    compact = re.sub(r"[\s()（）]", "", raw)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    elif compact.startswith("86") and len(re.sub(r"\D", "", compact)) == 13:
        compact = compact[2:]
    digits_only = compact.replace("-", "")
    if MOBILE.match(digits_only):
        return digits_only
    if LANDLINE.match(compact):
        return compact
    return None


def email_valid(text: str) -> bool:
    return bool(EMAIL.match(text.strip())) and len(text.strip()) <= 254
