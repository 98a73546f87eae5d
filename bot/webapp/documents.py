"""Staff API: the paper documents (DOCX as the manager printed it, PDF when LibreOffice is installed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from bot.documents import DOCX_MIME, PdfMaker
from bot.handlers.documents import pdf_maker, zip_of
from bot.round_documents import Download, assessment_table, round_zip, telegram_download
from bot.webapp.auth import require_token, services_of
from bot.webapp.params import IdPath, row_or_404
from rules.documents import document_kind
from services import rounds
from storage.documents import count_documents, list_documents
from storage.models import AssessmentRound, SubmissionDocument

router = APIRouter(prefix="/api/v1", tags=["documents"], dependencies=[Depends(require_token)])
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
NO_ROUND = "no such round"
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


def _download(request: Request) -> Download:
    """Stamped scans are Telegram files, fetched through the web app's bot."""
    return telegram_download(request.app.state.application.bot)


@router.get("/documents/{kind}/{year}.zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "DOCX (and PDF) of every station"}})
async def documents_zip(request: Request, kind: str, year: int, station_id: int | None = None) -> Response:
    """The newest version of every submission of one kind and year; PDFs too when LibreOffice is installed;
    each stamped scan beside its document (``<document>-盖章件.<ext>``) and ``清单.txt`` saying which is which."""
    found = document_kind(kind)
    if found is None or found.filled_from != "submission":
        raise HTTPException(404, detail="no such document kind (assessment tables: /api/v1/assessment/rounds/…)")
    async with services_of(request).db.session() as session:
        content, count, reason = await zip_of(session, kind, year, station_id, download=_download(request),
                                              pdfs=_pdfs(request))
    headers = {"Content-Disposition": f'attachment; filename="{kind}-{year}.zip"', "X-Documents": str(count)}
    if reason:
        headers["X-PDF-Missing"] = reason
    return Response(content, media_type="application/zip", headers=headers)


@router.get("/assessment/rounds/{round_id}/documents.zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}},
                             "description": "a folder per station: its assessment table, documents and stamped scans"}})
async def round_documents_zip(request: Request, round_id: IdPath) -> Response:
    """A round's documents as one zip (the same as the round card's button in chat)."""
    async with services_of(request).db.session() as session:
        rnd = await row_or_404(session, AssessmentRound, round_id, NO_ROUND)
        made = await round_zip(session, rnd, services_of(request).settings.tz, _download(request),
                               pdfs=_pdfs(request))
    return Response(made.content, media_type="application/zip", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(made.filename)}",
        "X-Stations": str(made.stations), "X-Assessment-Tables": str(made.tables), "X-Documents": str(made.documents),
        "X-Stamped-Copies": str(made.scans), "X-Stamped-Copies-Missing": str(made.missing_scans),
        "X-PDFs": str(made.pdfs), "X-PDFs-Missing": str(made.missing_pdfs),
        **({"X-PDF-Missing": made.pdf_reason} if made.pdf_reason else {})})


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
