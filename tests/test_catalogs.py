"""Every user-facing msgid in code and data files has a Chinese translation; formats are per locale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from locales import T, normalise_locale, render, translator
from locales.catalog import all_msgids, missing


def test_catalog_extraction_finds_the_code_and_data_strings() -> None:
    found = all_msgids()
    assert "Invitation for {role} — {place}." in found
    assert len(found) > 40


def test_no_msgid_lacks_a_chinese_translation() -> None:
    gaps = missing("zh_Hans")
    assert not gaps, "untranslated msgids (file: msgid):\n" + "\n".join(f"{w}: {m}" for m, w in gaps.items())


def test_chinese_placeholders_match_the_english_ones() -> None:
    import string

    zh = translator("zh_Hans")
    for msgid in all_msgids():
        names = {f[1] for f in string.Formatter().parse(msgid) if f[1]}
        translated = zh.gettext(msgid)
        assert {f[1] for f in string.Formatter().parse(translated) if f[1]} == names, msgid


def test_telegram_language_codes_map_to_supported_locales() -> None:
    assert normalise_locale("zh-CN") == "zh_Hans"
    assert normalise_locale("zh-hans") == "zh_Hans"
    assert normalise_locale("zh-TW") == "zh_Hans"
    assert normalise_locale("en-US") == "en"
    assert normalise_locale(None) == "zh_Hans"
    assert normalise_locale("ru") == "zh_Hans"


def test_dates_and_money_are_formatted_per_locale() -> None:
    text = T("{day} {amount}", day=dt.date(2027, 2, 26), amount=Decimal("1234.5"))
    assert render(text, translator("zh_Hans")) == "2027年2月26日 ¥1,234.50"
    assert render(text, translator("en")) == "Feb 26, 2027 CN¥1,234.50"
