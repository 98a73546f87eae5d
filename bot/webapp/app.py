"""The ASGI app: ``POST /telegram/{path}`` (the webhook), ``GET /healthz`` and the staff API."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from telegram import Update
from telegram.ext import Application

from bot.services import Services
from storage.models import DispatcherLock

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
OUTBOX_LOCK = "outbox"


def webhook_path(url: str, secret: str) -> str:
    """The ``<path>`` of ``/telegram/<path>`` this process answers: the last segment of the public URL.

    Only that path is served, so a stray or guessed address gets 404 even with the right header.
    Without a URL (tests, a proxy that rewrites) it is derived from the secret, never equal to it.
    """
    segments = [part for part in urlsplit(url).path.split("/") if part]
    if segments:
        return segments[-1]
    return hashlib.sha256(("stationbot-webhook:" + secret).encode("utf-8")).hexdigest()[:24]


def _secret_ok(given: str | None, expected: str) -> bool:
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


async def health(services: Services) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"database": "ok", "dispatcher": None}
    try:
        async with services.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        async with services.db.session() as session:
            lock = await session.get(DispatcherLock, OUTBOX_LOCK)
    except Exception as exc:  # any database failure makes the process unhealthy
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        body["database"] = "unavailable"
        return 503, body
    if lock is not None:
        now = services.now()
        body["dispatcher"] = {"holder": lock.holder, "expires_at": lock.expires_at.isoformat(),
                              "live": lock.expires_at > now}
    return 200, body


def create_web_app(application: Application, services: Services) -> FastAPI:
    """One FastAPI app around an initialised PTB ``application`` (started by the caller)."""
    from bot.webapp.api import router as api_router

    app = FastAPI(title="stationbot", summary="Telegram webhook and the staff API of stationbot",
                  version="1", docs_url="/docs", openapi_url="/openapi.json")
    app.state.services = services
    app.state.application = application
    settings = services.settings
    path_expected = webhook_path(settings.telegram_webhook_url, settings.telegram_webhook_secret)

    @app.post("/telegram/{path}", include_in_schema=False)
    async def telegram_webhook(path: str, request: Request) -> Response:
        if not _secret_ok(request.headers.get(SECRET_HEADER), settings.telegram_webhook_secret):
            return JSONResponse({"ok": False}, status_code=403)
        if not hmac.compare_digest(path.encode("utf-8"), path_expected.encode("utf-8")):
            return JSONResponse({"ok": False}, status_code=404)
        try:
            payload = await request.json()
        except ValueError:
            return JSONResponse({"ok": False}, status_code=400)
        update = Update.de_json(payload, application.bot)
        if update is None:
            return JSONResponse({"ok": False}, status_code=400)
        await application.process_update(update)
        return JSONResponse({"ok": True})

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        code, body = await health(services)
        return JSONResponse(body, status_code=code)

    app.include_router(api_router)
    from bot.webapp.documents import router as documents_router

    app.include_router(documents_router)
    return app
