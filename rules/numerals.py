"""人民币大写: amounts in Chinese capital numerals, as budget tables and bank forms require.

Follows the People's Bank of China 《正确填写票据和结算凭证的基本规定》, rule 二:
- an amount ending at 元 is followed by 整 ("壹拾万元整"); after 角, 整 "may be omitted" and we
  omit it ("壹拾元伍角"); after 分 never 整;
- 拾 for ten to nineteen is written 壹拾 ("壹拾万元整");
- a zero (or a run of zeros) between digits is written once as 零 ("壹仟零伍元整");
  where the rule allows either form (元位 or 万位 zero before a non-zero 千/角) we write
  none: "壹仟陆佰捌拾元叁角贰分";
- 角 zero with 分 non-zero needs 零 after 元: "壹万陆仟肆佰零玖元零贰分".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
# The largest amount the units 万 and 亿 can write: 玖仟玖佰玖拾玖亿… 玖角玖分.
MAX_AMOUNT = Decimal("999999999999.99")
SMALL_UNITS = ("", "拾", "佰", "仟")
BIG_UNITS = ("", "万", "亿")


def _group(n: int) -> str:
    """Four digits (0..9999) with 拾佰仟, zeros collapsed to one 零 (no leading/trailing 零)."""
    out = ""
    zero = False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + SMALL_UNITS[position]
    return out


def _integer(n: int) -> str:
    if n == 0:
        return ""
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(BIG_UNITS):
        raise ValueError("amount too large for Chinese capital numerals (up to 千亿)")
    out = ""
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or value < 1000):
            out += "零"
        pending_zero = False
        out += _group(value) + BIG_UNITS[index]
    return out


def writable(amount: Decimal) -> bool:
    """Whether ``to_chinese_capital`` can write the amount (forms check this before a total is shown)."""
    return abs(amount) <= MAX_AMOUNT


def to_chinese_capital(amount: Decimal) -> str:
    """100000 → 壹拾万元整; 1234.56 → 壹仟贰佰叁拾肆元伍角陆分; 100000.05 → 壹拾万元零伍分."""
    if amount < 0:
        return "负" + to_chinese_capital(-amount)
    cents = int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    integer = _integer(yuan)
    if not integer and not jiao and not fen:
        return "零元整"
    out = integer + "元" if integer else ""
    if jiao == 0 and fen == 0:
        return out + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif integer:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    return out
