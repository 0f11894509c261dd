"""Every change to a case goes through here: the timeline events with their rules and transitions,
the deadlines they start or end, the persons involved, access grants and internal notes. Each
function is atomic and writes its audit event; a rule that is not met raises CaseRuleError with a
message for the handler, and nothing is written.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from egide.cases.choices import (
    ClosureReason,
    DisciplinaryPath,
    EventKind,
    GrantScope,
    LegalHold,
    Orientation,
    Outcome,
    Part,
    PersonRole,
    ProsecutorNotice,
    Retention,
    TaskKind,
    TemplateKind,
)
from egide.cases.models import CaseDocument, CaseEvent, CaseGrant, CasePerson, CaseTask, MeasureType
from egide.core.audit import audit_record
from egide.core.deadlines import local_date, statutory_due
from egide.kb.models import Investigator, Offence, SupportResource
from egide.org.models import User
from egide.reports.choices import OPEN_STATUSES, Channel, Status
from egide.reports.models import Report
from egide.reports.services import decrypt_content, message_from_handler, report_open_for_handler
from egide.vault import crypto
from egide.vault.models import HandlerKey, Wrap
from egide.vault.services import envelope_grant

_T = TypeVar("_T")

# Where each status may go. Closing and reopening have rules of their own (case_close, EventKind.REOPENED).
TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.INVESTIGATION, Status.CLOSED, Status.WITHDRAWN},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.INVESTIGATION, Status.CLOSED, Status.WITHDRAWN},
    Status.IN_PROGRESS: {Status.INVESTIGATION, Status.CLOSED, Status.WITHDRAWN},
    Status.INVESTIGATION: {Status.IN_PROGRESS, Status.CLOSED, Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.CLOSED, Status.IN_PROGRESS},
    Status.CLOSED: {Status.IN_PROGRESS},
    Status.SET_ASIDE: set(),
}


class CaseRuleError(Exception):
    """A rule of the procedure is not met; the message is for the handler."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class EventSpec:
    part: str = Part.CASE
    status: str | None = None  # the status the case moves to
    allowed_when_closed: bool = False


SPECS: dict[str, EventSpec] = {
    EventKind.OPENED: EventSpec(),
    EventKind.ORAL_INTAKE: EventSpec(),
    EventKind.ACKNOWLEDGEMENT: EventSpec(status=Status.ACKNOWLEDGED),
    EventKind.LISTENING: EventSpec(status=Status.IN_PROGRESS),
    EventKind.SUPPORT_ORIENTATION: EventSpec(status=Status.IN_PROGRESS),
    EventKind.AUTHORITY_ORIENTATION: EventSpec(status=Status.IN_PROGRESS),
    EventKind.QUALIFICATION: EventSpec(),
    EventKind.PROSECUTOR: EventSpec(),
    EventKind.PROTECTIVE_MEASURE: EventSpec(),
    EventKind.MEASURE_REVIEW: EventSpec(),
    EventKind.PROTECTION_REQUEST: EventSpec(),
    EventKind.PROTECTION_DECISION: EventSpec(),
    EventKind.INVESTIGATION_OPENED: EventSpec(part=Part.INVESTIGATION, status=Status.INVESTIGATION),
    EventKind.COMMISSION: EventSpec(part=Part.INVESTIGATION),
    EventKind.INTERVIEW: EventSpec(part=Part.INVESTIGATION),
    EventKind.INVESTIGATION_REPORT: EventSpec(part=Part.INVESTIGATION),
    EventKind.DECISION: EventSpec(status=Status.IN_PROGRESS),
    EventKind.DISCIPLINARY_REFERRAL: EventSpec(allowed_when_closed=True),
    EventKind.FEEDBACK: EventSpec(),
    EventKind.PERSON_INFORMED: EventSpec(),
    EventKind.INFORMATION_DEFERRED: EventSpec(),
    EventKind.LEGAL_HOLD: EventSpec(allowed_when_closed=True),
    EventKind.RETALIATION_RISK: EventSpec(allowed_when_closed=True),
    EventKind.CHECKIN: EventSpec(allowed_when_closed=True),
    EventKind.CLOSURE: EventSpec(status=Status.CLOSED),
    EventKind.REOPENED: EventSpec(status=Status.IN_PROGRESS, allowed_when_closed=True),
    EventKind.NOTE: EventSpec(allowed_when_closed=True),
}


def _today() -> datetime.date:
    return local_date(timezone.now())


def _event_context(event: CaseEvent) -> str:
    return f"case-event:{event.uid}"


def open_event(data_key: bytes, event: CaseEvent) -> dict[str, Any]:
    """The texts of an event (and its exact time); empty once the case is shredded."""
    if not bytes(event.payload):
        return {}
    payload: dict[str, Any] = crypto.decrypt_json(data_key, event.payload, context=_event_context(event))
    return payload


def open_person(data_key: bytes, person: CasePerson) -> dict[str, Any]:
    if not bytes(person.identity):
        return {}
    identity: dict[str, Any] = crypto.decrypt_json(data_key, person.identity, context=f"case-person:{person.uid}")
    return identity


