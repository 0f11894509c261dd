"""The retention engine (R31, the issue's property 5): a case whose retention is over loses every key and
ciphertext, escrow included, while its statistics stay; a hold, or a date not reached, keeps it; a run
that stops halfway loses nothing and the next one finishes. The clock is the explicit `today`."""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egide.cases import retention
from egide.cases.choices import ClosureReason, EventKind, GrantScope, LegalHold, PersonRole, Retention, TaskKind, TemplateKind
from egide.cases.models import CaseDocument, CaseEvent, CaseGrant, CasePerson, CaseTask
from egide.cases.retention import BLOB_FOLDER, DELAY, case_shred, due_for_shredding, run_retention
from egide.core.audit import verify_chain
from egide.core.deadlines import statutory_due
from egide.core.models import AuditEvent
from egide.org.models import Entity, User
from egide.org.roles import Role
from egide.reports.choices import Status
from egide.reports.models import Attachment, FollowUpSession, Report
from egide.vault import crypto
from egide.vault.models import Envelope, HandlerKey, Receipt, Wrap
from egide.vault.services import (
    NoAccess,
    envelope_open_for_user,
    envelope_open_with_escrow,
    escrow_key_create,
    handler_key_unlock,
)
from tests.cases.conftest import OpenCase
from tests.conftest import PASSWORD, SCHOOL_A, load_migrated_reference_data, make_user
from tests.reports.conftest import CANARY, code_of, give_key, handler_client, submit, token_for
from tests.reports.test_concurrency import database_on_disk  # noqa: F401  # a fixture: SQLite on disk, as in production

CaptureCallbacks = Callable[..., AbstractContextManager[Any]]

CLOSED_ON = datetime.date(2026, 11, 16)
DAY = datetime.timedelta(days=1)
# The clear columns that statistics and deadlines read: shredding must leave every one as it was.
STATISTICS = [
    "reference", "entity_id", "mode", "reporter_role", "population", "categories", "channel", "status", "received_month",
    "ack_due", "acknowledged_at", "proof_of_work", "pooled", "set_aside_at", "withdrawn_on", "next_due", "feedback_due",
    "support_decision", "authority_decision", "facts_established", "closed_on", "closure_reason", "retention_until",
    "legal_hold",
]  # fmt: skip


@dataclass(frozen=True)
class Filed:
    report: Report
    code: str
    data_key: bytes


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def escrow_private(school_a: Entity) -> bytes:
    _escrow, private = escrow_key_create(entity=school_a)
    return private


@pytest.fixture
def handler(referent_a: User, escrow_private: bytes) -> User:
    give_key(referent_a)
    return referent_a


def _private_key(user: User) -> bytes:
    return handler_key_unlock(key=HandlerKey.objects.get(user=user), secret=PASSWORD)


def _file(entity: Entity, handler: User, index: int = 0) -> Filed:
    """A report as a reporter files it (with a file), then the records a case gathers around it."""
    evidence = SimpleUploadedFile("evidence.txt", f"evidence {CANARY}-file".encode(), content_type="text/plain")
    response = submit(Client(), entity, submission_token=token_for(index), attachments=[evidence])
    assert response.status_code == 200, response.content.decode()[:3000]
    report = Report.objects.get(reference=response.context["ack"].reference)
    data_key = envelope_open_for_user(envelope_id=report.envelope_id, user=handler, private_key=_private_key(handler))
    event = CaseEvent.objects.create(
        report=report, kind=EventKind.LISTENING, on=CLOSED_ON - 30 * DAY, actor=handler, codes={"outcome": "partly"}
    )
    event.payload = crypto.encrypt_json(data_key, {"text": f"{CANARY}-interview"}, context=f"event:{event.uid}:payload")
    event.save(update_fields=["payload"])
    person = CasePerson.objects.create(report=report, role=PersonRole.TARGETED, added_on=CLOSED_ON - 30 * DAY)
    person.identity = crypto.encrypt_json(data_key, {"name": f"{CANARY}-person"}, context=f"person:{person.uid}:identity")
    person.save(update_fields=["identity"])
    CaseTask.objects.create(report=report, kind=TaskKind.INFORM_TARGETED, due=CLOSED_ON - DAY, person=person, done_on=CLOSED_ON)
    CaseGrant.objects.create(
        report=report,
        user=handler,
        scope=GrantScope.FULL,
        granted_on=CLOSED_ON - 20 * DAY,
        reason=crypto.encrypt_json(data_key, f"{CANARY}-reason", context="grant:reason"),
    )
    CaseDocument.objects.create(
        report=report,
        kind=TemplateKind.MINUTES,
        language="fr",
        created_on=CLOSED_ON - 10 * DAY,
        size=4,
        content=crypto.encrypt(data_key, b"DOCX", context="document"),
    )
    return Filed(report=report, code=code_of(response), data_key=data_key)


