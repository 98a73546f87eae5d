"""Jinja2 rendering in the reader's language: templates call ``_("English msgid")`` through the Babel catalogs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.exports import STATUS_LABELS
from bot.webapp.auth import services_of
from locales import T, Translator, render, translator
from storage.datetimes import local

ENV = Environment(loader=PackageLoader("bot.webapp.console", "templates"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
# The pages need no script and no other origin: a content policy that says so, and no framing (clickjacking).
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}
ROLE_LABELS: dict[str, T] = {"manager": T("station manager"), "liaison": T("station liaison"),
                             "staff": T("staff member"), "demand_contact": T("demand-unit contact")}


def request_translator(request: Request) -> Translator:
    """The language of someone not signed in: English when the browser prefers it, else Chinese."""
    accepted = request.headers.get("accept-language", "").strip().lower()
    return translator("en" if accepted.startswith("en") else "zh_Hans")


def page(request: Request, template: str, tr: Translator, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    zone = services_of(request).settings.tz

    def day(value: dt.date | dt.datetime | None) -> str:
        """A date, or a stored moment as the time where the deployment is (``TIMEZONE``), not UTC."""
        if value is None:
            return ""
        return tr.format_datetime(local(value, zone)) if isinstance(value, dt.datetime) else tr.format_date(value)

    def label(value: str) -> str:
        """A station's or submission's status in words (the export's labels)."""
        text = STATUS_LABELS.get(value)
        return render(text, tr) if text is not None else value

    def role(value: str) -> str:
        text = ROLE_LABELS.get(value)
        return render(text, tr) if text is not None else value

    html = ENV.get_template(template).render(_=tr.gettext, lang=tr.locale.replace("_", "-"), day=day, label=label, role=role,
                                             request=request, **context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