def open_grant_reasons(data_key: bytes, grant: CaseGrant) -> dict[str, str]:
    """Why the access was given and, once ended, why it ended."""
    if not bytes(grant.reason):
        return {}
    reasons: dict[str, str] = crypto.decrypt_json(data_key, grant.reason, context=f"case-grant:{grant.pk}:{grant.user_id}")
    return reasons


def open_grant_reason(data_key: bytes, grant: CaseGrant) -> str:
    return open_grant_reasons(data_key, grant).get("reason", "")


# --- Deadlines ------------------------------------------------------------------------------------


def case_refresh_due(report: Report) -> None:
    """Keep next_due (what the inbox sorts on) equal to the earliest open deadline of the case."""
    candidates: list[tuple[datetime.date, str]] = []
    tasks = report.tasks.filter(done_on__isnull=True)
    if report.is_open:
        if report.acknowledged_at is None:
            candidates.append((report.ack_due, "acknowledgement"))
        if report.feedback_due is not None and report.feedback_on is None:
            candidates.append((report.feedback_due, "feedback"))
    else:
        tasks = tasks.filter(kind=TaskKind.RETALIATION_CHECKIN)  # they outlive the closure
    if report.status != Status.SET_ASIDE:
        candidates += [(task.due, task.kind) for task in tasks]
    due, kind = min(candidates) if candidates else (None, "")
    if (report.next_due, report.next_due_kind) != (due, kind):
        report.next_due, report.next_due_kind = due, kind
        Report.objects.filter(pk=report.pk).update(next_due=due, next_due_kind=kind)


def _task(report: Report, kind: str, *, delay_code: str | None, start: datetime.date, **links: Any) -> CaseTask:
    if delay_code is None:
        return CaseTask.objects.create(report=report, kind=kind, due=start, **links)
    statutory = statutory_due(delay_code, start)
    return CaseTask.objects.create(report=report, kind=kind, delay=statutory.delay, due=statutory.due, **links)


def _finish_tasks(report: Report, kind: str, today: datetime.date, **links: Any) -> int:
    return CaseTask.objects.filter(report=report, kind=kind, done_on__isnull=True, **links).update(done_on=today)


# --- The timeline -----------------------------------------------------------------------------------


@dataclass
class Step:
    """What a handler records: closed-vocabulary values in `codes`, texts in `texts` (encrypted)."""

    kind: str
    on: datetime.date
    codes: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, Any] = field(default_factory=dict)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CaseRuleError(message)


def _found(value: _T | None, message: str) -> _T:
    if value is None:
        raise CaseRuleError(message)
    return value


def _new_event(report: Report, data_key: bytes, actor: Any, step: Step, part: str) -> CaseEvent:
    event = CaseEvent(report=report, kind=step.kind, part=part, on=step.on, actor=actor, codes=step.codes)
    payload = {**step.texts, "at": timezone.now().isoformat()}
    event.payload = crypto.encrypt_json(data_key, payload, context=_event_context(event))
    event.save()
    return event


def _move(report: Report, target: str | None) -> None:
    if target is None or target == report.status:
        return
    # A step never takes a case back along the open statuses: a listening during an investigation does not end it
    # (only a decision does), an acknowledgement recorded after a first interview keeps the case in progress.
    order = OPEN_STATUSES
    if target in order and report.status in order and order.index(target) < order.index(report.status):
        return
    _require(
        target in TRANSITIONS.get(report.status, set()),
        _("This step is not possible while the case is “%(status)s”.") % {"status": Status(report.status).label},
    )
    report.status = target


def case_record(*, report: Report, data_key: bytes, actor: Any, step: Step) -> CaseEvent:
    """Record one step of the procedure, with its checks, its effects on deadlines and status, and its audit event."""
    spec = SPECS[step.kind]
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _require(not report.is_shredded, _("This case's content was destroyed at the end of its retention period."))
        _require(report.status != Status.SET_ASIDE, _("This report was set aside: restore it before recording anything."))
        if report.status == Status.CLOSED:
            _require(spec.allowed_when_closed, _("This case is closed: reopen it first."))
        _require(step.on <= _today(), _("The date cannot be in the future."))
        previous_status = report.status
        CHECKS.get(step.kind, _no_check)(report, step)
        _move(report, spec.status)
        event = _new_event(report, data_key, actor, step, spec.part)
        EFFECTS.get(step.kind, _no_effect)(report, event, step)
        report.save()
        case_refresh_due(report)
        audit_record(
            actor=actor,
            action=f"case.{step.kind}",
            object_type="reports.report",
            object_id=report.reference,
            data={"event": event.pk, "status": [previous_status, report.status], **_audited_codes(step.codes)},
        )
    return event


def _audited_codes(codes: dict[str, Any]) -> dict[str, Any]:
    # Codes are closed vocabularies; dates of measures and free lists stay out of the audit log.
    return {key: value for key, value in codes.items() if key in {"decision", "outcome", "reason", "path", "hold", "authority"}}


def _no_check(report: Report, step: Step) -> None:
    return None


def _no_effect(report: Report, event: CaseEvent, step: Step) -> None:
    return None


def _text(step: Step, name: str) -> str:
    return str(step.texts.get(name) or "").strip()


