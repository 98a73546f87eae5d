"""Identifiers people type on phones: unified social credit codes, mainland phones, e-mail."""

from __future__ import annotations

import re
import unicodedata

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check
# character computed from the first 17 with weights 3^i mod 31.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
MOBILE = re.compile(r"^1[3-9]\d{9}$")
EXTENSION = re.compile(r"(?:转|ext\.?|x|#)(\d{1,6})$", re.IGNORECASE)
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def credit_check_char(first17: str) -> str:
    """The GB 32100-2015 check character: C18 = 31 - (Σ value(Ci)·Wi mod 31), 31 written as 0."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_with_check(first17: str) -> str:
    """A valid code from its first 17 characters (test data, examples in forms)."""
    return first17 + credit_check_char(first17)


def normalise_credit_code(code: str) -> str:
    """Upper case without spaces; full-width characters typed on phones become ASCII."""
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


def _split_extension(text: str) -> tuple[str, str]:
    """("020-12345678", "123") from "020-12345678转123", "…ext.123", "…x123", "…#123" or "020-12345678-123"."""
    match = EXTENSION.search(text)
    if match:
        return text[:match.start()], match.group(1)
    parts = text.split("-")
    if len(parts) == 3 and parts[0].startswith("0"):
        return "-".join(parts[:2]), parts[2]
    return text, ""


def normalise_phone(text: str) -> str | None:
    """A mainland number in one canonical form, or None when it is neither a mobile nor a landline.

    Mobiles: 11 digits 1[3-9]…, optionally after +86 / 86 / 0086 → "13800138000". Landlines:
    area code (010 and 02x have three digits, the others four) and 7–8 digits, optionally with
    an extension → "020-12345678" or "0571-87654321-123". After +86 the area code's 0 may be
    missing ("+86 20 1234 5678"). Full-width digits and spaces are accepted (phones type them).
    """
    raw = unicodedata.normalize("NFKC", text).strip()
    compact = re.sub(r"[\s().（）]", "", raw.replace("—", "-").replace("－", "-"))
    international = False
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact, international = compact[len(prefix):].lstrip("-"), True
    main, extension = _split_extension(compact)
    digits = main.replace("-", "")
    if not digits.isdigit():
        return None
    if not international and digits.startswith("86") and len(digits) == 13 and MOBILE.match(digits[2:]):
        digits = digits[2:]
    if MOBILE.match(digits) and not extension:
        return digits
    if international and not digits.startswith("0"):
        digits = "0" + digits
    if not digits.startswith("0") or digits.startswith("00"):
        return None
    area_length = 3 if digits[1] in "12" else 4
    area, local = digits[:area_length], digits[area_length:]
    if not 7 <= len(local) <= 8 or local[0] == "0":
        return None
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def email_valid(text: str) -> bool:
    """A plausible address (local@domain.tld, at most 254 characters); delivery is not checked."""
    return bool(EMAIL.match(text.strip())) and len(text.strip()) <= 254
