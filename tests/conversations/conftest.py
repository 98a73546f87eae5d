"""Fixtures for the pure form-engine tests: no bot, no database."""

from __future__ import annotations

import pytest

from conversations.engine import FormContext
from tests.conversations.support import CHOICES, TODAY


@pytest.fixture
def ctx() -> FormContext:
    return FormContext(today=TODAY, profile_id="gd-quality", choices=CHOICES,
                       facts={"ledger_counts": {"training": 3, "consulting": 1}})