def _check_orientation(report: Report, step: Step) -> None:
    decision = step.codes.get("decision")
    _require(decision in Orientation.values, _("Choose what was decided for this orientation."))
    if decision == Orientation.DONE:
        if step.kind == EventKind.SUPPORT_ORIENTATION:
            resource = _integer(step.codes.get("resource"))
            _require(
                SupportResource.objects.filter(pk=resource, active=True).exists(),
                _("Choose the support resource from the directory."),
            )
        else:
            _require(bool(step.codes.get("authority")), _("Say to which authority the case was referred."))
    else:
        _require(bool(_text(step, "justification")), _("Say why: it is required when the orientation is not done."))


def _effect_orientation(report: Report, event: CaseEvent, step: Step) -> None:
    if step.kind == EventKind.SUPPORT_ORIENTATION:
        report.support_decision = step.codes["decision"]
    else:
        report.authority_decision = step.codes["decision"]


def _check_qualification(report: Report, step: Step) -> None:
    codes = list(step.codes.get("offences") or [])
    _require(bool(codes), _("Choose at least one offence from the table."))
    _require(Offence.objects.filter(code__in=codes).count() == len(set(codes)), _("Choose offences from the table."))


def _effect_qualification(report: Report, event: CaseEvent, step: Step) -> None:
    offences = list(Offence.objects.filter(code__in=step.codes["offences"]))
    # R42: the table as it was used, so that a later change of the reference data does not rewrite this case.
    event.codes = {
        **event.codes,
        "table_version": max(offence.version_date for offence in offences).isoformat(),
        "prosecutor": any(offence.triggers_article_40 for offence in offences),
        "snapshot": [
            {
                "code": o.code,
                "nature": o.nature,
                "source": o.source_article,
                "penalty": o.penalty_fr,
                "version": o.version_date.isoformat(),
            }
            for o in offences
        ],
    }
    event.save(update_fields=["codes"])
    if event.codes["prosecutor"] and not report.tasks.filter(kind=TaskKind.PROSECUTOR, done_on__isnull=True).exists():
        _task(report, TaskKind.PROSECUTOR, delay_code=None, start=step.on, event=event)  # "sans délai": due at once


def _check_prosecutor(report: Report, step: Step) -> None:
    decision = step.codes.get("decision")
    _require(decision in ProsecutorNotice.values, _("Choose whether a notice is sent to the public prosecutor."))
    _require(bool(_text(step, "justification")), _("Give the reasons for this decision."))


def _effect_prosecutor(report: Report, event: CaseEvent, step: Step) -> None:
    _finish_tasks(report, TaskKind.PROSECUTOR, step.on)


def _check_measure(report: Report, step: Step) -> None:
    measure = _found(
        MeasureType.objects.filter(code=step.codes.get("measure"), active=True).first(), _("Choose the kind of measure.")
    )
    missing = _("Give the start date and the review date of the measure.")
    start, review = _found(_date(step.codes.get("start")), missing), _found(_date(step.codes.get("review")), missing)
    end = _date(step.codes.get("end"))
    _require(review >= start and (end is None or end >= start), _("The review and end dates must come after the start."))
    if measure.max_days is not None and end is not None:
        _require(
            (end - start).days <= measure.max_days,
            _("This measure cannot last more than %(days)d days.") % {"days": measure.max_days},
        )
    _require(bool(_text(step, "decided_by")), _("Say who decided the measure."))


