"""Which form a submission was filed with, and the context that shows its answers (choice labels).

The ``FormLoader`` that ``services.review`` is given: the station lists live in ``bot.form_context``.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.duties import form_of_kind, station_profile
from bot.form_context import form_context, profile_choices
from conversations.applications import FORM_ID as APPLICATION_FORM
from conversations.fields import FormContext
from conversations.formspec import FormSpec, load_form
from locales import Translator
from rules.profile import load_profile
from storage import applications as applications_store
from storage.models import Station, Submission

FORM_OF_KIND = {"change_report": "change_report", "plan": "annual_plan", "summary": "annual_summary",
                "rectification_report": "rectification_report"}

async def submission_form(session: AsyncSession, station: Station, submission: Submission) -> str:
    """The form a submission was filed with: change report, or its yearly duty's own form."""
    profile = await station_profile(session, station)
    return form_of_kind(submission.kind, profile) or FORM_OF_KIND[submission.kind]


async def form_and_context(session: AsyncSession, submission: Submission, today: dt.date,
                           tr: Translator) -> tuple[FormSpec, FormContext]:
    """The ``FormLoader`` of ``services.review``: a station's form with its own lists, or the application form."""
    if submission.station_id is None:
        application = await applications_store.for_submission(session, submission.id or 0)
        assert application is not None
        profile = load_profile(application.policy_profile)
        return (load_form(APPLICATION_FORM, profile.id),
                FormContext(today=today, profile_id=profile.id, choices=profile_choices(profile), render=tr))
    station = await session.get(Station, submission.station_id)
    assert station is not None
    form = load_form(await submission_form(session, station, submission), station.policy_profile)
    return form, await form_context(session, station, today, tr)
