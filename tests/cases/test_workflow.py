"""The rules of the procedure, enforced by the case services (R1, R8, R16-R19, R21, R29, R31, R42-R48)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from egide.cases import services
from egide.cases.choices import ClosureReason, EventKind, LegalHold, Orientation, PersonRole, Retention, TaskKind
from egide.cases.models import CaseTask
from egide.cases.services import CaseRuleError, Closure, Intake, Step
from egide.core.audit import verify_chain
from egide.core.deadlines import add_months, add_working_days
from egide.core.models import AuditEvent
from egide.kb.models import Investigator, Offence, SupportResource
from egide.org.models import Entity, User
from egide.reports.choices import Channel, Status
from egide.reports.models import Report
from tests.cases.conftest import OpenCase


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The rules' messages are matched in English (they are translated like any other text)."""
    with translation.override("en"):
        yield


def record(case: OpenCase, kind: str, *, on: datetime.date | None = None, codes: Any = None, texts: Any = None) -> Any:
    step = Step(kind=kind, on=on or timezone.localdate(), codes=codes or {}, texts=texts or {})
    return services.case_record(report=case.report, data_key=case.key, actor=case.handler, step=step)


def orient_both(case: OpenCase) -> None:
    record(case, EventKind.SUPPORT_ORIENTATION, codes={"decision": Orientation.DECLINED}, texts={"justification": "Not now."})
    record(case, EventKind.AUTHORITY_ORIENTATION, codes={"decision": Orientation.NOT_APPLICABLE}, texts={"justification": "No."})


def close(case: OpenCase, reason: str = ClosureReason.NO_MEASURE, **extra: Any) -> Any:
    closure = Closure(reason=reason, reasons="The facts did not call for a measure.", notice="Your report is closed.", **extra)
    return services.case_close(report=case.report, data_key=case.key, actor=case.handler, closure=closure)


def open_tasks(case: OpenCase, kind: str) -> list[CaseTask]:
    return list(case.report.tasks.filter(kind=kind, done_on__isnull=True))


# --- Closure (R1, R18, R31) ------------------------------------------------------------------------


def test_closing_needs_both_orientation_decisions(case: OpenCase) -> None:
    with pytest.raises(CaseRuleError, match="support"):
        close(case)
    record(case, EventKind.SUPPORT_ORIENTATION, codes={"decision": Orientation.DECLINED}, texts={"justification": "Not now."})
    with pytest.raises(CaseRuleError, match="competent authority"):
        close(case)
    assert case.refresh().status == Status.IN_PROGRESS
    record(case, EventKind.AUTHORITY_ORIENTATION, codes={"decision": Orientation.NOT_APPLICABLE}, texts={"justification": "No."})
    messages_before = case.report.messages.count()
    close(case)
    report = case.refresh()
    assert report.status == Status.CLOSED and report.closure_reason == ClosureReason.NO_MEASURE
    assert report.retention_state == Retention.CLOSED
    assert report.retention_until == add_months(report.closed_on, 2)  # type: ignore[arg-type]
    assert report.messages.count() == messages_before + 1  # the notice, in the reporter's space
    assert report.next_due is None
    assert verify_chain().ok


def test_closure_needs_a_reason_and_written_reasons(case: OpenCase) -> None:
    orient_both(case)
    for closure in (
        Closure(reason="", reasons="x", notice="x"),
        Closure(reason=ClosureReason.MOOT, reasons=" ", notice="x"),
        Closure(reason=ClosureReason.MOOT, reasons="x", notice=""),
    ):
        with pytest.raises(CaseRuleError):
            services.case_close(report=case.report, data_key=case.key, actor=case.handler, closure=closure)
    assert case.refresh().status != Status.CLOSED


def test_an_inadmissible_report_is_due_for_destruction_at_once(case: OpenCase) -> None:
    orient_both(case)
    close(case, ClosureReason.INADMISSIBLE)
    report = case.refresh()
    assert report.retention_until == report.closed_on


