"""人民币大写 per the People's Bank of China rules for filling in bills."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules.numerals import to_chinese_capital


@pytest.mark.parametrize(("amount", "words"), [
    ("100000", "壹拾万元整"), ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"), ("100000.05", "壹拾万元零伍分"),
    ("0", "零元整"), ("10.5", "壹拾元伍角"), ("1005", "壹仟零伍元整"), ("100100", "壹拾万零壹佰元整"),
    ("10", "壹拾元整"), ("15", "壹拾伍元整"), ("1010", "壹仟零壹拾元整"), ("1000", "壹仟元整"),
    ("10010000", "壹仟零壹万元整"), ("100000000", "壹亿元整"), ("100000001", "壹亿零壹元整"),
    ("0.05", "伍分"), ("0.5", "伍角"), ("17000.50", "壹万柒仟元伍角"), ("50000", "伍万元整"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"), ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"), ("200000.10", "贰拾万元壹角"), ("1.999", "贰元整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("300000000000", "叁仟亿元整"), ("101010101", "壹亿零壹佰零壹万零壹佰零壹元整"),
])
def test_chinese_capital_numerals(amount: str, words: str) -> None:
    assert to_chinese_capital(Decimal(amount)) == words


def test_beyond_qianyi_is_refused() -> None:
    with pytest.raises(ValueError, match="千亿"):
        to_chinese_capital(Decimal("1000000000000"))
