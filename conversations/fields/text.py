"""Typed text answers: short and long text, e-mail, phone numbers and unified social credit codes."""

from __future__ import annotations

import re

from conversations.fields.base import FieldError, normalise
from conversations.formspec import FieldSpec
from locales import Raw, T
from rules.identifiers import CREDIT_ALPHABET, credit_check_char, normalise_credit_code

SHORT_LIMIT = 200
LONG_LIMIT = 4000


def parse_text(raw: str, spec: FieldSpec) -> str:
    value = raw.strip()
    if not value:
        raise FieldError(T("Please type an answer; an empty message cannot be saved."))
    limit = spec.max_length or (LONG_LIMIT if spec.type == "long_text" else SHORT_LIMIT)
    if len(value) > limit:
        raise FieldError(T(
            "That is {length} characters; the limit here is {limit}. Please shorten it, "
            "or send the full text as an attachment later in the form.",
            length=len(value), limit=limit,
        ))
    return value


_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}", re.ASCII
)


def parse_email(raw: str) -> str:
    value = normalise(raw)
    if len(value) > 254 or not _EMAIL.fullmatch(value) or ".." in value:
        raise FieldError(T("That is not an e-mail address. Please type it like name@example.com."))
    local, _, domain = value.partition("@")
    return f"{local}@{domain.lower()}"


_MOBILE = re.compile(r"(?:\+?86|0086)?(1[3-9][0-9]{9})", re.ASCII)
_LANDLINE = re.compile(
    r"(0[0-9]{2,3})-?([0-9]{7,8})(?:(?:-|转|ext\.?|x|#|分机)([0-9]{1,6}))?", re.ASCII | re.IGNORECASE
)
PHONE_EXPECTED = T(
    "That does not look like a mainland China phone number. Please type a mobile number "
    "(11 digits starting with 1) or a landline with its area code, e.g. 13812345678 or 020-12345678."
)


def parse_phone(raw: str) -> str:
    """Mobile ``1[3-9]`` + 9 digits (optional +86), or landline 0 + area code + 7–8 digits (+ extension)."""
    compact = re.sub(r"[\s()]", "", normalise(raw))
    mobile = _MOBILE.fullmatch(compact.replace("-", ""))
    if mobile:
        return mobile.group(1)
    international = re.fullmatch(r"(?:\+86|0086)-?([1-9][0-9-]+)", compact)
    if international:
        compact = "0" + international.group(1)
    landline = _LANDLINE.fullmatch(compact)
    if not landline:
        raise FieldError(PHONE_EXPECTED)
    digits = landline.group(1) + landline.group(2)
    # 010 and 02x are three-digit area codes; every other area code has four digits.
    area_len = 3 if digits[1] in "12" else 4
    area, number = digits[:area_len], digits[area_len:]
    typed_area = landline.group(1)
    dash_after_area = compact[len(typed_area):len(typed_area) + 1] == "-"
    if not 7 <= len(number) <= 8 or (dash_after_area and typed_area != area):
        raise FieldError(PHONE_EXPECTED)
    extension = landline.group(3)
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


# GB 32100-2015 arithmetic lives in rules/identifiers.py; this module only words the refusals.
CREDIT_CHARSET = CREDIT_ALPHABET
CREDIT_EXAMPLE = "91440101MA59ABCD1" + credit_check_char("91440101MA59ABCD1")


def parse_credit_code(raw: str) -> str:
    code = normalise_credit_code(raw).replace("-", "")
    if len(code) != 18:
        raise FieldError(T(
            "A unified social credit code has 18 characters; this one has {length}. "
            "Please copy it from the business licence, e.g. {example}.",
            length=len(code), example=Raw(CREDIT_EXAMPLE),
        ))
    wrong = next((c for c in code if c not in CREDIT_CHARSET), None)
    if wrong is not None:
        raise FieldError(T(
            "The character {char} never appears in a credit code (the letters I, O, S, V and Z are not used). "
            "Please check the code.",
            char=Raw(wrong),
        ))
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        raise FieldError(T(
            "This credit code does not add up: with these first 17 characters the last character should be "
            "{expected}, not {actual}. Please check the code against the business licence.",
            expected=Raw(expected), actual=Raw(code[17]),
        ))
    return code
