"""Staff API: the paper documents (DOCX as the manager printed it, PDF when LibreOffice is installed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from bot.documents import DOCX_MIME, to_pdf
from bot.handlers.documents import zip_of
from bot.webapp.auth import require_token, services_of
from rules.documents import document_kind
from storage.documents import count_documents, list_documents
from storage.models import SubmissionDocument

router = APIRouter(prefix="/api/v1", tags=["documents"], dependencies=[Depends(require_token)])
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
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
    return Response(row.content, media_type=DOCX_MIME,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(row.filename)}"})


@router.get("/documents/{document_id}.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, 503: {"description": "no LibreOffice: DOCX only"}})
async def document_pdf(request: Request, document_id: int) -> Response:
    row = await _content(request, document_id)
    assert row.content is not None
    pdfs = await to_pdf({row.filename: row.content})
    if not pdfs.files:
        raise HTTPException(503, detail=f"PDF not available: {pdfs.reason}; the DOCX is at /api/v1/documents/"
                                        f"{document_id}.docx")
    name, data = next(iter(pdfs.files.items()))
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(name)}"})


@router.get("/documents/{kind}/{year}.zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "DOCX (and PDF) of every station"}})
async def documents_zip(request: Request, kind: str, year: int, station_id: int | None = None) -> Response:
    """The newest version of every submission of one kind and year; PDFs too when LibreOffice is installed."""
    if document_kind(kind) is None:
        raise HTTPException(404, detail="no such document kind")
    async with services_of(request).db.session() as session:
        content, count, reason = await zip_of(session, kind, year, station_id)
    headers = {"Content-Disposition": f'attachment; filename="{kind}-{year}.zip"', "X-Documents": str(count)}
    if reason:
        headers["X-PDF-Missing"] = reason
    return Response(content, media_type="application/zip", headers=headers)


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