def test_orientation_to_support_needs_a_resource_of_the_directory_or_a_reason(case: OpenCase, resource: SupportResource) -> None:
    with pytest.raises(CaseRuleError, match="directory"):
        record(case, EventKind.SUPPORT_ORIENTATION, codes={"decision": Orientation.DONE, "resource": 999999})
    with pytest.raises(CaseRuleError, match="why"):
        record(case, EventKind.SUPPORT_ORIENTATION, codes={"decision": Orientation.DECLINED})
    record(case, EventKind.SUPPORT_ORIENTATION, codes={"decision": Orientation.DONE, "resource": resource.pk})
    assert case.refresh().support_decision == Orientation.DONE


def test_open_protective_measures_must_be_reviewed_before_closing(case: OpenCase) -> None:
    today = timezone.localdate()
    codes = {
        "measure": "changement-groupe",
        "start": today.isoformat(),
        "review": (today + datetime.timedelta(days=30)).isoformat(),
    }
    record(case, EventKind.PROTECTIVE_MEASURE, codes=codes, texts={"decided_by": "The director"})
    assert [task.due for task in open_tasks(case, TaskKind.MEASURE_REVIEW)] == [today + datetime.timedelta(days=30)]
    orient_both(case)
    with pytest.raises(CaseRuleError, match="measures"):
        close(case)
    close(case, measures_reviewed=True)
    assert case.refresh().status == Status.CLOSED


def test_a_measure_longer_than_its_maximum_is_refused(case: OpenCase) -> None:
    from egide.cases.models import MeasureType

    MeasureType.objects.filter(code="suspension-agent").update(max_days=120)
    today = timezone.localdate()
    codes = {"measure": "suspension-agent", "start": today.isoformat(), "end": (today + datetime.timedelta(days=200)).isoformat()}
    codes["review"] = (today + datetime.timedelta(days=30)).isoformat()
    with pytest.raises(CaseRuleError, match="120"):
        record(case, EventKind.PROTECTIVE_MEASURE, codes=codes, texts={"decided_by": "The director"})


# --- Offences and the public prosecutor (R42, R46) ---------------------------------------------------


def test_a_delit_creates_the_prosecutor_task_which_blocks_closure(case: OpenCase) -> None:
    record(case, EventKind.QUALIFICATION, codes={"offences": ["hs"]})
    assert len(open_tasks(case, TaskKind.PROSECUTOR)) == 1
    orient_both(case)
    with pytest.raises(CaseRuleError, match="prosecutor"):
        close(case)
    with pytest.raises(CaseRuleError, match="reasons"):
        record(case, EventKind.PROSECUTOR, codes={"decision": "not_transmit"})
    record(case, EventKind.PROSECUTOR, codes={"decision": "transmit"}, texts={"justification": "A délit was reported."})
    assert open_tasks(case, TaskKind.PROSECUTOR) == []
    close(case)


def test_a_contravention_alone_creates_no_prosecutor_task(case: OpenCase) -> None:
    record(case, EventKind.QUALIFICATION, codes={"offences": ["oss-c"]})
    assert open_tasks(case, TaskKind.PROSECUTOR) == []


def test_an_unknown_offence_is_refused(case: OpenCase) -> None:
    with pytest.raises(CaseRuleError):
        record(case, EventKind.QUALIFICATION, codes={"offences": ["no-such-offence"]})
    assert not case.report.events.filter(kind=EventKind.QUALIFICATION).exists()


def test_the_offences_table_used_is_kept_with_the_case(case: OpenCase) -> None:
    event = record(case, EventKind.QUALIFICATION, codes={"offences": ["hs"]})
    before = event.codes["snapshot"][0]
    Offence.objects.filter(code="hs").update(
        source_article="changed", penalty_fr="changed", version_date=datetime.date(2030, 1, 1)
    )
    event.refresh_from_db()
    assert event.codes["snapshot"][0] == before and before["source"] != "changed"


# --- Persons targeted (R29) --------------------------------------------------------------------------


