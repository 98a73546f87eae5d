"""The round's verdicts from each profile's [assessment] rules: quotas, tiers, ties, consequences."""

from __future__ import annotations

from rules.assessment import Participant, Tie, decide, proposals, quota_size
from rules.profile import all_profiles, load_profile

QUZHOU = load_profile("quzhou").assessment
WUHAN = load_profile("wuhan-qis").assessment
GUIYANG = load_profile("guiyang-kczg").assessment
assert QUZHOU is not None and WUHAN is not None and GUIYANG is not None


def test_every_profile_has_assessment_rules_with_sources() -> None:
    for profile in all_profiles().values():
        spec = profile.assessment
        assert spec is not None, profile.id
        assert spec.period_source and spec.grades_source and spec.rectification_source
        assert all(c.source and c.article for c in spec.consequences)
    assert load_profile("gd-quality").assessment.period_years == 3  # type: ignore[union-attr]
    assert [g.id for g in load_profile("gd-quality").assessment.grades] == [  # type: ignore[union-attr]
        "excellent", "good", "pass", "fail"]


def test_seed004_art17_excellent_is_at_most_20_percent_of_7_participants_so_one() -> None:
    assert quota_size(0.2, 7) == 1 and quota_size(0.2, 10) == 2 and quota_size(0.2, 4) == 0
    stations = [Participant(i, total) for i, total in enumerate((91, 85, 72, 66, 61, 59.5, 40), start=1)]
    outcome = decide(QUZHOU, stations)
    grades = {sid: v.grade for sid, v in outcome.verdicts.items()}
    assert grades == {1: "excellent", 2: "pass", 3: "pass", 4: "pass", 5: "pass", 6: "fail", 7: "fail"}
    assert outcome.complete and outcome.participants == 7
    assert [outcome.verdicts[i].rank for i in range(1, 8)] == [1, 2, 3, 4, 5, 6, 7]


def test_seed004_art17_a_tie_at_the_quota_boundary_goes_to_staff_never_broken_silently() -> None:
    stations = [Participant(i, total) for i, total in enumerate((88, 88, 70, 65, 64, 63, 62), start=1)]
    outcome = decide(QUZHOU, stations)
    assert outcome.ties == [Tie("excellent", (1, 2), 1, 88)]
    assert outcome.verdicts[1].grade is None and outcome.verdicts[2].grade is None and not outcome.complete
    assert outcome.verdicts[1].rank == outcome.verdicts[2].rank == 1
    decided = decide(QUZHOU, stations, staff_order=(2, 1))
    assert decided.complete and decided.verdicts[2].grade == "excellent" and decided.verdicts[1].grade == "pass"


def test_seed004_art13_absence_counts_as_fail_and_is_not_in_the_quota_base() -> None:
    stations = [Participant(1, 90), Participant(2, 80), Participant(3, 70), Participant(4, 65), Participant(5, 62),
                Participant(6, None, took_part=False)]
    outcome = decide(QUZHOU, stations)
    assert outcome.participants == 5 and outcome.verdicts[6].grade == "fail" and outcome.verdicts[6].absent
    assert [v.grade for v in outcome.verdicts.values()].count("excellent") == 1


def test_seed004_art18_5_two_failing_years_in_a_row_propose_revocation_with_clawback() -> None:
    outcome = decide(QUZHOU, [Participant(1, 50), Participant(2, 55), Participant(3, 75)])
    found = proposals(QUZHOU, outcome, history={1: [False, True], 2: [True, False], 3: [True]})
    assert [(p.station_id, p.action, p.clawback, p.article) for p in found] == [
        (1, "revocation", True, "seed 004 第十八条（五）"), (2, "rectification", False, "seed 004 第十七条")]


def test_seed002_art19_tiers_3_5_10_new_stations_take_no_part_in_the_ranking() -> None:
    stations = [Participant(i, 100 - i, staff_grade="pass", new=(i == 2)) for i in range(1, 22)]
    stations.append(Participant(99, 99.5, staff_grade="fail"))
    outcome = decide(WUHAN, stations)
    tiers = {sid: v.tier for sid, v in outcome.verdicts.items()}
    assert [sid for sid, t in tiers.items() if t == "first"] == [1, 3, 4]
    assert [sid for sid, t in tiers.items() if t == "second"] == [5, 6, 7, 8, 9]
    assert len([t for t in tiers.values() if t == "third"]) == 10
    assert tiers[2] is None, "a new station takes no part (seed 002 第十九条)"
    assert tiers[99] is None, "a failed station is not ranked for awards"
    assert [(p.station_id, p.action) for p in proposals(WUHAN, outcome)] == [(99, "revocation")]


def test_seed002_art19_a_tie_at_a_tier_boundary_is_shown_to_staff() -> None:
    stations = [Participant(i, t, staff_grade="pass") for i, t in enumerate((95, 90, 85, 85, 80), start=1)]
    outcome = decide(WUHAN, stations)
    assert outcome.ties == [Tie("first", (3, 4), 1, 85)]
    assert outcome.verdicts[3].tier is None and outcome.verdicts[4].waiting == "tie"
    resolved = decide(WUHAN, stations, staff_order=(4, 3))
    assert resolved.verdicts[4].tier == "first" and resolved.verdicts[3].tier == "second"


def test_seed003_4_3_4_absence_without_reason_proposes_revocation() -> None:
    outcome = decide(GUIYANG, [Participant(1, staff_grade="pass"), Participant(2, took_part=False, staff_grade="fail"),
                               Participant(3, took_part=False, absence_excused=True, staff_grade="fail")])
    assert [(p.station_id, p.action) for p in proposals(GUIYANG, outcome)] == [(2, "revocation"), (3, "rectification")]


def test_seed004_art17_one_staff_choice_settles_a_one_place_tie() -> None:
    stations = [Participant(i, total) for i, total in enumerate((88, 88, 70, 65, 64, 63, 62), start=1)]
    decided = decide(QUZHOU, stations, staff_order=(2,))
    assert decided.complete and decided.verdicts[2].grade == "excellent" and decided.verdicts[1].grade == "pass"


def test_seed000_art17_manager_certificate_expiry_proposes_reexamination() -> None:
    import datetime as dt

    from rules.assessment import certificate_proposals

    spec = load_profile("gd-quality").assessment
    assert spec is not None
    found = certificate_proposals(spec, {1: dt.date(2027, 4, 1), 2: dt.date(2028, 1, 1), 3: None}, dt.date(2027, 3, 1))
    assert [(p.station_id, p.action, p.article) for p in found] == [(1, "reexamination", "seed 000 第十七条")]
    assert certificate_proposals(QUZHOU, {1: dt.date(2027, 4, 1)}, dt.date(2027, 3, 1)) == []