def _integer(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _uuid(value: Any) -> uuid.UUID:
    """A UUID from a form value; an unusable value gives one that matches nothing."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _effect_measure(report: Report, event: CaseEvent, step: Step) -> None:
    review = _found(_date(step.codes["review"]), _("Give the review date."))
    _task(report, TaskKind.MEASURE_REVIEW, delay_code=None, start=review, event=event)


def _check_measure_review(report: Report, step: Step) -> None:
    measure = report.events.filter(uid=_uuid(step.codes.get("measure_event")), kind=EventKind.PROTECTIVE_MEASURE).first()
    _require(measure is not None, _("Choose the measure reviewed."))
    decision = step.codes.get("decision")
    _require(decision in {"continue", "end"}, _("Choose whether the measure continues or ends."))
    if decision == "continue":
        review = _date(step.codes.get("review"))
        _require(review is not None and review > step.on, _("Give the next review date."))


def _effect_measure_review(report: Report, event: CaseEvent, step: Step) -> None:
    measure = report.events.get(uid=step.codes["measure_event"])
    _finish_tasks(report, TaskKind.MEASURE_REVIEW, step.on, event=measure)
    if step.codes["decision"] == "continue":
        review = _found(_date(step.codes["review"]), _("Give the next review date."))
        _task(report, TaskKind.MEASURE_REVIEW, delay_code=None, start=review, event=measure)
    else:
        measure.codes = {**measure.codes, "end": step.on.isoformat()}
        measure.save(update_fields=["codes"])


def open_measures(report: Report, today: datetime.date) -> list[CaseEvent]:
    """Protective measures without an end date, or ending after today."""
    measures = report.events.filter(kind=EventKind.PROTECTIVE_MEASURE)
    return [event for event in measures if (end := _date(event.codes.get("end"))) is None or end > today]


def _effect_protection_request(report: Report, event: CaseEvent, step: Step) -> None:
    _task(report, TaskKind.PROTECTION_DECISION, delay_code="protection-decision", start=step.on, event=event)


def _check_protection_decision(report: Report, step: Step) -> None:
    _require(report.events.filter(kind=EventKind.PROTECTION_REQUEST).exists(), _("No request for protection was recorded."))
    _require(bool(step.codes.get("decision")), _("Choose the decision."))


def _effect_protection_decision(report: Report, event: CaseEvent, step: Step) -> None:
    _finish_tasks(report, TaskKind.PROTECTION_DECISION, step.on)


def _check_commission(report: Report, step: Step) -> None:
    _require(
        report.events.filter(kind=EventKind.INVESTIGATION_OPENED).exists(),
        _("Record the decision to open an investigation first."),
    )
    ids = list(step.codes.get("investigators") or [])
    _require(len(ids) >= 1, _("Choose the members of the commission."))
    _require(Investigator.objects.filter(pk__in=ids, active=True).count() == len(set(ids)), _("Choose members from the list."))


def _effect_commission(report: Report, event: CaseEvent, step: Step) -> None:
    genders = set(Investigator.objects.filter(pk__in=step.codes["investigators"]).values_list("gender", flat=True))
    event.codes = {**event.codes, "mixed": {"woman", "man"} <= genders}
    event.save(update_fields=["codes"])


def _check_interview(report: Report, step: Step) -> None:
    _require(report.status == Status.INVESTIGATION, _("Interviews are part of an investigation under way."))
    _require(step.codes.get("consent") in {"yes", "no"}, _("Say whether the person agreed to be recorded."))
    _require(bool(_text(step, "person")), _("Say who was interviewed."))
    if step.codes.get("approved"):
        _require(bool(_text(step, "transcript")), _("An approved interview needs its transcript."))


def _check_investigation_report(report: Report, step: Step) -> None:
    # R47: no report without a mandate and a commission.
    _require(
        report.events.filter(kind=EventKind.INVESTIGATION_OPENED).exists()
        and report.events.filter(kind=EventKind.COMMISSION).exists(),
        _("An investigation report needs the decision to investigate and the appointed commission."),
    )
    _require(bool(_text(step, "conclusions")), _("Write the conclusions."))


def _check_decision(report: Report, step: Step) -> None:
    _require(step.codes.get("outcome") in Outcome.values, _("Choose the outcome."))
    _require(bool(_text(step, "reasons")), _("Give the reasons for the decision."))


def _effect_decision(report: Report, event: CaseEvent, step: Step) -> None:
    report.facts_established = step.codes["outcome"] in {Outcome.ESTABLISHED, Outcome.PARTLY}
    if report.status == Status.INVESTIGATION:
        report.status = Status.IN_PROGRESS


def _check_disciplinary(report: Report, step: Step) -> None:
    path = step.codes.get("path")
    _require(path in DisciplinaryPath.values, _("Say whether the person is a student or a staff member."))
    known = report.received_month  # the day of receipt is not kept in clear: its month is the cautious bound
    limit = statutory_due("discipline-students" if path == "student" else "discipline-staff", known)
    # R48: proceedings opened after the limitation period are blocked, the period and its source shown.
    _require(
        step.on <= limit.due,
        _("Disciplinary proceedings had to be opened by %(date)s (%(source)s).")
        % {"date": limit.due.strftime("%d/%m/%Y"), "source": limit.delay.source_article},
    )


def _effect_hold(report: Report, hold: str) -> None:
    if hold == LegalHold.RELEASED:
        report.legal_hold = ""
        if report.status == Status.CLOSED:
            report.retention_state = Retention.CLOSED
            report.retention_until = statutory_due("retention-after-closure", _today()).due
        else:
            report.retention_state = Retention.ACTIVE
    else:
        report.legal_hold = hold
        report.retention_state = Retention.LEGAL_HOLD


def _effect_disciplinary(report: Report, event: CaseEvent, step: Step) -> None:
    _effect_hold(report, LegalHold.DISCIPLINARY)  # R31(c): kept while the proceedings run


def _check_hold(report: Report, step: Step) -> None:
    _require(step.codes.get("hold") in LegalHold.values, _("Choose the kind of proceedings."))
    if step.codes["hold"] == LegalHold.RELEASED:
        _require(bool(report.legal_hold), _("No legal hold is set on this case."))


def _effect_legal_hold(report: Report, event: CaseEvent, step: Step) -> None:
    _effect_hold(report, step.codes["hold"])


def _check_feedback(report: Report, step: Step) -> None:
    # R17: what was done or planned, and why.
    _require(
        bool(_text(step, "measures")) and bool(_text(step, "reasons")), _("The feedback needs the measures and their reasons.")
    )


def _effect_feedback(report: Report, event: CaseEvent, step: Step) -> None:
    report.feedback_on = report.feedback_on or step.on


def _check_acknowledgement(report: Report, step: Step) -> None:
    _require(report.acknowledged_at is None, _("This case was already acknowledged."))


def _effect_acknowledgement(report: Report, event: CaseEvent, step: Step) -> None:
    report.acknowledged_at = timezone.now()
    report.feedback_due = statutory_due("feedback", step.on).due


def _check_oral_intake(report: Report, step: Step) -> None:
    _require(step.codes.get("consent") in {"yes", "no"}, _("Say whether the person agreed to a recording."))
    _require(bool(_text(step, "transcript")), _("Write the transcript or the minutes."))


def _effect_oral_intake(report: Report, event: CaseEvent, step: Step) -> None:
    if step.codes.get("meeting_requested"):
        _task(report, TaskKind.ORAL_MEETING, delay_code="oral-meeting", start=step.on, event=event)


def _effect_listening(report: Report, event: CaseEvent, step: Step) -> None:
    _finish_tasks(report, TaskKind.ORAL_MEETING, step.on)


def _person(report: Report, step: Step) -> CasePerson:
    return _found(
        report.persons.filter(uid=_uuid(step.codes.get("person")), role=PersonRole.TARGETED).first(),
        _("Choose the person targeted."),
    )


def _check_person_informed(report: Report, step: Step) -> None:
    _person(report, step)


def _effect_person_informed(report: Report, event: CaseEvent, step: Step) -> None:
    person = _person(report, step)
    CasePerson.objects.filter(pk=person.pk).update(informed_on=step.on)
    _finish_tasks(report, TaskKind.INFORM_TARGETED, step.on, person=person)


def _check_deferral(report: Report, step: Step) -> None:
    _person(report, step)
    _require(bool(_text(step, "justification")), _("A deferral needs a written justification."))
    review = _date(step.codes.get("review"))
    _require(review is not None and review > step.on, _("Give the date on which the deferral will be reviewed."))


def _effect_deferral(report: Report, event: CaseEvent, step: Step) -> None:
    person = _person(report, step)
    review = _found(_date(step.codes["review"]), _("Give the date on which the deferral will be reviewed."))
    for task in report.tasks.filter(kind=TaskKind.INFORM_TARGETED, person=person, done_on__isnull=True):
        task.due, task.deferrals = review, task.deferrals + 1
        task.save(update_fields=["due", "deferrals"])


def _effect_retaliation_risk(report: Report, event: CaseEvent, step: Step) -> None:
    # R22: check-ins at 3 and 6 months, which follow the person after the case is closed.
    for code in ("retaliation-checkin-first", "retaliation-checkin-second"):
        _task(report, TaskKind.RETALIATION_CHECKIN, delay_code=code, start=step.on, event=event)


def _check_checkin(report: Report, step: Step) -> None:
    _require(
        report.tasks.filter(kind=TaskKind.RETALIATION_CHECKIN, done_on__isnull=True).exists(),
        _("No check-in is planned: flag the risk of retaliation first."),
    )
    _require(bool(_text(step, "summary")), _("Write what the person said."))


def _effect_checkin(report: Report, event: CaseEvent, step: Step) -> None:
    task = report.tasks.filter(kind=TaskKind.RETALIATION_CHECKIN, done_on__isnull=True).order_by("due", "pk").first()
    if task is not None:
        task.done_on = step.on
        task.save(update_fields=["done_on"])


def _check_reopen(report: Report, step: Step) -> None:
    _require(report.status in {Status.CLOSED, Status.WITHDRAWN}, _("Only a closed case can be reopened."))
    _require(bool(_text(step, "reason")), _("Say why the case is reopened."))


def _effect_reopen(report: Report, event: CaseEvent, step: Step) -> None:
    report.closed_on, report.closure_reason = None, ""
    report.retention_state = Retention.LEGAL_HOLD if report.legal_hold else Retention.ACTIVE
    report.retention_until = None


CHECKS: dict[str, Callable[[Report, Step], None]] = {
    EventKind.SUPPORT_ORIENTATION: _check_orientation,
    EventKind.AUTHORITY_ORIENTATION: _check_orientation,
    EventKind.QUALIFICATION: _check_qualification,
    EventKind.PROSECUTOR: _check_prosecutor,
    EventKind.PROTECTIVE_MEASURE: _check_measure,
    EventKind.MEASURE_REVIEW: _check_measure_review,
    EventKind.PROTECTION_DECISION: _check_protection_decision,
    EventKind.COMMISSION: _check_commission,
    EventKind.INTERVIEW: _check_interview,
    EventKind.INVESTIGATION_REPORT: _check_investigation_report,
    EventKind.DECISION: _check_decision,
    EventKind.DISCIPLINARY_REFERRAL: _check_disciplinary,
    EventKind.LEGAL_HOLD: _check_hold,
    EventKind.FEEDBACK: _check_feedback,
    EventKind.ACKNOWLEDGEMENT: _check_acknowledgement,
    EventKind.ORAL_INTAKE: _check_oral_intake,
    EventKind.PERSON_INFORMED: _check_person_informed,
    EventKind.INFORMATION_DEFERRED: _check_deferral,
    EventKind.REOPENED: _check_reopen,
    EventKind.CHECKIN: _check_checkin,
}
EFFECTS: dict[str, Callable[[Report, CaseEvent, Step], None]] = {
    EventKind.SUPPORT_ORIENTATION: _effect_orientation,
    EventKind.AUTHORITY_ORIENTATION: _effect_orientation,
    EventKind.QUALIFICATION: _effect_qualification,
    EventKind.PROSECUTOR: _effect_prosecutor,
    EventKind.PROTECTIVE_MEASURE: _effect_measure,
    EventKind.MEASURE_REVIEW: _effect_measure_review,
    EventKind.PROTECTION_REQUEST: _effect_protection_request,
    EventKind.PROTECTION_DECISION: _effect_protection_decision,
    EventKind.COMMISSION: _effect_commission,
    EventKind.DECISION: _effect_decision,
    EventKind.DISCIPLINARY_REFERRAL: _effect_disciplinary,
    EventKind.LEGAL_HOLD: _effect_legal_hold,
    EventKind.FEEDBACK: _effect_feedback,
    EventKind.ACKNOWLEDGEMENT: _effect_acknowledgement,
    EventKind.ORAL_INTAKE: _effect_oral_intake,
    EventKind.LISTENING: _effect_listening,
    EventKind.PERSON_INFORMED: _effect_person_informed,
    EventKind.INFORMATION_DEFERRED: _effect_deferral,
    EventKind.REOPENED: _effect_reopen,
    EventKind.RETALIATION_RISK: _effect_retaliation_risk,
    EventKind.CHECKIN: _effect_checkin,
}


# --- Closure ------------------------------------------------------------------------------------------


def closure_problems(report: Report) -> list[str]:
    """What stands in the way of closing (R1, R46); empty when the case can be closed."""
    problems = []
    if not report.support_decision:
        problems.append(_("Record a decision on the orientation to support (done, declined or not applicable)."))
    if not report.authority_decision:
        problems.append(_("Record a decision on the orientation to the competent authority."))
    if report.tasks.filter(kind=TaskKind.PROSECUTOR, done_on__isnull=True).exists():
        problems.append(_("Decide on the notice to the public prosecutor first."))
    if report.status == Status.INVESTIGATION:
        problems.append(_("The investigation is under way: record the decision that ends it first."))
    return problems


@dataclass
class Closure:
    reason: str
    reasons: str  # the written reasons, sent to the reporter with the notice (R18)
    notice: str  # the notice to the reporter, sent through their mailbox when they have one
    measures_reviewed: bool = False  # R8: open protective measures were looked at before closing


def case_close(*, report: Report, data_key: bytes, actor: Any, closure: Closure) -> CaseEvent:
    today = _today()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _require(report.status != Status.CLOSED, _("This case is already closed."))
        _require(closure.reason in ClosureReason.values, _("Choose the reason for closing."))
        _require(bool(closure.reasons.strip()), _("Write the reasons for closing: they are notified to the reporter."))
        _require(bool(closure.notice.strip()), _("Write the notice to the reporter."))
        problems = closure_problems(report)
        _require(not problems, " ".join(problems))
        if open_measures(report, today) and not closure.measures_reviewed:
            raise CaseRuleError(_("Protective measures are still running: review them, then confirm."))
        _move(report, Status.CLOSED)
        step = Step(
            kind=EventKind.CLOSURE,
            on=today,
            codes={"reason": closure.reason},
            texts={"reasons": closure.reasons, "notice": closure.notice},
        )
        event = _new_event(report, data_key, actor, step, Part.CASE)
        report.closed_on, report.closure_reason = today, closure.reason
        if report.legal_hold:
            report.retention_state = Retention.LEGAL_HOLD
        else:
            report.retention_state = Retention.CLOSED
            # R31(a): a report outside the scheme's scope goes without delay; otherwise 2 months after closure.
            immediate = closure.reason == ClosureReason.INADMISSIBLE
            report.retention_until = today if immediate else statutory_due("retention-after-closure", today).due
        report.save()
        # What the closure ends; the check-ins against retaliation go on after it (R22).
        CaseTask.objects.filter(report=report, done_on__isnull=True).exclude(kind=TaskKind.RETALIATION_CHECKIN).update(
            done_on=today
        )
        case_refresh_due(report)
        if report.receipt_id is not None:
            # R18: the reporter is told of the closure in writing, with its reasons.
            text = closure.notice.strip() + "\n\n" + _("Reasons:") + "\n" + closure.reasons.strip()
            message_from_handler(report=report, data_key=data_key, handler=actor, text=text)
        audit_record(
            actor=actor,
            action="case.closure",
            object_type="reports.report",
            object_id=report.reference,
            data={"event": event.pk, "reason": closure.reason, "notice": report.receipt_id is not None},
        )
    return event


def case_reopen(*, report: Report, data_key: bytes, actor: Any, reason: str) -> CaseEvent:
    return case_record(
        report=report, data_key=data_key, actor=actor, step=Step(EventKind.REOPENED, _today(), texts={"reason": reason})
    )


# --- Messages to the reporter ---------------------------------------------------------------------------


def case_reply(*, report: Report, data_key: bytes, handler: Any, text: str) -> None:
    """A message to the reporter; the first one is the written acknowledgement (R16) and starts the feedback clock (R17)."""
    with transaction.atomic():
        if report.acknowledged_at is None:
            step = Step(EventKind.ACKNOWLEDGEMENT, _today(), codes={"by_message": True}, texts={"text": text})
            case_record(report=report, data_key=data_key, actor=handler, step=step)
            report.refresh_from_db()
        message_from_handler(report=report, data_key=data_key, handler=handler, text=text)


# --- Persons involved ------------------------------------------------------------------------------------


def case_person_add(*, report: Report, data_key: bytes, actor: Any, role: str, identity: dict[str, str]) -> CasePerson:
    """Add a person involved; for the person targeted, the task to inform them within one month (R29)."""
    _require(role in PersonRole.values, _("Choose the person's role in the case."))
    _require(bool((identity.get("name") or "").strip()), _("Give a name or a description of the person."))
    today = _today()
    with transaction.atomic():
        _require(not report.is_shredded and report.status != Status.CLOSED, _("This case is closed: reopen it first."))
        person = CasePerson(report=report, role=role, added_on=today)
        person.identity = crypto.encrypt_json(data_key, identity, context=f"case-person:{person.uid}")
        person.save()
        if role == PersonRole.TARGETED:
            _task(report, TaskKind.INFORM_TARGETED, delay_code="inform-targeted", start=today, person=person)
        case_refresh_due(report)
        audit_record(
            actor=actor, action="case.person_added", object_type="reports.report", object_id=report.reference, data={"role": role}
        )
    return person


# --- Internal notes and mentions ----------------------------------------------------------------------------

MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w.-]+)")


def case_note(*, report: Report, data_key: bytes, actor: Any, text: str) -> CaseEvent:
    """An internal note (never shown to the reporter); the holders it @-mentions are told by e-mail, without content."""
    _require(bool(text.strip()), _("The note is empty."))
    event = case_record(report=report, data_key=data_key, actor=actor, step=Step(EventKind.NOTE, _today(), texts={"text": text}))
    mentioned = [user for user in mentioned_holders(report, text) if user.pk != getattr(actor, "pk", None)]
    if mentioned:
        url = settings.EGIDE_BASE_URL.rstrip("/") + reverse("cases:report", args=[report.reference])
        emails = [user.email for user in mentioned]
        transaction.on_commit(lambda: _mail_mention(emails, url))
    return event


def mentioned_holders(report: Report, text: str) -> list[User]:
    """The holders of the case named in `text` as @first.last or @e-mail (others are ignored: a mention never grants)."""
    names = {match.lower() for match in MENTION.findall(text)}
    if not names:
        return []
    holders = User.objects.filter(pk__in=holder_ids(report)).select_related("person")
    found = []
    for user in holders:
        handles = {user.email.lower(), user.email.split("@")[0].lower()}
        if user.person is not None:
            handles.add(f"{user.person.first_name}.{user.person.last_name}".lower().replace(" ", "-"))
        if handles & names:
            found.append(user)
    return found


def _mail_mention(emails: list[str], url: str) -> None:
    subject = _("[Égide] You were mentioned in a case")
    body = _("A colleague mentioned you in an internal note of a case you handle.\n\nSign in to read it: %(url)s") % {"url": url}
    send_mail(subject, body, None, emails, fail_silently=True)


# --- Access grants -------------------------------------------------------------------------------------------


def holder_ids(report: Report) -> list[int]:
    return list(Wrap.objects.filter(envelope_id=report.envelope_id, kind=Wrap.Kind.HANDLER).values_list("user_id", flat=True))


def case_grant(*, report: Report, data_key: bytes, granter: Any, user: User, scope: str, reason: str) -> CaseGrant:
    """Give someone access to the case: the data key is re-wrapped for them (never for a person the reporter excluded)."""
    from egide.cases.access import eligible_grantees

    _require(scope in GrantScope.values, _("Choose what the person may see."))
    _require(bool(reason.strip()), _("Say why this person needs access."))
    _require(user in eligible_grantees(report, scope), _("This person cannot be given access to this case."))
    _require(
        HandlerKey.objects.filter(user=user).exists(),
        _("This person has no personal key yet: they must open the cases page once to create it."),
    )
    excluded = decrypt_content(data_key, report).get("excluded_ids", [])
    _require(user.person_id not in excluded, _("The reporter asked that this person not see the report."))
    today = _today()
    with transaction.atomic():
        # A holder already has the key (an active grantee included): a grant would add nothing and its
        # revocation would take away a key it did not give.
        _require(user.pk not in holder_ids(report), _("This person already has access."))
        grant = CaseGrant.objects.create(report=report, user=user, scope=scope, granted_by=granter, granted_on=today, reason=b"")
        grant.reason = crypto.encrypt_json(data_key, {"reason": reason}, context=f"case-grant:{grant.pk}:{user.pk}")
        grant.save(update_fields=["reason"])
        envelope_grant(envelope_id=report.envelope_id, data_key=data_key, users=[user])
        audit_record(
            actor=granter,
            action="case.access_granted",
            object_type="reports.report",
            object_id=report.reference,
            data={"grantee": user.pk, "scope": scope, "grant": grant.pk},
        )
    url = settings.EGIDE_BASE_URL.rstrip("/") + reverse("cases:inbox")
    transaction.on_commit(lambda: _mail_granted(user.email, url))
    return grant


def _mail_granted(email: str, url: str) -> None:
    subject = _("[Égide] You were given access to a case")
    body = _("A handler gave you access to a case. Sign in to see it: %(url)s") % {"url": url}
    send_mail(subject, body, None, [email], fail_silently=True)


def case_revoke(*, report: Report, data_key: bytes, grant: CaseGrant, revoker: Any, reason: str) -> None:
    """End a grant: the grantee's wrap of the data key is deleted, so the key no longer opens for them.
    (A grant is never given to someone who already held the key, so that wrap is the grant's own.)
    The reason is kept with the grant's, encrypted: what people type there may identify someone."""
    _require(bool(reason.strip()), _("Say why the access ends."))
    with transaction.atomic():
        grant = CaseGrant.objects.select_for_update().get(pk=grant.pk, report=report)
        _require(grant.revoked_on is None, _("This access has already ended."))
        reasons = {"reason": open_grant_reason(data_key, grant), "revocation": reason}
        grant.reason = crypto.encrypt_json(data_key, reasons, context=f"case-grant:{grant.pk}:{grant.user_id}")
        grant.revoked_on, grant.revoked_by = _today(), revoker
        grant.save(update_fields=["reason", "revoked_on", "revoked_by"])
        Wrap.objects.filter(envelope_id=report.envelope_id, user_id=grant.user_id, kind=Wrap.Kind.HANDLER).delete()
        audit_record(
            actor=revoker,
            action="case.access_revoked",
            object_type="reports.report",
            object_id=report.reference,
            data={"grantee": grant.user_id, "grant": grant.pk},
        )


# --- Cases opened by a handler ------------------------------------------------------------------------------


@dataclass
class Intake:
    """A report received in person, by phone or by letter (R21 for the oral ones)."""

    entity: Any
    channel: str
    received_on: datetime.date
    mode: str
    reporter_role: str
    population: str
    categories: list[str]
    narrative: str
    reporter_name: str = ""
    reporter_contact: str = ""
    consent: str = ""  # oral reports: did the person agree to a recording ("yes"/"no")
    transcript: str = ""  # oral reports: the transcript or the minutes
    approved_on: datetime.date | None = None  # the day the person approved the transcript or minutes
    meeting_requested: bool = False


def case_open(*, handler: Any, intake: Intake) -> Report:
    """A case for a report that did not come through the form; the handler who opens it holds it."""
    _require(intake.channel in {Channel.IN_PERSON, Channel.PHONE, Channel.LETTER}, _("Choose how the report was received."))
    _require(intake.received_on <= _today(), _("The date cannot be in the future."))
    oral = intake.channel in {Channel.IN_PERSON, Channel.PHONE}
    if oral:
        _require(intake.consent in {"yes", "no"}, _("Say whether the person agreed to a recording."))
        _require(bool(intake.transcript.strip()), _("Write the transcript or the minutes of what the person said."))
    content = {
        "narrative": intake.narrative,
        "identity": {"name": intake.reporter_name, "contact": intake.reporter_contact} if intake.mode != "anonymous" else {},
        "channel": intake.channel,
    }
    with transaction.atomic():
        report, data_key = report_open_for_handler(
            handler=handler,
            entity=intake.entity,
            channel=intake.channel,
            received_on=intake.received_on,
            mode=intake.mode,
            reporter_role=intake.reporter_role,
            population=intake.population,
            categories=intake.categories,
            content=content,
        )
        case_record(
            report=report,
            data_key=data_key,
            actor=handler,
            step=Step(EventKind.OPENED, intake.received_on, codes={"channel": intake.channel}),
        )
        if oral:
            step = Step(
                EventKind.ORAL_INTAKE,
                intake.received_on,
                codes={
                    "consent": intake.consent,
                    "approved_on": intake.approved_on.isoformat() if intake.approved_on else "",
                    "meeting_requested": intake.meeting_requested,
                },
                texts={"transcript": intake.transcript},
            )
            case_record(report=report, data_key=data_key, actor=handler, step=step)
    return report


# --- Generated documents ----------------------------------------------------------------------------------------

INVESTIGATION_DOCUMENTS = {
    TemplateKind.CONFIDENTIALITY,
    TemplateKind.RECORDING,
    TemplateKind.CONVOCATION,
    TemplateKind.MINUTES,
    TemplateKind.INVESTIGATION_REPORT,
}


def case_document_store(
    *, report: Report, data_key: bytes, actor: Any, kind: str, language: str, content: bytes, template: Any
) -> CaseDocument:
    """Keep a generated document in the case, encrypted with the case's key."""
    with transaction.atomic():
        _require(not report.is_shredded, _("This case's content was destroyed at the end of its retention period."))
        document = CaseDocument(
            report=report,
            kind=kind,
            part=Part.INVESTIGATION if kind in INVESTIGATION_DOCUMENTS else Part.CASE,
            template=template,
            language=language,
            created_on=_today(),
            created_by=actor,
            size=len(content),
        )
        document.content = crypto.encrypt(data_key, content, context=f"case-document:{document.uid}")
        document.save()
        audit_record(
            actor=actor,
            action="case.document_generated",
            object_type="reports.report",
            object_id=report.reference,
            data={"document": document.pk, "kind": kind, "template": getattr(template, "pk", None)},
        )
    return document


def open_document(data_key: bytes, document: CaseDocument) -> bytes:
    return crypto.decrypt(data_key, document.content, context=f"case-document:{document.uid}")
