"""The staff web console: server-rendered pages (Jinja2) on the FastAPI app, signed in by a /web link."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from bot.webapp.console import broadcasts, exports, files, people
from bot.webapp.console.auth import ConsoleRefused
from bot.webapp.console.pages import router
from bot.webapp.console.render import page
from bot.webapp.console.review import router as review_router
from bot.webapp.console.round_verdicts import router as verdicts_router
from bot.webapp.console.rounds import router as rounds_router


def install(app: FastAPI) -> None:
    """Mount the console's routes and its refusal page on ``app``."""

    async def refused(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, ConsoleRefused)
        return page(request, "message.html", exc.tr, status_code=exc.status_code, message=exc.message)

    app.add_exception_handler(ConsoleRefused, refused)
    app.include_router(router)
    app.include_router(review_router)
    app.include_router(broadcasts.router)
    app.include_router(rounds_router)
    app.include_router(verdicts_router)
    app.include_router(people.router)
    app.include_router(exports.router)
    app.include_router(files.router)
