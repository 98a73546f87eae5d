"""Minimums and score estimates from the ledger; capital numerals; identifiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.identifiers import credit_code_problem, credit_code_with_check, email_valid, normalise_phone
from rules.numerals import to_chinese_capital
from rules.profile import load_profile
from rules.scoring import estimate_score, minimums_status, totals_from_rows


@dataclass
class Row:
    activity_type: str = "tackling"
    demand_unit_id: int | None = 1
    experts: str = ""
    experts_outside_province: int = 0
    expert_days: int = 0
    participants: int = 0
    outcomes: dict[str, Any] = field(default_factory=dict)


def test_guiyang_minimums_by_society_level() -> None:
    rows = [Row(experts="张三, 李四", experts_outside_province=1) for _ in range(4)] + [Row(demand_unit_id=None)]
    totals = totals_from_rows(rows)
    status = {m.id: m for m in minimums_status(totals, load_profile("guiyang-kczg"), "provincial")}
    assert (status["needs_served"].actual, status["needs_served"].required, status["needs_served"].met) == (4, 5, False)
    assert status["experts"].actual == 2, "the same expert twice counts once"
    assert "experts_outside" not in status, "only national societies have the outside-province floor"
    national = {m.id: m for m in minimums_status(totals, load_profile("guiyang-kczg"), "national")}
    assert national["experts_outside"].required == 5 and national["experts_outside"].actual == 4


def test_quzhou_score_worked_example() -> None:
    # expert days 35 -> 3; reports 1 written + 2 adopted = 3 x 5 = 15 capped at 10; 1 big meeting 10
    # + 1 salon 5 = 15 capped at 10; 2 problems solved = 10 (no cap); 1 group standard = 3;
    # 1 provincial award: first-award bonus 3 + provincial 3 = 6; media 1 national = 5.
    # Total = 3 + 10 + 10 + 10 + 3 + 6 + 5 = 47 -> below 60; building (35) is staff-assessed.
    rows = [Row(expert_days=35, outcomes={"reports_written": 1, "reports_adopted": 2, "big_meetings": 1, "salons": 1,
                                          "problems_solved": 2, "standards_group": 1, "awards_provincial": 1,
                                          "media_national": 1})]
    estimate = estimate_score(totals_from_rows(rows), load_profile("quzhou"))
    assert estimate is not None
    assert estimate.total == 47 and estimate.passes is False
    assert estimate.manual_points_missing == 35
    with_building = estimate_score(totals_from_rows(rows), load_profile("quzhou"),
                                   {"facilities": 8, "funding_systems": 8, "project_planning": 4})
    assert with_building is not None and with_building.total == 67 and with_building.passes is True


@pytest.mark.parametrize(("days", "points"), [(29, 0), (30, 3), (40, 3), (41, 5)])
def test_quzhou_expert_day_bands(days: int, points: int) -> None:
    estimate = estimate_score(totals_from_rows([Row(expert_days=days)]), load_profile("quzhou"))
    assert estimate is not None
    assert next(line for line in estimate.lines if line.id == "expert_days").points == points


def test_wuhan_counters_against_targets() -> None:
    rows = [Row(outcomes={"enterprise_visits": 120, "media_city": 2, "media_national": 1})]
    estimate = estimate_score(totals_from_rows(rows), load_profile("wuhan-qis"))
    assert estimate is not None and estimate.passes is None
    lines = {line.id: line for line in estimate.lines}
    assert (lines["enterprise_visits"].actual, lines["enterprise_visits"].target) == (120, 500)
    assert lines["media_reports"].actual == 3


@pytest.mark.parametrize(("amount", "words"), [
    ("100000", "壹拾万元整"), ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"), ("100000.05", "壹拾万元零伍分"),
    ("0", "零元整"), ("10.5", "壹拾元伍角"), ("1005", "壹仟零伍元整"), ("100100", "壹拾万零壹佰元整"),
    ("10010000", "壹仟零壹万元整"), ("100000000", "壹亿元整"), ("0.05", "伍分"), ("17000.50", "壹万柒仟元伍角"),
])
def test_chinese_capital_numerals(amount: str, words: str) -> None:
    assert to_chinese_capital(Decimal(amount)) == words


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_credit_code_check_digit_round_trip(first17: str) -> None:
    code = credit_code_with_check(first17)
    assert credit_code_problem(code) is None
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert credit_code_problem(wrong) == "check_digit"


def test_identifiers() -> None:
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91350100M000100Y4") == "length"
    assert credit_code_problem("91350100M000100YI3") == "charset"
    assert normalise_phone("+86 138-0013-8000") == "13800138000"
    assert normalise_phone("020-12345678") == "020-12345678"
    assert normalise_phone("12345") is None
    assert email_valid("a.b@example.cn") and not email_valid("abc@")
