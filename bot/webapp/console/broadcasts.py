"""The console's broadcast pages: the list, the composer (count, test to yourself, send, schedule), the report.

Plain HTML forms. What a broadcast does is the chat's use case (``services.broadcasts``): the same
recipients deduplicated by person, the same outbox rows, quiet hours and audit entries. The composer's
audience is a union of groups; "station managers and liaisons" is narrowed by the station conditions,
which all hold at once. The recipient count is ``GET /console/broadcasts/count`` for the form's
current fields (JSON): the console's script refreshes the count as the audience changes, and without a
script the "Count recipients" button re-renders the composer with it. The composer may attach one document
(a multipart form: the console's only upload), checked as chat checks one (``services.broadcasts.ATTACHMENT``)
and sent by the outbox with the text as its caption.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import UploadFile

from bot.webapp.auth import services_of
from bot.webapp.console.auth import BAD_FORM, ConsoleRefused, Staff, changing, console_staff
from bot.webapp.console.render import PAGE_HEADERS, page
from bot.webapp.params import form_int
from conversations import broadcast as compose
from conversations.fields import FieldError
from conversations.types import FileInput
from locales import N_, T, render
from services import broadcasts as use
from storage.broadcasts import by_form_token, recent_broadcasts, status_counts
from storage.console import csrf_ok
from storage.datetimes import local
from storage.models import Broadcast, OutboxStatus
from storage.recipients import station_choices

router = APIRouter(prefix="/console", include_in_schema=False)

GROUPS = ("managers", "demand_contacts", "staff")
SELECTS = ("profile", "region", "station_type", "society", "society_level")
LIST_SIZE = 20
# Recipients a report page lists (the counts cover them all): a network-wide broadcast has 10,000.
REPORT_PAGE = 200
NOT_FOUND = N_("There is no such broadcast.")
# The composer loads the console's script, which asks /console/broadcasts/count as the audience changes.
SCRIPT_POLICY = PAGE_HEADERS["Content-Security-Policy"] + "; script-src 'self'; connect-src 'self'"
NOT_CANCELLABLE = N_("Only a scheduled broadcast that has not started can be cancelled.")
# The composer's body with its document: the file's limit and room for the fields.
UPLOAD_LIMIT = (use.ATTACHMENT.max_size or 0) + 256 * 1024
TOO_LARGE = N_("The document is too large for a broadcast (at most 20 MB). Go back and attach a smaller file.")


def fields_of(values: Mapping[str, str]) -> dict[str, str]:
    """The composer's fields from a query string or a posted form (unknown fields dropped, lengths capped)."""
    kept = {k: values.get(k, "")[:100] for k in (*GROUPS, *SELECTS, *compose.FLAGS, "when")}
    kept["text"] = values.get("text", "")[:use.MAX_TEXT]
    return kept


def filters_of(fields: Mapping[str, str], societies: Mapping[str, str]) -> list[dict[str, str]]:
    """The audience in the chat's filter form: one entry per chosen group."""
    filters: list[dict[str, str]] = []
    if fields.get("managers"):
        stations = {"type": compose.STATIONS}
        stations.update({k: fields[k] for k in SELECTS if fields.get(k)})
        stations.update({k: "1" for k in compose.FLAGS if fields.get(k)})
        if "society" in stations:
            stations["society_name"] = societies.get(stations["society"], stations["society"])
        filters.append(stations)
    filters += [{"type": group} for group in ("demand_contacts", "staff") if fields.get(group)]
    return filters


async def audience(request: Request, fields: Mapping[str, str]) -> tuple[list[dict[str, str]], int, dict[str, Any]]:
    """The filters, their recipient count and the menus' choices."""
    services = services_of(request)
    async with services.db.session() as session:
        choices = await station_choices(session)
        filters = filters_of(fields, dict(choices["society"]))
        count = len(await use.recipients(session, filters, services.today())) if filters else 0
    return filters, count, choices


