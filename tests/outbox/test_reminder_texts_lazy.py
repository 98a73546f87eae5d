"""A reminder's text is built when first read: the daily sweep reads only the texts of keys not enqueued
before, and what is built is the reply it always was (expiry reminders: the manager's certificate and the
co-operation agreement, at the profile's ``reminders.expiry_days_before``, 90 and 30 days for gd-quality)."""

from __future__ import annotations

import datetime as dt

from conversations.reminders import Recipient, Reminder, StationFacts, expiry_reminders
from conversations.types import Reply
from locales import T, render, translator
from rules.profile import load_profile


def test_the_reply_is_built_once_and_only_when_read() -> None:
    built: list[int] = []

    def build() -> Reply:
        built.append(1)
        return Reply(T("Station status"))

    day = dt.date(2027, 1, 5)
    lazy = Reminder("k", (Recipient(1, 11),), build, day)
    assert built == [] and lazy.key == "k" and lazy.moment == day
    assert lazy.reply == Reply(T("Station status"))
    assert lazy.reply is lazy.reply
    assert built == [1]
    assert lazy == Reminder("k", (Recipient(1, 11),), Reply(T("Station status")), day)
    assert lazy != Reminder("k", (Recipient(1, 11),), Reply(T("Station status")), day + dt.timedelta(days=1))


def test_expiry_texts_say_which_date_and_how_many_days() -> None:
    profile = load_profile("gd-quality")
    today = dt.date(2027, 1, 5)
    facts = StationFacts(7, "站 S", profile, (Recipient(1, 11),), certificate_expiry=today + dt.timedelta(days=20),
                         agreement_end=today + dt.timedelta(days=10))
    found = expiry_reminders(facts, today)
    assert [r.key.split(":")[0] for r in found] == ["certificate", "agreement-end"]
    en = translator("en")
    assert render(found[0].reply.text, en).startswith("The station manager's certificate of 站 S expires on")
    assert "in 20 days" in render(found[0].reply.text, en)
    assert render(found[1].reply.text, en).startswith("The co-operation agreement of 站 S ends on")
    assert "in 10 days" in render(found[1].reply.text, en)
    assert found[1].reply.buttons[0][0].action == "m:status"
    assert expiry_reminders(facts, today + dt.timedelta(days=21)) == []  # both dates have passed
