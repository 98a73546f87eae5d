"""The ASGI app: ``POST /telegram/{path}`` (the webhook), ``GET /healthz`` and the staff API.

Every GET route also answers HEAD (uptime checkers use it); every response carries
``Cache-Control: no-store`` and ``X-Content-Type-Options: nosniff`` (staff data must not sit in
a proxy's or browser's cache, and an export must not be sniffed into something else).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from telegram import Update
from telegram.ext import Application

from bot.services import Services
from bot.webapp.auth import bearer, token_of
from storage.models import DispatcherLock
from storage.outbox_dispatch import LOCK_NAME

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_ID = 2**63 - 1  # the BIGINT column of processed_update
SECURITY_HEADERS = ((b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"))


class HeadAndHeaders:
    """ASGI middleware: HEAD runs the GET route and drops the body; security headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, wrapped)


def update_problem(payload: object) -> str | None:
    """Why a JSON body is not a Telegram update (None when it is one worth handing to PTB)."""
    if not isinstance(payload, dict):
        return "not an object"
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id <= MAX_UPDATE_ID:
        return "no valid update_id"
    if len(payload) < 2:
        return "no content"
    return None


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
    """Status code and details (database, outbox lease holder host:pid) — the details only for a token."""
    body: dict[str, Any] = {"database": "ok", "dispatcher": None}
    try:
        async with services.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        async with services.db.session() as session:
            lock = await session.get(DispatcherLock, LOCK_NAME)
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
    app.add_middleware(HeadAndHeaders)
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
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            return JSONResponse({"ok": False, "error": "body is not JSON"}, status_code=400)
        problem = update_problem(payload)
        if problem is None:
            try:
                update = Update.de_json(payload, application.bot)
            except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
                update = None
            problem = None if update is not None else "not a Telegram update"
        if problem is not None:
            log.info("webhook: refused a body that is not an update (%s)", problem)
            return JSONResponse({"ok": False, "error": f"not a Telegram update: {problem}"}, status_code=400)
        # Answered at once and handled behind the answer, by the same per-chat ordered processor as
        # polling: a slow update never makes Telegram resend, and the door de-duplicates resends.
        await application.update_queue.put(update)
        return JSONResponse({"ok": True})

    @app.get("/healthz", tags=["health"], responses={503: {"description": "not ok"}})
    async def healthz(request: Request,
                      credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> JSONResponse:
        """``{"status": "ok"}`` (200) or ``{"status": "not ok"}`` (503); with a staff API token also the details."""
        code, body = await health(services)
        public: dict[str, Any] = {"status": "ok" if code == 200 else "not ok"}
        if credentials is not None and code == 200 and await token_of(request, credentials) is not None:
            public.update(body)
        return JSONResponse(public, status_code=code)

    app.include_router(api_router)
    from bot.webapp.assessment_api import router as assessment_router

    app.include_router(assessment_router)
    from bot.webapp.console import install as install_console

    install_console(app)
    from bot.webapp.documents import router as documents_router

    app.include_router(documents_router)
    return app
