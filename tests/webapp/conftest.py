"""A running sandbox bot wrapped in the web app, and an httpx client talking to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.services import FixedClock
from bot.settings import Settings
from bot.webapp.app import create_web_app
from storage.api_tokens import create_api_token
from storage.db import Database
from testing.client import Sandbox

SECRET = "s3cret-webhook-token-0123456789"


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"telegram_webhook_secret": SECRET,
                                       "telegram_webhook_url": "https://bot.example.org/telegram/hook"})


@pytest.fixture
async def web_box(web_settings: Settings, db: Database, clock: FixedClock) -> AsyncIterator[Sandbox]:
    box = Sandbox(web_settings, db, clock)
    box.services.background_jobs = False
    async with box:
        yield box


@pytest.fixture
async def client(web_box: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    app = create_web_app(web_box.app, web_box.services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
async def api_token(db: Database, clock: FixedClock) -> str:
    async with db.session() as session:
        token, _ = await create_api_token(session, "tests", clock(), scope="individual")
        await session.commit()
    return token
