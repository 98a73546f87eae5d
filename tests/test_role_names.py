"""One role, one Chinese name: the demand-unit contact is 需求单位联系人 in chat and in the console.

The regulations say 需求单位 for the served organisations (seed 003 uses it 18 times, 需求方 three times,
and 需求方 there is the side that evaluates, kept in "需求方评价"). Chat uses ``ROLE_NAMES``, the console
and the buttons ``ROLE_TITLES``; both must name the contact the same way.
"""

from __future__ import annotations

from conversations.onboarding import ROLE_NAMES, ROLE_TITLES
from locales import render, translator


def test_seed003_the_demand_unit_contact_has_one_chinese_name_in_chat_and_console() -> None:
    zh = translator("zh_Hans")
    assert render(ROLE_NAMES["demand_contact"], zh) == "需求单位联系人"
    assert zh.gettext(ROLE_TITLES["demand_contact"]) == "需求单位联系人"
