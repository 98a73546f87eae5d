"""Fixtures of the browser tests: the real app served on 127.0.0.1 and Debian's headless Chromium.

Without /usr/bin/chromium or playwright every test here is skipped, loudly in the pytest header; under CI
(``CI`` set) that is a failure instead, because ``.ci/run`` installs them and must run them.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

from bot.fonts import fontconfig_env
from bot.webapp.app import create_web_app
from testing.client import Sandbox
from tests.browser import CHROMIUM, browser_available
from tests.webapp.conftest import web_box, web_settings

if TYPE_CHECKING:
    from playwright.async_api import Browser

__all__ = ["web_box", "web_settings"]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ours = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
    if browser_available() or not ours:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests, but /usr/bin/chromium or playwright is missing "
                                "(.ci/run installs chromium)")
    skip = pytest.mark.skip(reason="browser tests need Debian's chromium (/usr/bin/chromium) and playwright")
    for item in ours:
        item.add_marker(skip)


@pytest.fixture
async def served(web_box: Sandbox) -> AsyncIterator[str]:
    """The real app on a 127.0.0.1 port; /web links point at it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    web_box.services.settings = web_box.services.settings.model_copy(update={"console_url": base})
    app = create_web_app(web_box.app, web_box.services)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    # The socket already listens: the browser's first connection waits in its backlog until serve() accepts.
    yield base
    server.should_exit = True
    await task
    sock.close()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright

    env: dict[str, str | float | bool] = {**os.environ, **fontconfig_env(tmp_path / "fonts")}
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)
        yield launched
        await launched.close()
