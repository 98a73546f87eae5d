"""Staff review of a submission: what staff see of it, and accepting or returning it with a comment.

The one use case behind chat (the review card's buttons, /pending) and the web console's review queue:
the same state change, audit entry and notification, whichever of them staff use. Deciding is a
conditional write (``storage.submissions.decide``): when two staff members decide at once, one wins
and the other is told who did, with nothing sent twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from conversations.documents import STAMP_AWAITING, STAMP_RECEIVED
from conversations.fields import FormContext
from conversations.formspec import FormSpec
from conversations.review import (
    STATUS_LABELS,
    UNKNOWN_PERSON,
    Change,
    accepted_notice,
    answer_changes,
    answers_text,
    attachments,
    returned_notice,
    staff_card,
)
from conversations.types import Reply
from locales import Raw, T, Text, Translator
from rules.documents import document_kind
from storage import documents as paper
from storage.applications import KIND as APPLICATION
from storage.applications import for_submission as for_application
from storage.models import Person, Station, Submission, SubmissionDocument, SubmissionStatus
from storage.outbox import enqueue
from storage.recipients import station_managers
from storage.submissions import answers_of, decide, reviewer_name, submitter_name

MAX_COMMENT = 2000
STALE = T("This submission has changed since this message; nothing was done.")

# The form a submission was filed with and its context (choice labels from the station's own data):
# given by the shell, which knows the station lists (``bot.form_context``) and the application form.
FormLoader = Callable[[AsyncSession, Submission, dt.date, Translator], Awaitable[tuple[FormSpec, FormContext]]]


class Outcome(StrEnum):
    done = "done"
    already_reviewed = "already_reviewed"  # someone else decided first
    moved_on = "moved_on"  # a newer version came in, or there is no such submission
    refused = "refused"  # nothing decided: the comment is unusable, or the kind is decided elsewhere


@dataclass(frozen=True)
class Decided:
    outcome: Outcome
    message: Text
    notice: Text | None = None  # the short toast for a chat button


async def accept(session: AsyncSession, submission_id: int, version: int, *, staff: Person,
                 now: dt.datetime) -> Decided:
    """Accept one version of a station's submission and tell its managers."""
    return await _decide(session, submission_id, version, staff=staff, now=now, accepted=True, comment="")


async def return_with_comment(session: AsyncSession, submission_id: int, version: int, *, staff: Person,
                              comment: str, now: dt.datetime) -> Decided:
    """Return one version with staff's comment; the station (or the applicant) may reopen and resubmit it."""
    comment = comment.strip()
    if not comment:
        return Decided(Outcome.refused, T("Please type the comment as text."))
    if len(comment) > MAX_COMMENT:
        return Decided(Outcome.refused, T("The comment is too long ({n} characters); please keep it under {limit}.",
                                          n=len(comment), limit=MAX_COMMENT))
    return await _decide(session, submission_id, version, staff=staff, now=now, accepted=False, comment=comment)


async def _decide(session: AsyncSession, submission_id: int, version: int, *, staff: Person, now: dt.datetime,
                  accepted: bool, comment: str) -> Decided:
    assert staff.id is not None
    submission = await session.get(Submission, submission_id)
    if submission is None:
        return Decided(Outcome.moved_on, STALE, STALE)
    if accepted and submission.kind == APPLICATION:
        # Accepting an application ticks the profile's preconditions and opens its 公示: the chat card does that.
        return Decided(Outcome.refused, T("Station applications are accepted from their card in chat (/pending), "
                                          "where each precondition is ticked first."))
    if not await decide(session, submission_id, version, accept=accepted, staff_person_id=staff.id, now=now,
                        comment=comment):
        return await _not_decided(session, submission, version)
    if accepted:
        reply = accepted_notice(kind=submission.kind, year=submission.year)
    else:
        reply = returned_notice(submission_id=submission_id, kind=submission.kind, year=submission.year,
                                comment=comment)
    key = f"{'accepted' if accepted else 'returned'}:{submission_id}:v{version}"
    for person in await _recipients(session, submission):
        assert person.chat_id is not None
        await enqueue(session, key=f"{key}:to-{person.id}", chat_id=person.chat_id, reply=reply, kind="review_result",
                      person_id=person.id, not_before=now, respect_quiet_hours=False)
    if accepted:
        return Decided(Outcome.done, T("Accepted submission #{number}; the station has been told.",
                                       number=submission_id), T("Accepted"))
    return Decided(Outcome.done, T("Returned submission #{number} with your comment; the station has been told.",
                                   number=submission_id))


