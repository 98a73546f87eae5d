"""A webhook process for the two-process test: the real web app, Telegram replaced by the emulator.

Settings come from the environment. The listening port (127.0.0.1, chosen by the OS) is printed on
the first line of stdout once the socket accepts connections. ``GET /_sandbox/sent`` counts the
sendMessage calls this process made (test-only route, never in the product app).
"""

from __future__ import annotations

import asyncio
import socket
import sys

import uvicorn

from bot.settings import Settings
from bot.webapp.app import create_web_app
from storage.db import Database
from testing.client import Sandbox


async def main() -> None:
    settings = Settings(_env_file=None)
    box = Sandbox(settings, Database(settings.database_url))
    box.services.background_jobs = False
    async with box:
        app = create_web_app(box.app, box.services)

        @app.get("/_sandbox/sent")
        async def sent() -> dict[str, int]:
            return {"send_message": sum(1 for c in box.api.calls if c.method == "sendMessage")}

        @app.get("/_sandbox/settle")
        async def settle() -> dict[str, bool]:
            """Answer once every update this process took has been handled."""
            await box.settle()
            return {"settled": True}

        @app.get("/_sandbox/texts")
        async def texts() -> list[str]:
            return [c.text for c in box.api.calls if c.method == "sendMessage"]

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        print(sock.getsockname()[1], flush=True)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        await server.serve(sockets=[sock])


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
