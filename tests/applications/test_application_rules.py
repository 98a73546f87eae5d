"""The profiles' [application] sections: preconditions naming the seed's articles, 公示, caps, and the form's evidence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conversations.formspec import load_form
from rules.profile import ProfileError, load_profile, load_profile_file

SEEDS = {"gd-quality": "000", "wuhan-qis": "002", "guiyang-kczg": "003", "quzhou": "004"}
ARTICLE = re.compile(r"第[一二三四五六七八九十]+条|[一二三四五六七八九十]+（[一二三四五六七八九十]+）")


@pytest.mark.parametrize("profile_id", sorted(SEEDS))
def test_every_precondition_names_its_seed_article_and_has_evidence_in_the_form(profile_id: str) -> None:
    rules = load_profile(profile_id).application
    assert rules is not None
    names = {f.name for f in load_form("station_application", profile_id).fields}
    for item in rules.preconditions:
        assert item.source.startswith(f"seed {SEEDS[profile_id]} "), item.id
        assert ARTICLE.search(item.source), f"{profile_id} {item.id}: {item.source} names no article"
        assert item.evidence and set(item.evidence) <= names, f"{item.id}: evidence not asked by the form"


def test_articles_per_profile() -> None:
    """gd-quality 第五条（一）–（六）; wuhan-qis 第十三条（一）–（七）; guiyang 三（三）; quzhou 第三条（一）–（六）."""
    def sources(profile_id: str) -> list[str]:
        rules = load_profile(profile_id).application
        assert rules is not None
        return [p.source for p in rules.preconditions]
    assert all("第五条" in s for s in sources("gd-quality")) and len(sources("gd-quality")) == 6
    assert all("第十三条" in s for s in sources("wuhan-qis")) and len(sources("wuhan-qis")) == 7
    assert all("三（三）" in s for s in sources("guiyang-kczg"))
    assert all("第三条" in s for s in sources("quzhou")) and len(sources("quzhou")) == 6


def test_notice_and_caps_follow_the_seeds() -> None:
    """wuhan-qis 第十五条（四） 公示5日 and 第十九条 ≤ 50 stations; quzhou 第三条（六） one per society; gd-quality none."""
    wuhan = load_profile("wuhan-qis").application
    quzhou = load_profile("quzhou").application
    gd = load_profile("gd-quality").application
    assert wuhan is not None and quzhou is not None and gd is not None
    assert (wuhan.notice_days, wuhan.station_cap, wuhan.one_per_society) == (5, 50, False)
    assert "第十九条" in wuhan.cap_source and "第十五条" in wuhan.notice_source
    assert quzhou.one_per_society and "第三条（六）" in quzhou.cap_source and "society rule" in quzhou.notice_source
    assert (gd.notice_days, gd.station_cap) == (None, None)
    assert load_profile("gd-scst").application is None, "seed 001 sets no application procedure"


def test_guiyang_form_asks_for_phases_and_budget_in_capitals() -> None:
    form = load_form("station_application", "guiyang-kczg")
    budget = form.field("budget")
    assert form.field("phases") is not None and budget is not None and budget.total_in_capitals
    assert load_form("station_application", "wuhan-qis").field("budget") is None


@pytest.mark.parametrize(("section", "expected"), [
    ('notice_days = 5\n', "`notice_days` needs `notice_source`"),
    ('station_cap = 50\n', "needs `cap_source`"),
])
def test_unsourced_rules_are_refused(tmp_path: Path, section: str, expected: str) -> None:
    text = (Path(__file__).resolve().parents[2] / "rules" / "profiles" / "gd-quality.toml").read_text(encoding="utf-8")
    text = text.replace("[application]\n", "[application]\n" + section)
    path = tmp_path / "gd-quality.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=re.escape(expected)):
        load_profile_file(path)


def test_a_precondition_without_a_seed_source_is_refused(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[2] / "rules" / "profiles" / "gd-quality.toml").read_text(encoding="utf-8")
    path = tmp_path / "gd-quality.toml"
    path.write_text(text.replace('source = "seed 000 第五条（二）"', 'source = "because"'), encoding="utf-8")
    with pytest.raises(ProfileError, match="source"):
        load_profile_file(path)
