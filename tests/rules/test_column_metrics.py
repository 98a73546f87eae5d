"""Profile metrics follow the activity form's declared columns (issue 15): ``sum:<column>`` scores any numeric
column the form declares, with no code naming it; a row naming a column the form does not declare, or one
that is not a number, is refused when the profiles load (the bot does not start)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.columns import check_profile_metrics, ledger_metric_columns
from rules.profile import ProfileError, load_profile_file
from rules.scoring import LedgerTotals, estimate_score, wanted_for

QUZHOU = Path(__file__).resolve().parents[2] / "rules" / "profiles" / "quzhou.toml"
# Seed 004 绩效考核表 活动开展: the expert-days row, here banded on a declared column's sum instead.
ROW = '''metric = "expert_days_average"
bands = [{ low = 30, high = 40, points = 3 }, { low = 40, low_exclusive = true, points = 5 }]'''


def quzhou_scoring(tmp_path: Path, metric: str) -> Path:
    text = QUZHOU.read_text(encoding="utf-8")
    assert ROW in text
    path = tmp_path / "quzhou.toml"
    path.write_text(text.replace(ROW, ROW.replace('"expert_days_average"', f'"{metric}"')), encoding="utf-8")
    return path


def test_the_activity_forms_numeric_columns_are_the_summable_ones() -> None:
    assert ledger_metric_columns("quzhou") == {"participants"}, "text, date and counters columns are not summed"
    assert ledger_metric_columns("wuhan-qis") == {"participants"}, "a variant's relabelled field keeps its column"


def test_a_row_on_a_declared_columns_sum_scores_it(tmp_path: Path) -> None:
    """Seed 004 绩效考核表 (quzhou): the band row scores whatever declared column it names."""
    profile = load_profile_file(quzhou_scoring(tmp_path, "sum:participants"))
    check_profile_metrics([profile])
    assert wanted_for(["sum:participants"]).sums == {"participants"}, "the ledger query sums that column"
    points = {}
    for participants in (29, 35, 41):
        estimate = estimate_score(LedgerTotals(sums={"participants": participants}), profile)
        assert estimate is not None
        points[participants] = next(line.points for line in estimate.lines if line.id == "expert_days")
    assert points == {29: 0.0, 35: 3.0, 41: 5.0}
    # The old name of the same sum keeps working, and reads the same column.
    assert LedgerTotals(sums={"participants": 35}).metric("participants") == 35


@pytest.mark.parametrize(("metric", "expected"), [
    ("sum:headcount", "scoring.items (expert_days).metric: sum:headcount: the activity form declares no numeric "
                      "column 'headcount' (declared: participants)"),
    ("sum:title", "declares no numeric column 'title'"),
])
def test_a_row_on_an_undeclared_column_is_refused_at_load(tmp_path: Path, metric: str, expected: str) -> None:
    profile = load_profile_file(quzhou_scoring(tmp_path, metric))
    with pytest.raises(ProfileError) as error:
        check_profile_metrics([profile])
    assert str(error.value).startswith("quzhou.toml: ") and expected in str(error.value)


def test_a_malformed_column_name_is_refused_by_the_profile_itself(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="sum: expected a column name"):
        load_profile_file(quzhou_scoring(tmp_path, "sum:Head Count"))


def test_a_row_on_an_undeclared_column_stops_the_bot_at_start(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    from bot.app import build_application
    from bot.settings import Settings
    from rules import profile as profile_module

    quzhou_scoring(tmp_path, "sum:headcount")
    monkeypatch.setattr(profile_module, "PROFILES_DIR", tmp_path)
    profile_module.all_profiles.cache_clear()
    try:
        with pytest.raises(ProfileError, match=r"quzhou\.toml: .*no numeric column 'headcount'"):
            build_application(Settings(_env_file=None, telegram_bot_token="1:X"))
    finally:
        profile_module.all_profiles.cache_clear()
