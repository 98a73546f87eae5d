"""How a duty, a date or a limit says where it comes from: "《办法》第十六条" or "学会规定" (pure).

A manager reads /status as the regulation's verdict, so every date the bot shows carries
its source next to it: the seed's own name for its document and the article, or the
society's rule when the seed sets nothing (issue 10, section 2).
"""

from __future__ import annotations

from locales import Raw, T, Text
from rules.profile import Profile, all_profiles, is_society_rule, source_article

SOCIETY_RULE_TEXT = T("society rule")
NO_SOURCE = T("source not given")


def source_text(profile: Profile, source: str) -> Text:
    """"《办法》第十六条" for ``seed 002 第十六条: ...``; "学会规定" for a society rule."""
    if is_society_rule(source):
        return SOCIETY_RULE_TEXT
    cited = source_article(source)
    if cited is None:
        return NO_SOURCE
    article = T("annex") if cited[1] == "annex" else Raw(cited[1])  # "seed 002 annex": 附件 in Chinese
    return T("{document} {article}", document=T(profile.regulation.name), article=article)


def duty_button(kind: str) -> str:
    """Callback data of the button that opens a duty's own form (``du:<duty id>``, re-checked on press)."""
    return f"du:{kind}"


def duty_label(kind: str, profile: Profile | None = None) -> Text:
    """The duty's name in the reader's language: from the station's profile, else any profile declaring it."""
    for candidate in ([profile] if profile is not None else []) + list(all_profiles().values()):
        spec = candidate.submission(kind)
        if spec is not None:
            return T(spec.label)
    return Raw(kind)
