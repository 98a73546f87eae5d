"""Staff API: the paper documents (DOCX as the manager printed it, PDF when LibreOffice is installed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from bot.documents import DOCX_MIME, PdfMaker
from bot.handlers.documents import pdf_maker
from bot.round_documents import assessment_table
from bot.webapp.auth import require_token, services_of
from bot.webapp.console.exports import MIME, REFRESH_SECONDS, ask_for
from bot.webapp.params import IdPath, IdQuery, YearPath, row_or_404
from locales import DEFAULT_LOCALE
from rules.documents import document_kind
from services import rounds
from storage.documents import count_documents, list_documents
from storage.downloads import FAILED, PREPARING, READY, stalled
from storage.models import ApiToken, AssessmentRound, PreparedDownload, SubmissionDocument
from storage.prepared_files import prepared_content

router = APIRouter(prefix="/api/v1", tags=["documents"], dependencies=[Depends(require_token)])
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
NO_ROUND = "no such round"
API_DOWNLOADS = {"round", "documents"}  # the prepared files the API starts, and so may hand out
Offset = Annotated[int, Query(ge=0, description="rows to skip")]


def _document(row: SubmissionDocument) -> dict[str, Any]:
    return {
        "id": row.id, "submission_id": row.submission_id, "version": row.version, "kind": row.kind,
        "station_id": row.station_id, "year": row.year, "status": row.status, "filename": row.filename,
        "rendered_at": row.rendered_at.isoformat() if row.rendered_at else None,
        "stamped_copy": "received" if row.scan_received_at else "awaiting",
        "stamped_copy_received_at": row.scan_received_at.isoformat() if row.scan_received_at else None,
    }


@router.get("/documents")
async def documents(request: Request, station_id: int | None = None, kind: str | None = None, year: int | None = None,
                    limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """Every rendered document version, newest first, with its stamped-copy status."""
    async with services_of(request).db.session() as session:
        total = await count_documents(session, station_id, kind, year)
        rows = await list_documents(session, station_id, kind, year, limit=limit, offset=offset)
    return {"items": [_document(r) for r in rows], "total": total, "limit": limit, "offset": offset}


async def _content(request: Request, document_id: int) -> SubmissionDocument:
    async with services_of(request).db.session() as session:
        row = await session.get(SubmissionDocument, document_id)
    if row is None or row.content is None:
        raise HTTPException(404, detail="no such document (or not rendered yet)")
    return row


@router.get("/documents/{document_id}.docx", response_class=Response,
            responses={200: {"content": {DOCX_MIME: {}}, "description": "the document as the manager printed it"}})
async def document_docx(request: Request, document_id: int) -> Response:
    row = await _content(request, document_id)
    assert row.content is not None
    return _attachment(row.content, DOCX_MIME, row.filename)


@router.get("/documents/{document_id}.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, 503: {"description": "no LibreOffice: DOCX only"}})
async def document_pdf(request: Request, document_id: int) -> Response:
    row = await _content(request, document_id)
    assert row.content is not None
    return await _pdf_of(request, row.filename, row.content, f"/api/v1/documents/{document_id}.docx")


def _pdfs(request: Request) -> PdfMaker:
    """PDFs through the kept ones (a document converted once is not converted again)."""
    return pdf_maker(services_of(request))


@router.get("/documents/{kind}/{year}.zip", status_code=202,
            responses={202: {"description": "being prepared: poll the download named in the body (and Location)"},
                       404: {"description": "no such document kind"}})
async def documents_zip(request: Request, kind: str, year: YearPath, station_id: IdQuery = None,
                        token: ApiToken = Depends(require_token)) -> JSONResponse:
    """The newest version of every submission of one kind and year; PDFs too when LibreOffice is installed;
    each stamped scan beside its document (``<document>-盖章件.<ext>``) and ``清单.txt`` saying which is which.

    Prepared off the request like the round's zip: 202 at once with the download to poll (``/api/v1/downloads/{id}``).
    """
    found = document_kind(kind)
    if found is None or found.filled_from != "submission":
        raise HTTPException(404, detail="no such document kind (assessment tables: /api/v1/assessment/rounds/…)")
    detail = kind if station_id is None else f"{kind}:{station_id}"
    row = await ask_for(services_of(request), kind="documents", year=year, detail=detail, language=DEFAULT_LOCALE,
                        person_id=None, audit="api_download",
                        asked={"kind": kind, "year": year, "station_id": station_id, "token": token.name})
    return _download_answer(row)


@router.get("/assessment/rounds/{round_id}/documents.zip", status_code=202,
            responses={202: {"description": "being prepared: poll the download named in the body (and Location)"},
                       404: {"description": "no such round"}})
async def round_documents_zip(request: Request, round_id: IdPath,
                              token: ApiToken = Depends(require_token)) -> JSONResponse:
    """A round's documents as one zip (the same as the round card's button in chat), prepared off the request.

    Converting every document to PDF takes minutes, so the answer is 202 at once with the download to poll:
    ``GET /api/v1/downloads/{id}`` says ``preparing`` (202) until it is ``ready`` or ``failed`` (200); the zip
    is then at ``/api/v1/downloads/{id}/file``. Asking again while it is being prepared joins that download.
    """
    services = services_of(request)
    async with services.db.session() as session:
        rnd = await row_or_404(session, AssessmentRound, round_id, NO_ROUND)
    row = await ask_for(services, kind="round", year=rnd.period_end, detail=str(rnd.id), language=DEFAULT_LOCALE,
                        person_id=None, audit="api_download", asked={"round_id": round_id, "token": token.name})
    return _download_answer(row)


def _download_answer(row: PreparedDownload) -> JSONResponse:
    """The download's state; 202 with Location and Retry-After while it is being prepared."""
    url = f"/api/v1/downloads/{row.id}"
    body = {"id": row.id, "status": row.status, "url": url, "filename": row.filename, "size": row.size,
            "documents": row.count, "note": row.note,
            "file": f"{url}/file" if row.status == READY else None}
    if row.status != PREPARING:
        return JSONResponse(body)
    return JSONResponse(body, status_code=202, headers={"Location": url, "Retry-After": str(REFRESH_SECONDS)})


