"""What staff and applicants see of a station application (pure: no Telegram, no database, no clock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from conversations.fields import FormContext, display
from conversations.formspec import FormSpec
from conversations.review import UNKNOWN_PERSON, answers_text
from conversations.types import Button, Reply, keyboard
from locales import Join, Raw, T, Text
from rules.profile import ApplicationRules, Precondition

FORM_ID = "station_application"
STAGE_LABELS: dict[str, T] = {
    "review": T("under review"),
    "notice": T("in public notice (公示)"),
    "decision": T("awaiting the decision"),
    "approved": T("approved"),
    "refused": T("refused"),
}
RETURNED = T("returned for changes")


def stage_label(stage: str, returned: bool = False) -> Text:
    """Where an application stands; under review, a returned one waits for the applicant, not staff."""
    if returned and stage == "review":
        return RETURNED
    return STAGE_LABELS.get(stage, Raw(stage))


def unticked(rules: ApplicationRules, checklist: Mapping[str, Any]) -> list[Precondition]:
    """Preconditions staff have not confirmed yet (every one must be ticked before acceptance)."""
    return [p for p in rules.preconditions if not (checklist.get(p.id) or {}).get("ok")]


def evidence_line(form: FormSpec, item: Precondition, answers: Mapping[str, Any], ctx: FormContext) -> Text:
    """The applicant's answers a precondition is judged on, beside the item."""
    parts: list[Text] = []
    for name in item.evidence:
        spec = form.field(name)
        if spec is not None:
            parts.append(Join((T(spec.label), display(spec, answers.get(name), ctx)), ": "))
    return Join((Raw("    ↳"), Join(tuple(parts), "; ")), " ") if parts else Raw("")


def checklist_lines(form: FormSpec, rules: ApplicationRules, checklist: Mapping[str, Any],
                    answers: Mapping[str, Any], ctx: FormContext) -> list[Text]:
    lines: list[Text] = [T("Preconditions (tick each one you have checked):")]
    for number, item in enumerate(rules.preconditions, 1):
        mark = "☑" if (checklist.get(item.id) or {}).get("ok") else "☐"
        lines.append(Join((Raw(f"{mark} {number}."), T(item.label), Raw(f"[{item.source}]")), " "))
        lines.append(evidence_line(form, item, answers, ctx))
    return lines


def staff_card(*, application_id: int, submission_id: int, version: int, profile_label: str, form: FormSpec,
               rules: ApplicationRules, checklist: Mapping[str, Any], answers: Mapping[str, Any],
               ctx: FormContext, applicant: str, edit: bool = False) -> Reply:
    """The review card: the checklist with evidence, every answer, and tick / accept / return / refuse buttons."""
    head = T("Station application #{number} (version {version}) — {profile}", number=application_id,
             version=version, profile=T(profile_label))
    lines: list[Text] = [head, T("Submitted by: {person}", person=Raw(applicant) if applicant else UNKNOWN_PERSON), Raw(""),
                         *checklist_lines(form, rules, checklist, answers, ctx), Raw(""),
                         *answers_text(form, answers, ctx)]
    ticks = [Button(Raw(f"{'☑' if (checklist.get(p.id) or {}).get('ok') else '☐'} {n}"),
                    f"ap:t:{application_id}:{n - 1}:{version}")
             for n, p in enumerate(rules.preconditions, 1)]
    rows = [ticks[i:i + 4] for i in range(0, len(ticks), 4)]
    rows.append([Button(T("✅ Accept"), f"rv:a:{submission_id}:{version}"),
                 Button(T("↩️ Return with comment"), f"rv:r:{submission_id}:{version}")])
    rows.append([Button(T("⛔ Refuse"), f"ap:x:{application_id}")])
    return Reply(Join(tuple(lines)), keyboard(*rows), edit=edit)


def decision_card(*, application_id: int, title: str, stage: str, notice_line: Text | None) -> Reply:
    lines: list[Text] = [T("Station application #{number}: {title}", number=application_id, title=Raw(title)),
                         T("Stage: {stage}", stage=stage_label(stage))]
    if notice_line is not None:
        lines.append(notice_line)
    return Reply(Join(tuple(lines)), keyboard([Button(T("🏷 Approve and create the station"), f"ap:p:{application_id}"),
                                               Button(T("⛔ Refuse"), f"ap:x:{application_id}")]))


def notice_line(*, notice_id: int, ends: dt.datetime, running: bool, objections: int, unanswered: int) -> Text:
    if running:
        return T("公示 no. {number} runs until {until}; objections so far: {n} ({open} unanswered).",
                 number=notice_id, until=ends, n=objections, open=unanswered)
    return T("公示 no. {number} ended {until}; objections: {n} ({open} unanswered).",
             number=notice_id, until=ends, n=objections, open=unanswered)


def applicant_intro(profile_label: str) -> Text:
    return Join((
        T("Application for a new station ({profile}).", profile=T(profile_label)),
        T("Your answers are saved after every step, and the draft is kept while you gather the material: "
          "send /apply at any time to continue where you stopped."),
    ))


def cap_warning(*, cap: int | None, live: int, society: str | None) -> Text:
    if society is not None:
        return T("Warning: the society {society} already has {n} recognised station(s); the regulation allows one "
                 "per society. Approve anyway?", society=Raw(society), n=live)
    return T("Warning: {n} stations of this profile are already active; the regulation caps them at {cap}. "
             "Approving creates one more. Approve anyway?", n=live, cap=cap or 0)


def approved_notice(*, station_name: str, approval_number: str, plaque_name: str, role_label: Text) -> Reply:
    return Reply(Join((
        T("Your station application was approved: {station}.", station=Raw(station_name)),
        T("Approval number: {number}. Plaque: {plaque}.", number=Raw(approval_number or "—"),
          plaque=Raw(plaque_name or station_name)),
        T("You are now its {role}; no invitation is needed. Send /status to see what is due.", role=role_label),
    )))


def refused_notice(*, station_name: str, reason: str) -> Reply:
    return Reply(Join((T("Your station application ({station}) was refused.", station=Raw(station_name)),
                       T("Reason given by staff: {reason}", reason=Raw(reason)))))


def accepted_notice(*, station_name: str, notice_until: dt.datetime | None) -> Reply:
    if notice_until is not None:
        return Reply(T("Your station application ({station}) passed the review and is now in public notice (公示) "
                       "until {until}. You will be told the decision here.", station=Raw(station_name),
                       until=notice_until))
    return Reply(T("Your station application ({station}) passed the review and awaits the decision. You will be told "
                   "here.", station=Raw(station_name)))