def _close(report: Report, closed_on: datetime.date, reason: str = ClosureReason.TREATED) -> Report:
    """What the closure service records (R18, R31): the retention date from the deadline service."""
    until = closed_on if reason == ClosureReason.INADMISSIBLE else statutory_due(DELAY, closed_on).due
    Report.objects.filter(pk=report.pk).update(
        status=Status.CLOSED,
        closed_on=closed_on,
        closure_reason=reason,
        retention_state=Retention.CLOSED,
        retention_until=until,
        support_decision="done",
        authority_decision="not_applicable",
    )
    report.refresh_from_db()
    return report


def _statistics(report: Report) -> dict[str, Any]:
    return {name: getattr(report, name) for name in STATISTICS}


def _clear_rows(report: Report) -> dict[str, list[Any]]:
    return {
        "events": list(CaseEvent.objects.filter(report=report).values_list("kind", "part", "on", "codes", "actor_id")),
        "persons": list(CasePerson.objects.filter(report=report).values_list("role", "added_on", "informed_on")),
        "tasks": list(CaseTask.objects.filter(report=report).values_list("kind", "due", "done_on", "person_id")),
        "grants": list(CaseGrant.objects.filter(report=report).values_list("user_id", "scope", "granted_on", "revoked_on")),
    }


def _binary_values(report: Report) -> Iterator[tuple[str, Any]]:
    """Every binary column of the report and of every row that points at it, whatever app adds one later."""
    for field in Report._meta.get_fields():
        if isinstance(field, models.BinaryField):
            yield f"Report.{field.name}", getattr(report, field.name)
    for model in apps.get_models():
        links = [f.name for f in model._meta.fields if isinstance(f, models.ForeignKey) and f.related_model is Report]
        binary = [f.name for f in model._meta.fields if isinstance(f, models.BinaryField)]
        for link in links if binary else []:
            for row in model._default_manager.filter(**{link: report}).values(*binary):
                yield from ((f"{model.__name__}.{name}", value) for name, value in row.items())


def _shredded_events(reference: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="case.shredded", object_id=reference))


# --- Closed cases -------------------------------------------------------------------------------


