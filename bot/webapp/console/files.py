"""Downloads behind the station page, for staff only: a document as the manager printed it, its stamped copy,
and the evidence attached to a ledger row.

Stamped copies and evidence were sent to the bot in Telegram and are kept there (the row holds the file id):
they are fetched through the bot's own ``getFile`` on request. Every file goes out as an attachment with a
safe content type, so an uploaded HTML file cannot run in the console's origin.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from telegram.error import TelegramError

from bot.documents import DOCX_MIME
from bot.webapp.auth import services_of
from bot.webapp.console.auth import ConsoleRefused, Staff, console_staff
from bot.webapp.console.render import PAGE_HEADERS
from locales import N_
from storage.models import Activity, SubmissionDocument

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console", include_in_schema=False)
NO_FILE = N_("There is no such file.")
UNREACHABLE = N_("The file could not be fetched from Telegram just now. Try again in a minute.")
# Types a browser may be told; anything else is sent as bytes to save.
SAFE_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/webp", DOCX_MIME,
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/msword"}


def attachment(content: bytes, name: str, media_type: str | None) -> Response:
    kind = media_type if media_type in SAFE_TYPES else "application/octet-stream"
    return Response(content, media_type=kind,
                    headers={**PAGE_HEADERS, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


async def from_telegram(request: Request, staff: Staff, meta: dict[str, Any]) -> Response:
    """The bytes of a file the bot received (``meta`` as ``conversations.fields.files.parse_file`` keeps it)."""
    application = request.app.state.application
    if application is None or not meta.get("file_id"):
        raise ConsoleRefused(404, NO_FILE, staff.tr)
    try:
        found = await application.bot.get_file(str(meta["file_id"]))
        content = bytes(await found.download_as_bytearray())
    except TelegramError as error:
        log.warning("console: file %s not fetched from Telegram: %s", meta.get("file_unique_id", ""), error)
        raise ConsoleRefused(502, UNREACHABLE, staff.tr) from error
    kind = meta.get("mime_type") or ("image/jpeg" if meta.get("kind") == "photo" else None)
    return attachment(content, str(meta.get("name") or "file"), kind)


@router.get("/documents/{document_id}.docx")
async def document_file(request: Request, document_id: int, staff: Staff = Depends(console_staff)) -> Response:
    async with services_of(request).db.session() as session:
        row = await session.get(SubmissionDocument, document_id)
    if row is None or row.content is None:
        raise ConsoleRefused(404, NO_FILE, staff.tr)
    return attachment(row.content, row.filename, DOCX_MIME)


@router.get("/documents/{document_id}/stamped")
async def stamped_copy(request: Request, document_id: int, staff: Staff = Depends(console_staff)) -> Response:
    async with services_of(request).db.session() as session:
        row = await session.get(SubmissionDocument, document_id)
    if row is None or not row.scan:
        raise ConsoleRefused(404, NO_FILE, staff.tr)
    return await from_telegram(request, staff, row.scan)


@router.get("/activities/{activity_id}/evidence/{n}")
async def evidence(request: Request, activity_id: int, n: int, staff: Staff = Depends(console_staff)) -> Response:
    async with services_of(request).db.session() as session:
        row = await session.get(Activity, activity_id)
    files = row.attachments if row is not None else []
    if not 0 <= n < len(files) or not isinstance(files[n], dict):
        raise ConsoleRefused(404, NO_FILE, staff.tr)
    return await from_telegram(request, staff, files[n])