def test_a_person_targeted_must_be_informed_within_a_month_or_deferred_with_a_reason(case: OpenCase) -> None:
    person = services.case_person_add(
        report=case.report, data_key=case.key, actor=case.handler, role=PersonRole.TARGETED, identity={"name": "M. Dupont"}
    )
    [task] = open_tasks(case, TaskKind.INFORM_TARGETED)
    assert task.due == add_months(timezone.localdate(), 1) and task.delay is not None and task.delay.code == "inform-targeted"
    assert case.refresh().next_due <= task.due  # type: ignore[operator]
    review = timezone.localdate() + datetime.timedelta(days=45)
    with pytest.raises(CaseRuleError, match="justification"):
        record(case, EventKind.INFORMATION_DEFERRED, codes={"person": str(person.uid), "review": review.isoformat()})
    record(
        case,
        EventKind.INFORMATION_DEFERRED,
        codes={"person": str(person.uid), "review": review.isoformat()},
        texts={"justification": "Evidence could be destroyed."},
    )
    task.refresh_from_db()
    assert task.due == review and task.deferrals == 1
    record(case, EventKind.PERSON_INFORMED, codes={"person": str(person.uid)}, texts={"how": "Letter"})
    task.refresh_from_db()
    person.refresh_from_db()
    assert task.done_on is not None and person.informed_on is not None


def test_the_identity_of_a_person_is_encrypted(case: OpenCase) -> None:
    person = services.case_person_add(
        report=case.report,
        data_key=case.key,
        actor=case.handler,
        role=PersonRole.WITNESS,
        identity={"name": "CANARY-witness-name"},
    )
    assert b"CANARY" not in bytes(person.identity)
    assert "CANARY" not in str(list(AuditEvent.objects.values_list("data", "reason")))


# --- Protection fonctionnelle (R44), investigation (R47), decision (R19), discipline (R48) ---------------


def test_a_request_for_protection_starts_the_decision_clock(case: OpenCase) -> None:
    day = timezone.localdate()
    record(case, EventKind.PROTECTION_REQUEST, on=day, texts={"details": "Legal costs"})
    [task] = open_tasks(case, TaskKind.PROTECTION_DECISION)
    assert task.due == add_months(day, 2)
    record(case, EventKind.PROTECTION_DECISION, codes={"decision": "granted"}, texts={"measures": "Legal costs paid."})
    assert open_tasks(case, TaskKind.PROTECTION_DECISION) == []


def test_the_investigation_path(case: OpenCase, investigators: list[Investigator]) -> None:
    with pytest.raises(CaseRuleError, match="investigation"):
        record(case, EventKind.INTERVIEW, codes={"consent": "no"}, texts={"person": "Witness"})
    record(case, EventKind.INVESTIGATION_OPENED, texts={"scope": "Remarks in class", "decided_by": "Director"})
    assert case.refresh().status == Status.INVESTIGATION
    with pytest.raises(CaseRuleError, match="commission"):
        record(case, EventKind.INVESTIGATION_REPORT, texts={"conclusions": "Established"})
    woman, man, other_woman = investigators
    same = record(case, EventKind.COMMISSION, codes={"investigators": [woman.pk, other_woman.pk]})
    assert same.codes["mixed"] is False
    mixed = record(case, EventKind.COMMISSION, codes={"investigators": [woman.pk, man.pk]})
    assert mixed.codes["mixed"] is True
    record(
        case, EventKind.INTERVIEW, codes={"consent": "yes", "approved": True}, texts={"person": "Witness", "transcript": "Said X"}
    )
    record(case, EventKind.INVESTIGATION_REPORT, texts={"findings": "X", "conclusions": "Established"})
    orient_both(case)
    with pytest.raises(CaseRuleError, match="investigation"):
        close(case)
    record(case, EventKind.DECISION, codes={"outcome": "unfounded"}, texts={"reasons": "No evidence", "decided_by": "Director"})
    report = case.refresh()
    assert report.status == Status.IN_PROGRESS and report.facts_established is False
    record(case, EventKind.DECISION, codes={"outcome": "established"}, texts={"reasons": "Evidence", "decided_by": "Director"})
    assert case.refresh().facts_established is True


def test_a_disciplinary_referral_holds_the_case_until_released(case: OpenCase) -> None:
    record(case, EventKind.DISCIPLINARY_REFERRAL, codes={"path": "staff"}, texts={"authority": "Director", "facts": "X"})
    assert case.refresh().legal_hold == LegalHold.DISCIPLINARY
    orient_both(case)
    close(case)
    report = case.refresh()
    assert report.retention_state == Retention.LEGAL_HOLD and report.retention_until is None
    record(case, EventKind.LEGAL_HOLD, codes={"hold": LegalHold.RELEASED})
    report = case.refresh()
    assert report.retention_state == Retention.CLOSED and report.legal_hold == ""
    assert report.retention_until == add_months(timezone.localdate(), 2)