async def composer_page(request: Request, staff: Staff, fields: Mapping[str, str], *, errors: list[str] | None = None,
                        notice: str = "") -> HTMLResponse:
    services = services_of(request)
    filters, count, choices = await audience(request, fields)
    async with services.db.session() as session:
        items = await recent_broadcasts(session, LIST_SIZE)
        counts = await status_counts(session, [i.id for i in items if i.id is not None])
    now = services.now()
    rows = [(item, counts.get(item.id or 0, {}), list_state(item, counts.get(item.id or 0, {}), now)) for item in items]
    response = page(request, "broadcasts.html", staff.tr, staff=staff, fields=fields, choices=choices, count=count,
                    filters=render(compose.describe(filters), staff.tr) if filters else "",
                    errors=errors or [], notice=notice, rows=rows, form_token=secrets.token_urlsafe(24),
                    levels={k: render(v, staff.tr) for k, v in compose.SOCIETY_LEVELS.items()},
                    states=use_states(staff), at=lambda v: local(v, services.settings.tz) if v else None,
                    flags=compose.FLAGS, attachment_types=",".join(t for t in use.ATTACHMENT.accept if t.startswith(".")),
                    labels={k: render(v, staff.tr) for k, v in compose.CONDITION_LABELS.items()})
    response.headers["Content-Security-Policy"] = SCRIPT_POLICY
    return response


def list_state(item: Broadcast, counts: Mapping[str, int], now: dt.datetime) -> str:
    waiting = counts.get(OutboxStatus.pending.value, 0) + counts.get(OutboxStatus.sending.value, 0)
    return use.state_of(item, waiting, now)


def use_states(staff: Staff) -> dict[str, str]:
    return {k: render(v, staff.tr) for k, v in compose.BROADCAST_STATES.items()}


