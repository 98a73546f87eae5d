"""The console's review queue: what awaits review, one submission with its changes and files, accept or return.

Deciding goes through ``services.review`` like the chat's buttons: the same state change, audit entry and
message to the station, and the same answer when someone else decided first.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.submission_forms import form_and_context
from bot.webapp.auth import services_of
from bot.webapp.console.auth import ConsoleRefused, Staff, changing, console_staff, row_or_refused
from bot.webapp.console.files import attachment, from_telegram
from bot.webapp.console.render import page
from bot.webapp.params import form_int
from conversations.review import kind_label
from locales import N_, Text, render
from rules.profile import all_profiles
from services import review
from services.review import Outcome, files_of
from storage.datetimes import local
from storage.models import Person, Submission, SubmissionDocument
from storage.submissions import answers_of, queue_kinds, review_queue

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE_SIZE = 50
NO_SUBMISSION = N_("There is no such submission.")
NO_FILE = N_("There is no such file in this submission.")
STATUS_CODES = {Outcome.done: 200, Outcome.already_reviewed: 409, Outcome.moved_on: 409, Outcome.refused: 400}


def _at(request: Request, staff: Staff) -> Any:
    """Times in the deployment's zone (stored as UTC), e.g. 2026年10月9日 10:00:00."""
    tz = services_of(request).settings.tz
    return lambda value: staff.tr.format_datetime(local(value, tz)) if value is not None else ""


@router.get("/review", response_class=HTMLResponse)
async def queue(request: Request, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    """Submissions awaiting review, oldest first, filtered by profile and kind."""
    services = services_of(request)
    query = request.query_params
    profile = query.get("profile", "")[:50]
    kind = query.get("kind", "")[:50]
    number = max(form_int(query.get("page"), 1), 1)
    async with services.db.session() as session:
        rows, total = await review_queue(session, profile=profile, kind=kind, limit=PAGE_SIZE,
                                         offset=(number - 1) * PAGE_SIZE)
        kinds = await queue_kinds(session)
    kept = {k: v for k, v in (("profile", profile), ("kind", kind)) if v}

    def link(n: int) -> str:
        return "/console/review?" + urlencode({**kept, "page": n})

    return page(request, "review_queue.html", staff.tr, staff=staff, rows=rows, total=total, profile=profile,
                kind=kind, kinds=[(k, render(kind_label(k), staff.tr)) for k in kinds],
                profiles=sorted(all_profiles()), kind_name=lambda k: render(kind_label(k), staff.tr),
                page_number=number, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), link=link,
                at=_at(request, staff))


@router.get("/review/{submission_id}", response_class=HTMLResponse)
async def submission_page(request: Request, submission_id: int, staff: Staff = Depends(console_staff)) -> HTMLResponse:
    """The answers, what changed since the previous version, the files and the paper, and the two decisions."""
    services = services_of(request)
    async with services.db.session() as session:
        submission = await row_or_refused(session, Submission, submission_id, NO_SUBMISSION, staff.tr)
        view = await review.view_of(session, submission, today=services.today(), tr=staff.tr,
                                    forms=form_and_context)
        closed = await review.why_closed(session, submission, submission.current_version)

    def text(value: Text) -> str:
        return render(value, staff.tr)

    return page(request, "review_submission.html", staff.tr, staff=staff, view=view, submission=submission,
                kind=text(kind_label(submission.kind)), text=text, closed=text(closed.message) if closed else "",
                max_comment=review.MAX_COMMENT, at=_at(request, staff))


async def _decide(request: Request, submission_id: int, signed: tuple[Staff, dict[str, str]], *,
                  accepted: bool) -> HTMLResponse:
    """Accept or return through the chat's use case, in one transaction, and show what came of it."""
    staff, form = signed
    services = services_of(request)
    version = form_int(form.get("version"), -1)
    async with services.db.transaction() as session:
        person = await session.get(Person, staff.person.id)
        assert person is not None
        decided = (await review.accept(session, submission_id, version, staff=person, now=services.now())
                   if accepted else
                   await review.return_with_comment(session, submission_id, version, staff=person,
                                                    comment=form.get("comment", ""), now=services.now()))
    return page(request, "review_done.html", staff.tr, status_code=STATUS_CODES[decided.outcome], staff=staff,
                message=render(decided.message, staff.tr), submission_id=submission_id,
                done=decided.outcome is Outcome.done)


@router.post("/review/{submission_id}/accept", response_class=HTMLResponse)
async def accept(request: Request, submission_id: int,
                 signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    return await _decide(request, submission_id, signed, accepted=True)


@router.post("/review/{submission_id}/return", response_class=HTMLResponse)
async def return_with_comment(request: Request, submission_id: int,
                              signed: tuple[Staff, dict[str, str]] = Depends(changing)) -> HTMLResponse:
    return await _decide(request, submission_id, signed, accepted=False)


@router.get("/review/{submission_id}/files/{key}")
async def download(request: Request, submission_id: int, key: str, staff: Staff = Depends(console_staff)) -> Response:
    """``a<n>``: the n-th file of the newest version's answers (fetched from Telegram); ``d<id>`` the printed
    document (DOCX); ``s<id>`` its stamped copy."""
    services = services_of(request)
    kind, number = key[:1], form_int(key[1:], 0)
    file: dict[str, Any] | None = None
    async with services.db.session() as session:
        submission = await row_or_refused(session, Submission, submission_id, NO_SUBMISSION, staff.tr)
        if kind == "a":
            answers = await answers_of(session, submission_id, submission.current_version) or {}
            found = [f for f in files_of(answers) if f.number == number]
            file = {"file_id": found[0].file_id, "name": found[0].name, "mime_type": ""} if found else None
        elif kind in ("d", "s"):
            doc = await session.get(SubmissionDocument, number)
            if doc is not None and doc.submission_id == submission_id:
                if kind == "d" and doc.content is not None:
                    return attachment(doc.content, doc.filename, None)
                file = dict(doc.scan) if kind == "s" and doc.scan else None
    if file is None:
        raise ConsoleRefused(404, NO_FILE, staff.tr)
    return await from_telegram(request, staff, file)