def test_disciplinary_proceedings_after_the_limitation_period_are_blocked(case: OpenCase) -> None:
    Report.objects.filter(pk=case.report.pk).update(received_month=datetime.date(2022, 1, 1))
    case.refresh()
    with pytest.raises(CaseRuleError, match="2025"):
        record(case, EventKind.DISCIPLINARY_REFERRAL, codes={"path": "student"}, texts={"authority": "Section", "facts": "X"})


# --- Acknowledgement and feedback (R16, R17) ------------------------------------------------------------


def test_the_first_reply_acknowledges_and_starts_the_feedback_clock(case: OpenCase) -> None:
    report = case.refresh()
    assert report.next_due == report.ack_due and report.next_due_kind == "acknowledgement"
    services.case_reply(report=report, data_key=case.key, handler=case.handler, text="We received your report.")
    report = case.refresh()
    today = timezone.localdate()
    assert report.status == Status.ACKNOWLEDGED and report.acknowledged_at is not None
    assert report.feedback_due == add_months(today, 3)
    assert (report.next_due, report.next_due_kind) == (report.feedback_due, "feedback")
    assert report.events.filter(kind=EventKind.ACKNOWLEDGEMENT).count() == 1
    with pytest.raises(CaseRuleError, match="measures"):
        record(case, EventKind.FEEDBACK, texts={"measures": "A meeting was held."})
    record(case, EventKind.FEEDBACK, texts={"measures": "A meeting was held.", "reasons": "To hear both sides."})
    report = case.refresh()
    assert report.feedback_on == today and report.next_due is None


# --- Transitions --------------------------------------------------------------------------------------------


def test_a_closed_case_takes_only_notes_holds_and_reopening(case: OpenCase) -> None:
    orient_both(case)
    close(case)
    with pytest.raises(CaseRuleError, match="reopen"):
        record(case, EventKind.LISTENING, texts={"summary": "x"})
    services.case_note(report=case.report, data_key=case.key, actor=case.handler, text="For the record.")
    with pytest.raises(CaseRuleError):
        services.case_reopen(report=case.report, data_key=case.key, actor=case.handler, reason=" ")
    services.case_reopen(report=case.report, data_key=case.key, actor=case.handler, reason="New facts")
    report = case.refresh()
    assert report.status == Status.IN_PROGRESS and report.closed_on is None and report.retention_until is None
    assert report.retention_state == Retention.ACTIVE


def test_a_set_aside_report_takes_no_step(case: OpenCase) -> None:
    Report.objects.filter(pk=case.report.pk).update(status=Status.SET_ASIDE)
    case.refresh()
    with pytest.raises(CaseRuleError, match="set aside"):
        record(case, EventKind.LISTENING, texts={"summary": "x"})


def test_no_date_in_the_future(case: OpenCase) -> None:
    with pytest.raises(CaseRuleError, match="future"):
        record(case, EventKind.LISTENING, on=timezone.localdate() + datetime.timedelta(days=1), texts={"summary": "x"})


def test_every_step_writes_one_audit_event_without_content(case: OpenCase) -> None:
    before = AuditEvent.objects.count()
    record(case, EventKind.LISTENING, texts={"summary": "CANARY-listening"})
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [event.action for event in events] == ["case.listening"]
    assert events[0].object_id == case.report.reference and "CANARY" not in str(events[0].data)


# --- Notes and mentions ------------------------------------------------------------------------------------


def test_a_mention_notifies_a_holder_by_mail_without_content(
    school_a: Entity, referent_a: User, django_capture_on_commit_callbacks: Any
) -> None:
    from egide.org.roles import Role
    from tests.cases.conftest import file_case
    from tests.conftest import make_user
    from tests.reports.conftest import give_key

    colleague = make_user("lea.colleague@example.org", school_a, (Role.REFERENT_SIGNALEMENT, school_a))
    give_key(colleague)
    opened = file_case(school_a, referent_a)
    assert set(services.holder_ids(opened.report)) == {referent_a.pk, colleague.pk}
    with django_capture_on_commit_callbacks(execute=True):
        services.case_note(
            report=opened.report, data_key=opened.key, actor=referent_a, text="@lea.colleague CANARY-note, see @nobody"
        )
    [message] = mail.outbox
    assert message.to == [colleague.email] and "CANARY" not in message.body and "CANARY" not in message.subject