async def _recipients(session: AsyncSession, submission: Submission) -> list[Person]:
    """Who is told the result: the station's managers and liaisons, or an application's applicant."""
    if submission.station_id is not None:
        return await station_managers(session, [submission.station_id])
    application = await for_application(session, submission.id or 0)
    applicant = await session.get(Person, application.applicant_person_id) if application else None
    return [applicant] if applicant is not None and applicant.chat_id is not None else []


async def _not_decided(session: AsyncSession, submission: Submission, version: int) -> Decided:
    await session.refresh(submission)
    return await why_closed(session, submission, version) or Decided(Outcome.moved_on, STALE, STALE)


async def why_closed(session: AsyncSession, submission: Submission, version: int) -> Decided | None:
    """None while this version awaits review; else what to tell staff (already decided, or a newer version)."""
    if submission.status == SubmissionStatus.submitted and submission.current_version == version:
        return None
    if submission.status == SubmissionStatus.submitted:
        return Decided(Outcome.moved_on, STALE, STALE)
    who = await reviewer_name(session, submission)
    status = STATUS_LABELS.get(submission.status, Raw(submission.status))
    text = T("Submission #{number} was already reviewed by {person} ({status}); nothing was done.",
             number=submission.id or 0, person=Raw(who) if who else UNKNOWN_PERSON, status=status)
    return Decided(Outcome.already_reviewed, text, text)


# ---- what staff see ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Attachment:
    """A file in the answers, numbered for the console's download route."""

    number: int
    name: str
    size: int
    file_id: str


@dataclass(frozen=True)
class Paper:
    """The printed document of the submission's newest version and whether its stamped copy came back."""

    document: SubmissionDocument
    title: Text
    stamped: bool

    @property
    def status(self) -> Text:
        return STAMP_RECEIVED if self.stamped else STAMP_AWAITING


@dataclass(frozen=True)
class SubmissionView:
    submission: Submission
    station_name: str
    submitted_by: str
    answers: list[Text]
    changes: list[Change] | None  # None for a first version
    files: list[Attachment]
    papers: list[Paper]
    reviewed_by: str

    def paper_lines(self) -> list[Text]:
        return [T("Paper document ({title}): {status}", title=p.title, status=p.status) for p in self.papers]


def files_of(answers: dict[str, Any]) -> list[Attachment]:
    return [Attachment(n, str(f.get("name") or "file"), int(f.get("size") or 0), str(f["file_id"]))
            for n, f in enumerate(attachments(answers), 1)]


async def view_of(session: AsyncSession, submission: Submission, *, today: dt.date, tr: Translator,
                  forms: FormLoader) -> SubmissionView:
    """A submission as staff review it: answers, changes against the previous version, files, paper."""
    assert submission.id is not None
    form, ctx = await forms(session, submission, today, tr)
    answers = await answers_of(session, submission.id, submission.current_version) or {}
    previous = (await answers_of(session, submission.id, submission.current_version - 1)
                if submission.current_version > 1 else None)
    station = await session.get(Station, submission.station_id) if submission.station_id else None
    papers = []
    for doc in await paper.for_submission(session, submission.id):
        kind = document_kind(doc.kind)
        papers.append(Paper(doc, T(kind.label) if kind else Raw(doc.kind), doc.scan_received_at is not None))
    return SubmissionView(
        submission=submission,
        station_name=station.name if station else str(answers.get("station_name") or ""),
        submitted_by=await submitter_name(session, submission),
        answers=answers_text(form, answers, ctx),
        changes=answer_changes(form, previous, answers, ctx) if previous is not None else None,
        files=files_of(answers), papers=papers, reviewed_by=await reviewer_name(session, submission))


def card(view: SubmissionView, headline: list[Text] | None = None) -> Reply:
    """The review card staff get in chat, at submit time and from /pending: the same card both times."""
    sub = view.submission
    assert sub.id is not None
    return staff_card(submission_id=sub.id, version=sub.current_version, kind=sub.kind,
                      station_name=view.station_name, submitted_by=view.submitted_by,
                      headline=[*(headline or []), *view.paper_lines()], body=view.answers)