def test_a_case_closed_two_months_and_a_day_ago_is_shredded(
    school_a: Entity, handler: User, escrow_private: bytes, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    filed = _file(school_a, handler)
    Client().post(reverse("reports:follow_up"), {"code": filed.code})
    report = _close(filed.report, CLOSED_ON)
    blob = report.attachments.get().blob
    statistics, clear_rows = _statistics(report), _clear_rows(report)
    assert default_storage.exists(blob) and FollowUpSession.objects.filter(report=report).exists()
    assert envelope_open_with_escrow(envelope_id=report.envelope_id, escrow_private_key=escrow_private) == filed.data_key
    today = statutory_due(DELAY, CLOSED_ON).due + DAY

    with django_capture_on_commit_callbacks(execute=True):
        result = run_retention(today=today)

    assert result.shredded == {"closed": 1, "set_aside": 0, "withdrawn": 0} and result.skipped == 0
    report.refresh_from_db()
    assert report.retention_state == Retention.SHREDDED and report.is_shredded
    assert _statistics(report) == statistics and _clear_rows(report) == clear_rows
    # No key opens the content any more: not the handler, not the escrow ceremony, not the reporter's code.
    assert not Wrap.objects.filter(envelope_id=report.envelope_id).exists()
    assert Envelope.objects.get(pk=report.envelope_id).shredded_at is not None
    with pytest.raises(NoAccess):
        envelope_open_for_user(envelope_id=report.envelope_id, user=handler, private_key=_private_key(handler))
    with pytest.raises(NoAccess):
        envelope_open_with_escrow(envelope_id=report.envelope_id, escrow_private_key=escrow_private)
    assert handler_client(handler).get(reverse("cases:report", args=[report.reference])).status_code == 404
    assert Client().post(reverse("reports:follow_up"), {"code": filed.code}).status_code == 200  # "does not open any report"
    assert report.receipt_id is None and not Receipt.objects.exists()
    # And no ciphertext is left anyway: no message, file, document or session; the rest blanked.
    assert not report.messages.exists() and not Attachment.objects.exists() and not default_storage.exists(blob)
    assert not CaseDocument.objects.exists() and not FollowUpSession.objects.exists()
    leftovers = {name: value for name, value in _binary_values(report) if value not in (None, b"")}
    assert leftovers == {}
    assert report.replay_box is None and report.replay_until is None
    # One audit event, naming the case and the rule only; the chain holds.
    [event] = _shredded_events(report.reference)
    assert (event.object_type, event.data, event.actor_id) == ("reports.report", {"rule": "closed"}, None)
    assert verify_chain().ok


def test_a_case_closed_yesterday_is_kept(school_a: Entity, handler: User) -> None:
    report = _close(_file(school_a, handler).report, CLOSED_ON)
    assert run_retention(today=CLOSED_ON + DAY).total == 0
    report.refresh_from_db()
    assert report.retention_state == Retention.CLOSED and Wrap.objects.filter(envelope_id=report.envelope_id).count() == 3
    assert not _shredded_events(report.reference)


@pytest.mark.parametrize(
    ("closed_on", "expected"),
    [
        (datetime.date(2026, 12, 31), datetime.date(2027, 2, 28)),  # clamped to the end of a short February
        (datetime.date(2027, 12, 31), datetime.date(2028, 2, 29)),  # leap year
        (datetime.date(2026, 12, 30), datetime.date(2027, 2, 28)),
    ],
)
def test_month_ends_follow_the_deadline_service(
    school_a: Entity, handler: User, closed_on: datetime.date, expected: datetime.date
) -> None:
    report = _close(_file(school_a, handler).report, closed_on)
    assert report.retention_until == statutory_due(DELAY, closed_on).due == expected
    assert run_retention(today=expected - DAY).total == 0  # the last day the content is kept
    assert run_retention(today=expected).total == 1  # the retention date itself: due
    report.refresh_from_db()
    assert report.retention_state == Retention.SHREDDED


@pytest.mark.parametrize("hold", [LegalHold.DISCIPLINARY, LegalHold.JUDICIAL])
def test_a_legal_hold_keeps_the_case(school_a: Entity, handler: User, hold: str) -> None:
    held = _close(_file(school_a, handler, 1).report, CLOSED_ON)
    Report.objects.filter(pk=held.pk).update(retention_state=Retention.LEGAL_HOLD, legal_hold=hold)
    # A hold recorded while the state still says "closed" keeps it too: any running hold wins.
    marked = _close(_file(school_a, handler, 2).report, CLOSED_ON)
    Report.objects.filter(pk=marked.pk).update(legal_hold=hold)
    years_later = CLOSED_ON + 3650 * DAY

    assert not due_for_shredding(years_later).exists()
    assert run_retention(today=years_later).total == 0
    assert not case_shred(report_id=marked.pk, today=years_later, rule="closed")
    assert Wrap.objects.filter(envelope_id__in=[held.envelope_id, marked.envelope_id]).count() == 6


def test_a_released_hold_no_longer_keeps_the_case(school_a: Entity, handler: User) -> None:
    report = _close(_file(school_a, handler).report, CLOSED_ON)
    Report.objects.filter(pk=report.pk).update(legal_hold=LegalHold.RELEASED)
    assert run_retention(today=statutory_due(DELAY, CLOSED_ON).due).shredded["closed"] == 1


def test_a_report_outside_the_scope_is_shredded_on_the_next_run(school_a: Entity, handler: User) -> None:
    report = _close(_file(school_a, handler).report, CLOSED_ON, reason=ClosureReason.INADMISSIBLE)
    assert report.retention_until == CLOSED_ON
    assert run_retention(today=CLOSED_ON - DAY).total == 0
    assert run_retention(today=CLOSED_ON).shredded["closed"] == 1


def test_open_cases_are_never_due(school_a: Entity, handler: User) -> None:
    report = _file(school_a, handler).report
    Report.objects.filter(pk=report.pk).update(status=Status.IN_PROGRESS, retention_until=CLOSED_ON)
    assert run_retention(today=CLOSED_ON + 3650 * DAY).total == 0


# --- Set aside and withdrawn --------------------------------------------------------------------


def test_a_flood_item_set_aside_is_shredded_after_the_delay(school_a: Entity, handler: User) -> None:
    report = _file(school_a, handler, 1).report
    restored = _file(school_a, handler, 2).report
    late_evening = datetime.datetime(2026, 10, 15, 23, 30, tzinfo=timezone.get_default_timezone())  # 21:30 UTC
    Report.objects.filter(pk=report.pk).update(status=Status.SET_ASIDE, set_aside_at=late_evening)
    Report.objects.filter(pk=restored.pk).update(set_aside_at=late_evening)  # restored: status received again
    due = statutory_due(DELAY, datetime.date(2026, 10, 15)).due  # the day in legal French time, not in UTC

    assert run_retention(today=due - DAY).total == 0
    assert run_retention(today=due).shredded == {"closed": 0, "set_aside": 1, "withdrawn": 0}
    report.refresh_from_db()
    assert report.retention_state == Retention.SHREDDED and report.status == Status.SET_ASIDE
    assert _shredded_events(report.reference)[0].data == {"rule": "set_aside"}
    assert Wrap.objects.filter(envelope_id=restored.envelope_id).exists()


def test_a_withdrawn_report_is_shredded_after_the_delay_unless_closed(school_a: Entity, handler: User) -> None:
    withdrawn_on = datetime.date(2026, 8, 31)
    report = _file(school_a, handler, 1).report
    closed = _file(school_a, handler, 2).report
    Report.objects.filter(pk__in=[report.pk, closed.pk]).update(status=Status.WITHDRAWN, withdrawn_on=withdrawn_on)
    _close(closed, CLOSED_ON, reason=ClosureReason.WITHDRAWN)  # its closure decides instead
    due = statutory_due(DELAY, withdrawn_on).due
    assert due == datetime.date(2026, 10, 31)

    assert run_retention(today=due - DAY).total == 0
    assert run_retention(today=due).shredded == {"closed": 0, "set_aside": 0, "withdrawn": 1}
    closed.refresh_from_db()
    assert closed.retention_state == Retention.CLOSED and closed.retention_until is not None and closed.retention_until > due


# --- Runs: repeated, interrupted, and the command -----------------------------------------------


def test_a_second_run_does_nothing_more(school_a: Entity, handler: User) -> None:
    report = _close(_file(school_a, handler).report, CLOSED_ON)
    today = report.retention_until
    assert today is not None
    assert run_retention(today=today).total == 1
    again = run_retention(today=today)
    assert (again.total, again.skipped) == (0, 0)
    assert not case_shred(report_id=report.pk, today=today, rule="closed")
    assert len(_shredded_events(report.reference)) == 1 and verify_chain().ok


def test_a_crash_halfway_loses_nothing_and_the_next_run_finishes(
    school_a: Entity, handler: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = [_close(_file(school_a, handler, index).report, CLOSED_ON) for index in range(4)]
    today = statutory_due(DELAY, CLOSED_ON).due
    real_record, calls = retention.audit_record, []

    def failing_third(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) == 3:  # the third case fails after its wraps and rows were already deleted
            raise OSError("disk full")
        return real_record(**kwargs)

    monkeypatch.setattr(retention, "audit_record", failing_third)
    with pytest.raises(OSError, match="disk full"):
        run_retention(today=today)
    states = list(Report.objects.filter(pk__in=[r.pk for r in reports]).order_by("pk").values_list("retention_state", flat=True))
    assert states == ["shredded", "shredded", "closed", "closed"]
    third = Report.objects.get(pk=reports[2].pk)
    assert Wrap.objects.filter(envelope_id=third.envelope_id).count() == 3 and bytes(third.content)
    assert third.messages.exists() and third.attachments.exists()

    monkeypatch.setattr(retention, "audit_record", real_record)
    assert run_retention(today=today).total == 2
    for report in reports:
        assert len(_shredded_events(report.reference)) == 1
    assert not Wrap.objects.exists() and verify_chain().ok


def test_a_limited_run_stops_and_the_next_continues(school_a: Entity, handler: User) -> None:
    reports = [_close(_file(school_a, handler, index).report, CLOSED_ON) for index in range(3)]
    today = statutory_due(DELAY, CLOSED_ON).due
    assert run_retention(today=today, batch=1, limit=2).total == 2
    assert list(due_for_shredding(today).values_list("pk", flat=True)) == [reports[2].pk]  # the highest pk is left
    assert run_retention(today=today, batch=1).total == 1
    assert AuditEvent.objects.filter(action="case.shredded").count() == 3


def test_the_command_dry_run_changes_nothing_then_the_run_shreds(school_a: Entity, handler: User) -> None:
    report = _close(_file(school_a, handler).report, CLOSED_ON)
    day = str(report.retention_until)
    out = StringIO()
    call_command("cases_retention", "--today", day, "--dry-run", stdout=out)
    assert "1 case(s) due for shredding (closed: 1, set_aside: 0, withdrawn: 0)" in out.getvalue()
    report.refresh_from_db()
    assert report.retention_state == Retention.CLOSED and not _shredded_events(report.reference)
    out = StringIO()
    call_command("cases_retention", "--today", day, stdout=out)
    assert "1 case(s) shredded (closed: 1, set_aside: 0, withdrawn: 0)" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("cases_retention", "--today", "31/12/2026")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_on_disk")
def test_two_runs_at_once_shred_each_case_once_and_delete_the_files_after_commit() -> None:
    """Real commits here: two runs (the timer and an operator) race for the same cases."""
    load_migrated_reference_data()
    school = Entity.objects.get(code=SCHOOL_A)
    escrow_key_create(entity=school)
    handler = make_user("rachel.referent@example.org", school, (Role.REFERENT_ECOUTE, school))
    give_key(handler)
    reports = [_close(_file(school, handler, index).report, CLOSED_ON) for index in range(6)]
    blobs = [report.attachments.get().blob for report in reports]
    today = statutory_due(DELAY, CLOSED_ON).due
    barrier, results, errors = threading.Barrier(2), [], []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(run_retention(today=today, batch=2))
        except Exception as error:  # reported by the test
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(results) == 2
    assert sum(result.total for result in results) == 6
    for report in reports:
        assert len(_shredded_events(report.reference)) == 1
    assert not Wrap.objects.exists() and not any(default_storage.exists(blob) for blob in blobs)
    assert verify_chain().ok


# --- Files ----------------------------------------------------------------------------------------


def _age(name: str, days: float) -> None:
    moment = (timezone.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(default_storage.path(name), (moment, moment))


def test_attachments_are_stored_where_the_sweep_looks(school_a: Entity, handler: User) -> None:
    attachment = _file(school_a, handler).report.attachments.get()
    assert attachment.blob.startswith(BLOB_FOLDER + "/")


def test_files_left_by_a_crash_after_the_commit_are_swept_by_the_next_run(school_a: Entity, handler: User) -> None:
    report = _close(_file(school_a, handler).report, CLOSED_ON)
    today = report.retention_until
    assert today is not None
    blob = report.attachments.get().blob
    assert run_retention(today=today).total == 1  # inside the test's transaction: the deletion after commit never runs
    assert default_storage.exists(blob)
    _age(blob, 2)
    assert run_retention(today=today).orphan_files == 1
    assert not default_storage.exists(blob)


def test_the_sweep_spares_recorded_files_and_files_still_being_written(school_a: Entity, handler: User) -> None:
    kept = _file(school_a, handler).report.attachments.get().blob
    fresh = default_storage.save(f"{BLOB_FOLDER}/in-flight", ContentFile(b"x"))
    old = default_storage.save(f"{BLOB_FOLDER}/orphan", ContentFile(b"x"))
    for name, days in ((kept, 30), (fresh, 0.5), (old, 1.1)):
        _age(name, days)
    out = StringIO()
    call_command("cases_retention", "--dry-run", stdout=out)
    assert "1 orphan file(s) to delete" in out.getvalue() and default_storage.exists(old)
    assert retention.sweep_orphan_files() == 1
    assert [default_storage.exists(name) for name in (kept, fresh, old)] == [True, True, False]


def test_a_check_in_against_retaliation_still_to_come_keeps_the_case(case: OpenCase) -> None:
    """R22: the person may be met 3 and 6 months after the report; the case stays readable until then."""
    from egide.cases import services
    from egide.cases.choices import EventKind, Orientation
    from egide.cases.services import Closure, Step

    def record(kind: str, **parts: Any) -> None:
        services.case_record(
            report=case.report, data_key=case.key, actor=case.handler, step=Step(kind, timezone.localdate(), **parts)
        )

    record(EventKind.RETALIATION_RISK, texts={"details": "Manager"})
    record(EventKind.SUPPORT_ORIENTATION, codes={"decision": Orientation.DECLINED}, texts={"justification": "No"})
    record(EventKind.AUTHORITY_ORIENTATION, codes={"decision": Orientation.NOT_APPLICABLE}, texts={"justification": "No"})
    closure = Closure(reason="no_measure", reasons="None needed", notice="Closed")
    services.case_close(report=case.report, data_key=case.key, actor=case.handler, closure=closure)
    report = Report.objects.get(pk=case.report.pk)
    assert report.retention_until is not None
    after_retention = report.retention_until + datetime.timedelta(days=1)
    assert not due_for_shredding(after_retention).filter(pk=report.pk).exists()
    report.tasks.filter(kind="retaliation_checkin").update(done_on=timezone.localdate())
    assert due_for_shredding(after_retention).filter(pk=report.pk).exists()
