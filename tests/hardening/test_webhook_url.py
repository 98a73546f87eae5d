"""`stationbot webhook` refuses a TELEGRAM_WEBHOOK_URL it would not serve (issue 16, data correctness 2)."""

from __future__ import annotations

import pytest

from bot.cli import parser
from bot.settings import Settings
from bot.webapp.cli import main as webapp_main
from bot.webapp.cli import webhook_problem
from tests.webapp.conftest import SECRET


@pytest.mark.parametrize("url", ["https://example.org/hook", "https://example.org/telegram/",
                                 "https://example.org/telegram/a/b", "https://example.org/api/telegram/x"])
def test_url_outside_telegram_path_is_refused_in_one_sentence(settings: Settings, url: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = settings.model_copy(update={"telegram_webhook_secret": SECRET, "telegram_webhook_url": url})
    assert webapp_main(parser().parse_args(["webhook"]), bad) == 2
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "TELEGRAM_WEBHOOK_URL must end in /telegram/<path>" in out and url in out


def test_a_telegram_path_is_accepted(settings: Settings) -> None:
    good = settings.model_copy(update={"telegram_webhook_secret": SECRET,
                                       "telegram_webhook_url": "https://bot.example.org/telegram/updates"})
    assert webhook_problem(good) is None