@router.get("/broadcasts", response_class=HTMLResponse)
async def broadcasts(request: Request, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    """The list and the composer; the "Count recipients" button (no script) submits the fields here by GET."""
    query = request.query_params
    return await composer_page(request, staff, fields_of(query) if query else fields_of({"managers": "1"}))


@router.get("/broadcasts/count")
async def count(request: Request, staff: Staff = Depends(console_staff)) -> JSONResponse:
    """How many people the form's current audience reaches (each person once)."""
    filters, found, _choices = await audience(request, fields_of(request.query_params))
    return JSONResponse({"count": found, "audience": render(compose.describe(filters), staff.tr) if filters else ""})


@dataclass(frozen=True)
class Upload:
    """The composer's attached document, read whole (at most ``use.ATTACHMENT.max_size`` and a little)."""

    name: str
    mime_type: str
    content: bytes

    def as_input(self) -> FileInput:
        """As chat sees a document, so that one check (``use.attachment_of``) serves both."""
        return FileInput(file_id="", file_unique_id="", name=self.name, size=len(self.content),
                         mime_type=self.mime_type)


async def signed_with_upload(request: Request, staff: Staff = Depends(console_staff)
                             ) -> tuple[Staff, dict[str, str], Upload | None]:
    """``changing`` for the composer, whose form may be multipart with one file: the same CSRF check."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        staff, form = await changing(request, staff)
        return staff, form, None
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > UPLOAD_LIMIT:
        raise ConsoleRefused(413, TOO_LARGE, staff.tr)
    async with request.form(max_files=1, max_fields=100) as parsed:
        form = {key: value for key, value in parsed.items() if isinstance(value, str)}
        if not csrf_ok(staff.session_token, form.get("csrf", "")):
            raise ConsoleRefused(403, BAD_FORM, staff.tr)
        file = parsed.get("document")
        upload = None
        if isinstance(file, UploadFile) and file.filename:
            content = await file.read(UPLOAD_LIMIT + 1)
            upload = Upload(file.filename[-200:], file.content_type or "", content) if content else None
    return staff, form, upload


@router.post("/broadcasts")
async def compose_broadcast(request: Request, signed: tuple[Staff, dict[str, str], Upload | None] = Depends(
        signed_with_upload)) -> Response:
    """``action``: ``test`` (to the signed-in staff member's chat only), ``send`` or ``schedule``."""
    staff, form, upload = signed
    services = services_of(request)
    fields = fields_of(form)
    action = form.get("action", "")
    text = fields["text"].strip()
    errors: list[str] = []
    if not text:
        errors.append(N_("Write the text of the broadcast."))
    if upload is not None:
        try:
            use.attachment_of(upload.as_input())
        except FieldError as error:
            errors.append(render(error.message, staff.tr))
        if len(text) > use.MAX_CAPTION:
            errors.append(render(T("With a document the text is its caption: at most {limit} characters.",
                                   limit=use.MAX_CAPTION), staff.tr))
    now = services.now()
    when: dt.datetime | None = None
    if action == "schedule":
        parsed = compose.parse_when(fields["when"].replace("T", " "), now)
        if isinstance(parsed, T):
            errors.append(render(parsed, staff.tr))
        else:
            when = parsed
    elif action not in ("send", "test"):
        errors.append(N_("Choose to send a test, send now, or schedule."))
    if errors:
        if upload is not None:
            errors.append(N_("Attach the document again: a browser does not keep a file in a returned form."))
        return await composer_page(request, staff, fields, errors=errors)
    async with services.db.transaction() as session:
        person = await session.merge(staff.person)
        document = await use.keep_upload(session, upload.as_input(), upload.content, now=now, when=when) \
            if upload is not None else None
        if action == "test":
            sent = await use.send_test(session, staff=person, text=text, now=now, document=document)
            await session.commit()
            notice = N_("A test was sent to your own chat.") if sent else N_("You have no chat with the bot.")
            return await composer_page(request, staff, fields, notice=notice)
        token = form.get("form_token", "")[:64] or None
        earlier = await by_form_token(session, token) if token else None
        if earlier is not None:  # the same form sent twice (a double click): show the one it created
            return RedirectResponse(f"/console/broadcasts/{earlier.id}", status_code=303)
        choices = await station_choices(session)
        filters = filters_of(fields, dict(choices["society"]))
        try:
            item = await use.create(session, staff=person, text=text, filters=filters, now=now, when=when,
                                    document=document, form_token=token) if filters else None
            if item is not None:
                await session.commit()
        except IntegrityError:  # the other click committed first
            await session.rollback()
            item = await by_form_token(session, token) if token else None
            if item is None:
                raise
        if item is None:
            return await composer_page(request, staff, fields,
                                       errors=[N_("Nobody matches this audience; choose another one.")])
    return RedirectResponse(f"/console/broadcasts/{item.id}", status_code=303)


@router.get("/broadcasts/{broadcast_id}", response_class=HTMLResponse)
async def report(request: Request, broadcast_id: int, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    wanted = request.query_params.get("page", "1")
    return await report_page(request, staff, broadcast_id, page_number=max(form_int(wanted, 1), 1))


async def report_page(request: Request, staff: Staff, broadcast_id: int, notice: str = "",
                      page_number: int = 1) -> HTMLResponse:
    services = services_of(request)
    now = services.now()
    async with services.db.session() as session:
        item = await session.get(Broadcast, broadcast_id)
        if item is None:
            return page(request, "message.html", staff.tr, status_code=404, staff=staff, message=NOT_FOUND)
        (found,) = await use.reports(session, [item], now, services.settings.quiet_hours)
    filters = item.audience.get("filters", [])
    pages = max((len(found.rows) + REPORT_PAGE - 1) // REPORT_PAGE, 1)
    number = min(max(page_number, 1), pages)
    shown = found.rows[(number - 1) * REPORT_PAGE:number * REPORT_PAGE]
    return page(request, "broadcast_report.html", staff.tr, staff=staff, report=found, item=item, notice=notice,
                shown=shown, page_number=number, pages=pages,
                audience=render(compose.describe(filters), staff.tr), states=use_states(staff),
                delivery={k: render(v, staff.tr) for k, v in compose.DELIVERY_STATES.items()},
                cancellable=use.cancellable(item, now), at=lambda v: local(v, services.settings.tz) if v else None)


@router.post("/broadcasts/{broadcast_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, broadcast_id: int,
                 signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    staff, _form = signed
    services = services_of(request)
    async with services.db.transaction() as session:
        person = await session.merge(staff.person)
        cancelled = await use.cancel(session, broadcast_id, staff=person, now=services.now())
    if cancelled is None:
        return page(request, "message.html", staff.tr, staff=staff, message=NOT_CANCELLABLE)
    return await report_page(request, staff, broadcast_id, notice=N_("The broadcast is cancelled."))
