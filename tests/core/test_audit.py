"""The audit chain: append-only, hash-chained, verified by a command that names the first broken link."""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from egide.core.audit import audit_record, verify_chain
from egide.core.models import AppendOnlyError, AuditEvent


@pytest.fixture
def tamperable(transactional_db: Any) -> Iterator[None]:
    """Remove the database guards, as an attacker with database access would first; put them back after."""
    migration = importlib.import_module("egide.core.migrations.0002_audit_append_only")
    with connection.schema_editor() as editor:
        migration.drop_triggers(None, editor)
    yield
    with connection.schema_editor() as editor:
        migration.create_triggers(None, editor)


def _events(count: int) -> list[AuditEvent]:
    return [audit_record(action="test.event", object_type="test", object_id=index, data={"n": index}) for index in range(count)]


def test_events_chain_and_verify(db: Any) -> None:
    events = _events(5)
    assert events[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    report = verify_chain()
    assert report.ok and report.checked == 5
    call_command("audit_verify")


def test_orm_refuses_updates_and_deletes(db: Any) -> None:
    event = _events(1)[0]
    event.reason = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_database_refuses_raw_updates(db: Any) -> None:
    _events(1)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = 'x'")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")


def test_altering_an_event_breaks_verification_at_that_event(tamperable: None) -> None:
    events = _events(4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = 'rewritten' WHERE id = %s", [events[2].pk])
    report = verify_chain()
    assert not report.ok and report.broken_at == events[2].pk and "altered" in report.problem
    with pytest.raises(CommandError, match=f"#{events[2].pk}"):
        call_command("audit_verify")


def test_removing_an_event_breaks_the_next_link(tamperable: None) -> None:
    events = _events(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert not report.ok and report.broken_at == events[2].pk


def test_removing_the_last_event_is_detected(tamperable: None) -> None:
    events = _events(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
    report = verify_chain()
    assert not report.ok and report.broken_at is None


def test_sign_in_role_and_admin_changes_are_audited_by_the_services(admin_a: Any, as_user: Any) -> None:
    from egide.org.models import Person

    person = Person.objects.get(pk=admin_a.person_id)
    as_user(admin_a).post(
        f"/fr/staff/org/people/{person.pk}/grants/new/",
        {"role": "investigator", "entity": person.entity_id, "valid_from": "2025-01-01", "reason": "r"},
    )
    assert AuditEvent.objects.filter(action="org.grant_created", actor_id=admin_a.pk).exists()
    assert verify_chain().ok
