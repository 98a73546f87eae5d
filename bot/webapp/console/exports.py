"""Console: the year's workbook and zips of documents, prepared off the request with a page that shows progress.

Pressing "prepare" adds a ``PreparedDownload`` row, commits, and hands the work to the background
worker (``bot.background``); the page it lands on refreshes itself (no script) until the file is
ready, then offers the download. The files are the ones chat /export, the documents buttons and
the API give: ``bot.exports.export_year`` and ``bot.handlers.documents.zip_of``.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.handlers.documents import downloader, pdf_maker, submitted_kind, zip_of
from bot.handlers.reports import MIN_YEAR
from bot.round_documents import round_zip
from bot.services import Services
from bot.webapp.auth import services_of
from bot.webapp.console.auth import ConsoleRefused, Staff, changing, console_staff
from bot.webapp.console.render import page
from bot.webapp.params import form_int
from locales import N_, translator
from rules.documents import document_kind, registry
from storage.datetimes import db_time
from storage.downloads import (
    FAILED,
    PREPARING,
    READY,
    fail,
    finish,
    preparing_like,
    recent_downloads,
    stalled,
    start_download,
)
from storage.models import AssessmentRound, AuditLog, PreparedDownload
from storage.prepared_files import prepared_content
from storage.rounds import rounds

log = logging.getLogger(__name__)
router = APIRouter(prefix="/console", include_in_schema=False)

REFRESH_SECONDS = 2
NO_DOWNLOAD = N_("There is no such download.")
GONE = N_("This file is no longer kept (files are kept for a week): prepare it again.")
BAD_CHOICE = N_("Choose a year and what to prepare from the lists offered.")
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip": "application/zip"}


def job_name(download_id: int) -> str:
    return f"console-download-{download_id}"


def _years(services: Services) -> list[int]:
    this_year = services.today().year
    return list(range(this_year + 1, max(MIN_YEAR, this_year - 10) - 1, -1))


async def prepare(services: Services, download_id: int) -> None:
    """Make the file in a read session of its own, then keep it in one short write."""
    error, filename, content, count, note = "", "", b"", 0, ""
    async with services.db.session() as session:
        row = await session.get(PreparedDownload, download_id)
        if row is None or row.status != PREPARING:
            return
        try:
            if row.kind == "workbook":
                from bot.exports import export_year

                content = await export_year(session, row.year, translator(row.language), tz=services.settings.tz,
                                            in_child=services.db.url, progress=services.background.progress(job_name(download_id)))
                filename = f"stationbot-{row.year}.xlsx"
            elif row.kind == "round":  # every document of an assessment round (bot.round_documents)
                rnd = await session.get(AssessmentRound, int(row.detail))
                assert rnd is not None
                made = await round_zip(session, rnd, services.settings.tz, downloader(services), pdfs=pdf_maker(services))
                content, filename, count = made.content, made.filename, made.documents + made.tables
                note = f"{made.missing_scans} stamped copies could not be fetched" if made.missing_scans else ""
            else:  # detail: the document kind, or "kind:station id" (the staff API's one station)
                kind, _, station = row.detail.partition(":")
                content, count, note = await zip_of(session, kind, row.year, int(station) if station else None,
                                                   download=downloader(services), pdfs=pdf_maker(services))
                filename = f"{kind}-{row.year}.zip"
        except Exception as exc:
            log.exception("console download %s failed", download_id)
            error = f"{type(exc).__name__}: {exc}"
    async with services.db.transaction() as session:
        row = await session.get(PreparedDownload, download_id)
        if row is None or row.status != PREPARING:
            return
        if error:
            await fail(session, row, error, services.now())
        else:
            await finish(session, row, filename, content, services.now(), count=count, note=note)


async def ask_for(services: Services, *, kind: str, year: int, detail: str, language: str, person_id: int | None,
                  audit: str, asked: dict[str, object]) -> PreparedDownload:
    """The same file already being made, or a new row committed and its work started (console and API alike)."""
    now = services.now()
    async with services.db.transaction() as session:
        running = await preparing_like(session, kind=kind, year=year, detail=detail, language=language, now=now)
        if running is not None:
            return running
        row = await start_download(session, kind=kind, year=year, detail=detail, language=language,
                                   person_id=person_id, now=now)
        session.add(AuditLog(at=db_time(now), person_id=person_id, action=audit,
                             subject=f"prepared_download:{row.id}", detail=asked))
    assert row.id is not None
    download_id = row.id
    services.background.start(lambda: prepare(services, download_id), name=job_name(download_id))
    return row


@router.get("/exports", response_class=HTMLResponse)
async def exports(request: Request, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    services = services_of(request)
    async with services.db.session() as session:
        recent = await recent_downloads(session)
        found = await rounds(session)
    return page(request, "people_exports.html", staff.tr, staff=staff, years=_years(services),
                kinds=[k for k in registry() if submitted_kind(k.id)], rounds=found, recent=recent,
                now=services.now(), stalled=stalled, this_year=services.today().year)


@router.post("/exports", response_class=HTMLResponse)
async def start(request: Request, signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    """Record what was asked for, commit, then start the work; the answer is the progress page."""
    staff, form = signed
    services = services_of(request)
    what, year_text = form.get("what", ""), form.get("year", "")
    year = form_int(year_text, 0)
    kind = what.removeprefix("documents:")
    round_id = what.removeprefix("round:")
    async with services.db.session() as session:
        number = form_int(round_id)
        rnd = await session.get(AssessmentRound, number) if what.startswith("round:") and number else None
        if rnd is not None:
            job = ("round", rnd.period_end, str(rnd.id))
        elif what == "workbook" and year in _years(services):
            job = ("workbook", year, "")
        elif what.startswith("documents:") and submitted_kind(kind) and year in _years(services):
            job = ("documents", year, kind)
        else:
            raise ConsoleRefused(400, BAD_CHOICE, staff.tr)
    row = await ask_for(services, kind=job[0], year=job[1], detail=job[2], language=staff.person.language,
                        person_id=staff.person.id, audit="console_export", asked={"what": what, "year": job[1]})
    return _status_page(request, staff, row, services)


def _status_page(request: Request, staff: Staff, row: PreparedDownload, services: Services) -> HTMLResponse:
    now = services.now()
    waiting = row.status == PREPARING and not stalled(row, now)
    seconds = int((db_time(now) - db_time(row.created_at)).total_seconds())
    kind = document_kind(row.detail.partition(":")[0]) if row.kind == "documents" else None
    progress = services.background.progress_of(job_name(row.id or 0)) if waiting else None
    percent = progress.percent() if progress is not None else None
    response = page(request, "people_download.html", staff.tr, staff=staff, row=row, waiting=waiting,
                    refresh=REFRESH_SECONDS, seconds=max(seconds, 0), is_stalled=stalled(row, now), kind=kind,
                    READY=READY, FAILED=FAILED, percent=percent,
                    done=progress.done.value if progress else 0, total=progress.total.value if progress else 0)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _download(request: Request, staff: Staff, download_id: int) -> PreparedDownload:
    async with services_of(request).db.session() as session:
        row = await session.get(PreparedDownload, download_id)
    if row is None:
        raise ConsoleRefused(404, NO_DOWNLOAD, staff.tr)
    return row


@router.get("/exports/{download_id}", response_class=HTMLResponse)
async def status(request: Request, download_id: int, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    """The progress page: refreshes itself while the file is being prepared."""
    return _status_page(request, staff, await _download(request, staff, download_id), services_of(request))


@router.get("/exports/{download_id}/file", response_class=Response)
async def download(request: Request, download_id: int, staff: Staff = Depends(console_staff)) -> Response:
    row = await _download(request, staff, download_id)
    content = None
    if row.status == READY and row.prepared_file_id is not None:
        async with services_of(request).db.session() as session:
            content = await prepared_content(session, row.prepared_file_id)
    if content is None:
        raise ConsoleRefused(404, GONE if row.status == READY else NO_DOWNLOAD, staff.tr)
    extension = row.filename.rsplit(".", 1)[-1]
    return Response(content, media_type=MIME.get(extension, "application/octet-stream"),
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
                             "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