async def _api_download(request: Request, download_id: int) -> PreparedDownload:
    """A download the API prepares (a round's zip); the console's other files are not the API's to hand out."""
    async with services_of(request).db.session() as session:
        row = await session.get(PreparedDownload, download_id)
    if row is None or row.kind not in API_DOWNLOADS:
        raise HTTPException(404, detail="no such download")
    if stalled(row, services_of(request).now()):
        row.status, row.note = FAILED, "lost with a restart: ask for the file again"
    return row


@router.get("/downloads/{download_id}", responses={202: {"description": "still being prepared"}})
async def download_status(request: Request, download_id: IdPath) -> JSONResponse:
    """Poll here after a 202: ``preparing`` (202), then ``ready`` with ``file`` or ``failed`` with ``note`` (200)."""
    return _download_answer(await _api_download(request, download_id))


@router.get("/downloads/{download_id}/file", response_class=Response,
            responses={200: {"content": {"application/zip": {}}},
                       409: {"description": "not ready yet"}, 410: {"description": "no longer kept"}})
async def download_file(request: Request, download_id: IdPath) -> Response:
    """The prepared file (kept for a week)."""
    row = await _api_download(request, download_id)
    if row.status != READY or row.prepared_file_id is None:
        raise HTTPException(409, detail=f"the download is {row.status}: poll /api/v1/downloads/{download_id}")
    async with services_of(request).db.session() as session:
        content = await prepared_content(session, row.prepared_file_id)
    if content is None:
        raise HTTPException(410, detail="this file is no longer kept (a week): ask for it again")
    return Response(content, media_type=MIME.get(row.filename.rsplit(".", 1)[-1], "application/octet-stream"),
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(row.filename)}",
                             "X-Documents": str(row.count), **({"X-Note": row.note} if row.note else {})})


async def _table(request: Request, round_id: int, station_id: int) -> tuple[str, bytes]:
    """One station's assessment table of a round as DOCX (file name, bytes); 404 says which part is missing."""
    tz = services_of(request).settings.tz
    async with services_of(request).db.session() as session:
        rnd = await row_or_404(session, AssessmentRound, round_id, NO_ROUND)
        ev = await rounds.evaluate(session, rnd, tz=tz)
        entry = next((e for e in ev.entries if e.station_id == station_id), None)
        if entry is None:
            raise HTTPException(404, detail="the station is not in this round")
        found = await assessment_table(session, ev, entry, tz)
    if found is None:
        raise HTTPException(404, detail=f"the regulation of {rnd.profile} prescribes no assessment table")
    return found


TABLE_REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such round or station, or the regulation prescribes no table"}}


@router.get("/assessment/rounds/{round_id}/stations/{station_id}/table.docx", response_class=Response,
            responses={200: {"content": {DOCX_MIME: {}}, "description": "the station's assessment table"},
                       **TABLE_REFUSALS})
async def assessment_table_docx(request: Request, round_id: IdPath, station_id: IdPath) -> Response:
    """One station's assessment table of a round (provisional until the round is published)."""
    name, content = await _table(request, round_id, station_id)
    return _attachment(content, DOCX_MIME, name)


@router.get("/assessment/rounds/{round_id}/stations/{station_id}/table.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "the table as PDF (LibreOffice)"},
                       **TABLE_REFUSALS, 503: {"description": "no LibreOffice on the server: the DOCX only"}})
async def assessment_table_pdf(request: Request, round_id: IdPath, station_id: IdPath) -> Response:
    """The same table as PDF, converted by LibreOffice (kept, so asking again does not convert again)."""
    name, content = await _table(request, round_id, station_id)
    return await _pdf_of(request, name, content,
                         f"/api/v1/assessment/rounds/{round_id}/stations/{station_id}/table.docx")


async def _pdf_of(request: Request, name: str, content: bytes, docx_url: str) -> Response:
    """A DOCX as PDF, or 503 saying why there is none and where the DOCX is."""
    pdfs = await _pdfs(request)({name: content})
    if not pdfs.files:
        raise HTTPException(503, detail=f"PDF not available: {pdfs.reason}; the DOCX is at {docx_url}")
    pdf_name, data = next(iter(pdfs.files.items()))
    return _attachment(data, "application/pdf", pdf_name)


def _attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(name)}"})


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
