"""Counted texts agree with their count ("Saved 1 score.", not "Saved 1 scores."): Babel's ngettext via ``TN``.

Chinese has one form; English has two. A msgid that puts a count before a plural noun without ``TN`` fails
the guard below unless it is listed with the reason its count can never be 1 (or it holds several counts).
"""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest

from locales import TN, render, text_from_json, text_to_json, translator
from locales.catalog import all_msgids, plural_msgids

COUNT_BEFORE_PLURAL = re.compile(
    r"\{(n|count|days|total|told|stations|tables|documents|scans|stamped|rows|added)\}( [a-z\-]+)? ([a-z]+s)\b")
NEVER_ONE = {
    # Several counts in one sentence: one ngettext call chooses one form; they stay as written.
    "imported {added} stations, updated {updated}, skipped {skipped}": "several counts (command line)",
    "Round opened; the inputs of {n} stations are frozen; {told} managers told.": "several counts",
    "{kind} {year}: {n} submitted, {stamped} stamped copies received, {waiting} awaiting.": "several counts",
    "Round #{number}: {stations} stations, {tables} assessment tables, {documents} documents, "
    "{scans} stamped copies.": "several counts",
    "Imported {rows} scores for {stations} stations.": "several counts",
    "You sent {sent} numbers for {total} items.": "several counts",
    "Assessment round {profile} {period}: {status}; {graded} of {total} stations graded; material due {day}.":
        "several counts",
    "{station}: {scored} of {total} rows scored": "every manual table has 5 or more rows",
    # A listing's total, or a loaded calendar: a page or a year of days, never one.
    "shown {first}–{last} of {total} stations; next page: --offset {next}": "a next page means more than one",
    "shown {first}–{last} of {total} stations": "several counts (command line)",
    "The holiday schedule for {years} was loaded ({count} days). Change reports whose deadline or lateness "
    "changed with it: {changed}.": "a year's schedule",
    "loaded {count} days for {years}; change reports whose deadline or lateness changed: {changed}": "a year",
    "{year}\t{count} days loaded": "a year's schedule",
    # Too long: the count is above a limit of many characters.
    "The text is too long ({n} characters); please keep it under {limit}.": "above a limit",
    "The comment is too long ({n} characters); please keep it under {limit}.": "above a limit",
    "The answer is too long ({n} characters); please keep it under {limit}.": "above a limit",
    "TELEGRAM_WEBHOOK_SECRET must be set to a random string of at least {count} characters (letters, digits, _ "
    "and -), for example the output of `python3 -c \"import secrets; print(secrets.token_urlsafe(32))\"`.": "32",
    # Shown only from 3 ratings on (the anonymity rule), or once a cap is reached.
    "Satisfaction: {score} from {n} ratings (target: {target})": "only from 3 ratings on",
    "Warning: {n} stations of this profile are already active; the regulation caps them at {cap}. Approving "
    "creates one more. Approve anyway?": "at or above a cap of several",
}


def placeholders(text: str) -> set[str]:
    return {f[1] for f in string.Formatter().parse(text) if f[1]}


def test_no_counted_text_puts_a_count_before_a_plural_noun_without_a_plural_form() -> None:
    plurals = plural_msgids()
    found = {m: where for m, where in all_msgids().items()
             if m not in plurals and m not in NEVER_ONE and COUNT_BEFORE_PLURAL.search(m)}
    assert found == {}, "use TN(singular, plural, n) for:\n" + "\n".join(f"{w}: {m}" for m, w in found.items())


def test_every_plural_text_has_its_chinese_form_with_the_english_placeholders() -> None:
    zh, en = translator("zh_Hans"), translator("en")
    plurals = plural_msgids()
    assert len(plurals) >= 30
    for singular, plural in plurals.items():
        chinese = zh.ngettext(singular, plural, 1)
        assert chinese not in (singular, plural), f"no Chinese for {singular!r}"
        assert zh.ngettext(singular, plural, 5) == chinese  # one form in Chinese
        assert placeholders(chinese) == placeholders(plural), singular
        assert placeholders(singular) == placeholders(plural), singular
        assert en.ngettext(singular, plural, 1) == singular and en.ngettext(singular, plural, 2) == plural


@pytest.mark.parametrize(("n", "english"), [(0, "Saved 0 scores."), (1, "Saved 1 score."), (2, "Saved 2 scores.")])
def test_the_count_chooses_the_english_form(n: int, english: str) -> None:
    text = TN("Saved {n} score.", "Saved {n} scores.", n=n)
    assert render(text, translator("en")) == english
    assert render(text, translator("zh_Hans")) == f"已保存 {n} 项得分。"


def test_a_counted_text_waits_in_the_outbox_and_is_rendered_at_send_time() -> None:
    """Reminders are stored as JSON and rendered in the recipient's language when sent."""
    text = TN("It is due on {day}: in {days} day.", "It is due on {day}: in {days} days.", 1,
              day=dt.date(2027, 3, 1), days=1)
    stored = text_from_json(text_to_json(text))
    assert stored == text
    assert render(stored, translator("en")) == "It is due on Mar 1, 2027: in 1 day."
    assert render(stored, translator("zh_Hans")) == "截止日期为 2027年3月1日，还有 1 天。"
