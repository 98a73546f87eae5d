"""The webhook takes updates only with Telegram's secret header; /healthz reports database and lease."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
import pytest

from bot.settings import Settings
from bot.webapp.app import webhook_path
from bot.webapp.cli import main as webapp_main
from bot.webapp.cli import webhook_problem
from storage.db import Database
from storage.models import DispatcherLock
from testing.client import Sandbox
from tests.conftest import STAFF
from tests.webapp.conftest import SECRET


def help_update(update_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": int(time.time()),
        "chat": {"id": STAFF.id, "type": "private", "first_name": STAFF.first_name},
        "from": STAFF.as_dict(), "text": "/help",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}


def sent_to_staff(box: Sandbox) -> int:
    return len(box.api.calls_to(STAFF.id, "sendMessage"))


@pytest.mark.parametrize("header", [None, "wrong-secret-but-long-enough", SECRET[:-1], ""])
async def test_wrong_or_missing_secret_is_refused(client: httpx.AsyncClient, web_box: Sandbox,
                                                 header: str | None) -> None:
    headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
    response = await client.post("/telegram/hook", json=help_update(7001), headers=headers)
    assert response.status_code == 403
    assert sent_to_staff(web_box) == 0


async def test_right_secret_processes_the_update_once(client: httpx.AsyncClient, web_box: Sandbox) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    response = await client.post("/telegram/hook", json=help_update(7002), headers=headers)
    assert response.status_code == 200
    await web_box.settle()  # the webhook answers at once and handles the update behind the answer
    assert sent_to_staff(web_box) >= 1
    before = sent_to_staff(web_box)
    again = await client.post("/telegram/hook", json=help_update(7002), headers=headers)
    assert again.status_code == 200
    await web_box.settle()
    assert sent_to_staff(web_box) == before  # Telegram's retry of the same update_id is not handled twice


async def test_healthz_reports_database_and_lease(client: httpx.AsyncClient, db: Database, api_token: str) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}  # the public learns only ok / not ok (issue 16)
    token = {"Authorization": f"Bearer {api_token}"}
    assert (await client.get("/healthz", headers=token)).json() == {"status": "ok", "database": "ok",
                                                                     "dispatcher": None}
    expires = dt.datetime(2027, 2, 1, 3, 0, tzinfo=dt.UTC)
    async with db.session() as session:
        session.add(DispatcherLock(name="outbox", holder="host-a:123", expires_at=expires))
        await session.commit()
    assert "host-a" not in (await client.get("/healthz")).text
    body = (await client.get("/healthz", headers=token)).json()
    assert body["dispatcher"]["holder"] == "host-a:123"
    assert body["dispatcher"]["live"] is True


async def test_healthz_is_503_without_a_database(client: httpx.AsyncClient, web_box: Sandbox) -> None:
    web_box.services.db = Database("sqlite+aiosqlite:////nonexistent-folder-stationbot/x/y.db")
    web_box.services.db.engine.sync_engine.dispose()
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ok"}


@pytest.mark.parametrize("secret", ["", "short-secret"])
def test_webhook_command_refuses_a_weak_secret(settings: Settings, secret: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    weak = settings.model_copy(update={"telegram_webhook_secret": secret, "telegram_webhook_url": "https://x.example/t/h"})
    assert webhook_problem(weak) is not None
    from bot.cli import parser

    assert webapp_main(parser().parse_args(["webhook"]), weak) == 2
    out = capsys.readouterr().out
    assert "TELEGRAM_WEBHOOK_SECRET" in out and out.count("\n") == 1


async def test_only_the_configured_path_is_served(client: httpx.AsyncClient, web_box: Sandbox) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    response = await client.post("/telegram/guessed", json=help_update(7003), headers=headers)
    assert response.status_code == 404
    assert sent_to_staff(web_box) == 0


def test_the_path_comes_from_the_url_or_else_from_the_secret() -> None:
    assert webhook_path("https://bot.example.org/telegram/updates", SECRET) == "updates"
    derived = webhook_path("", SECRET)
    assert derived == webhook_path("", SECRET) and len(derived) == 24
    assert SECRET not in derived and derived != webhook_path("", SECRET + "x")


@pytest.mark.parametrize("url", ["", "http://bot.example.org/telegram/hook"])
def test_webhook_command_refuses_a_missing_or_plain_http_url(settings: Settings, url: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    bad = settings.model_copy(update={"telegram_webhook_secret": SECRET, "telegram_webhook_url": url})
    from bot.cli import parser

    assert webapp_main(parser().parse_args(["webhook"]), bad) == 2
    assert "TELEGRAM_WEBHOOK_URL" in capsys.readouterr().out