# --- A report received in person (R21) ------------------------------------------------------------------------


def _intake(entity: Entity, **overrides: Any) -> Intake:
    values: dict[str, Any] = {
        "entity": entity,
        "channel": Channel.IN_PERSON,
        "received_on": datetime.date(2026, 11, 6),
        "mode": "named",
        "reporter_role": "victim",
        "population": "student",
        "categories": ["sexual_harassment"],
        "narrative": "CANARY-oral",
        "reporter_name": "Jeanne",
        "consent": "no",
        "transcript": "Minutes of the meeting",
        "meeting_requested": True,
    }
    values.update(overrides)
    return Intake(**values)


def test_a_case_opened_for_an_oral_report(referent_a: User, school_a: Entity) -> None:
    from tests.reports.conftest import give_key

    give_key(referent_a)
    with pytest.raises(CaseRuleError, match="recording"):
        services.case_open(handler=referent_a, intake=_intake(school_a, consent=""))
    with pytest.raises(CaseRuleError, match="transcript"):
        services.case_open(handler=referent_a, intake=_intake(school_a, transcript=" "))
    report = services.case_open(handler=referent_a, intake=_intake(school_a))
    assert report.channel == Channel.IN_PERSON and report.receipt_id is None
    # Friday 6 November 2026; Wednesday 11 November is a holiday: the 7th working day is Wednesday 18 November.
    assert report.ack_due == add_working_days(datetime.date(2026, 11, 6), 7) == datetime.date(2026, 11, 18)
    assert [event.kind for event in report.events.order_by("pk")] == [EventKind.OPENED, EventKind.ORAL_INTAKE]
    [meeting] = report.tasks.filter(kind=TaskKind.ORAL_MEETING)
    assert meeting.due == add_working_days(datetime.date(2026, 11, 6), 20)
    assert b"CANARY" not in bytes(report.content)


def test_support_resources_outside_the_directory_cannot_be_forged(case: OpenCase, resource: SupportResource) -> None:
    SupportResource.objects.filter(pk=resource.pk).update(active=False)
    with pytest.raises(CaseRuleError):
        record(case, EventKind.SUPPORT_ORIENTATION, codes={"decision": Orientation.DONE, "resource": resource.pk})


def test_a_risk_of_retaliation_plans_two_check_ins_that_outlive_the_closure(case: OpenCase) -> None:
    day = timezone.localdate()
    with pytest.raises(CaseRuleError, match="retaliation"):
        record(case, EventKind.CHECKIN, texts={"summary": "All fine"})
    record(case, EventKind.RETALIATION_RISK, on=day, texts={"details": "The author is the reporter's manager."})
    assert sorted(task.due for task in open_tasks(case, TaskKind.RETALIATION_CHECKIN)) == [add_months(day, 3), add_months(day, 6)]
    orient_both(case)
    close(case)
    report = case.refresh()
    assert len(open_tasks(case, TaskKind.RETALIATION_CHECKIN)) == 2
    assert (report.next_due, report.next_due_kind) == (add_months(day, 3), TaskKind.RETALIATION_CHECKIN)
    record(case, EventKind.CHECKIN, texts={"summary": "No change in my work."})
    assert [task.due for task in open_tasks(case, TaskKind.RETALIATION_CHECKIN)] == [add_months(day, 6)]


def test_a_step_never_takes_a_case_back(case: OpenCase) -> None:
    """A listening before the written acknowledgement: recording the acknowledgement keeps the case in progress."""
    record(case, EventKind.LISTENING, texts={"summary": "First meeting"})
    record(case, EventKind.ACKNOWLEDGEMENT, codes={"means": "letter"})
    report = case.refresh()
    assert report.status == Status.IN_PROGRESS and report.acknowledged_at is not None
    record(case, EventKind.INVESTIGATION_OPENED, texts={"scope": "Remarks", "decided_by": "Director"})
    record(case, EventKind.LISTENING, texts={"summary": "Second meeting"})
    assert case.refresh().status == Status.INVESTIGATION
