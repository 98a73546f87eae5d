"""Numbers typed on a phone: whole numbers and yuan amounts, forgiving about how they are written."""

from __future__ import annotations

import re
from decimal import Decimal

from conversations.fields.base import FieldError, normalise
from conversations.formspec import FieldSpec
from locales import T
from rules.numerals import MAX_AMOUNT

# Trailing measure words people add out of habit: "12人", "3家", "2028年".
MEASURE_WORDS = "个人家次天项名篇场位件年份"
_GROUPED = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
_INTEGER = re.compile(rf"[+-]?{_GROUPED}", re.ASCII)
_AMOUNT = re.compile(rf"{_GROUPED}(?:\.[0-9]+)?", re.ASCII)
MAX_DIGITS = 15
CENT = Decimal("0.01")


def parse_integer(raw: str, spec: FieldSpec) -> int:
    text = normalise(raw).replace(" ", "").rstrip(MEASURE_WORDS)
    if not _INTEGER.fullmatch(text):
        if re.fullmatch(r"[+-]?[0-9,]*\.[0-9]+", text, re.ASCII):
            raise FieldError(T("Please type a whole number, without decimals."))
        raise FieldError(T("Please type a whole number using digits only."))
    digits = text.replace(",", "")
    if len(digits.lstrip("+-")) > MAX_DIGITS:
        raise FieldError(T("That number is too large. Please check it."))
    value = int(digits)
    low = spec.min if isinstance(spec.min, int) else (0 if spec.min is None else None)
    if low is not None and value < low:
        raise FieldError(T("Please type a number of at least {min}.", min=low))
    if isinstance(spec.max, int) and value > spec.max:
        raise FieldError(T("Please type a number of at most {max}.", max=spec.max))
    return value


def parse_money(raw: str, spec: FieldSpec) -> str:
    """Yuan with up to two decimals; "1,234.5", "¥1234.50", "1234.5元", "1.5万元" all work; stored "1234.50"."""
    text = normalise(raw).replace(" ", "").upper()
    for prefix in ("人民币", "RMB", "CNY", "¥"):
        text = text.removeprefix(prefix)
    for suffix in ("元整", "元", "圆", "块", "RMB", "CNY"):
        text = text.removesuffix(suffix)
    scale = Decimal(1)
    if text.endswith("万"):
        text, scale = text[:-1], Decimal(10000)
    if text.startswith("-"):
        raise FieldError(T("An amount cannot be negative. Please type it like 12,500.00."))
    if not _AMOUNT.fullmatch(text) or len(text.replace(",", "").replace(".", "")) > MAX_DIGITS:
        raise FieldError(T(
            "Please type an amount in yuan using digits, e.g. 12500, 12,500.00, ¥12500 or 1.25万."
        ))
    amount = Decimal(text.replace(",", "")) * scale
    if amount != amount.quantize(CENT):
        raise FieldError(T("An amount has at most two decimals (fen), e.g. 1234.56."))
    if amount > MAX_AMOUNT:
        raise FieldError(T("That amount is too large to write in Chinese capital numerals (人民币大写 goes up to {max} yuan). "
                           "Please check it.", max=MAX_AMOUNT))
    if spec.min is not None and amount < Decimal(str(spec.min)):
        raise FieldError(T("The amount must be at least {min}.", min=Decimal(str(spec.min))))
    if spec.max is not None and amount > Decimal(str(spec.max)):
        raise FieldError(T("The amount must be at most {max}.", max=Decimal(str(spec.max))))
    return str(amount.quantize(CENT))
