"""Regression tests of the security review of the reporting side: each states a property an
attacker would like to break (recover someone's code, read a report they were excluded from,
re-identify a reporter through clear times, inflate uploads, appoint themselves to the pooled unit)."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egide.core.models import ThrottleCounter
from egide.org.models import Entity, Person, Population, RoleGrant, User
from egide.org.roles import Role
from egide.reports.models import Attachment, Message, Report
from egide.vault.models import Envelope, HandlerKey, Receipt, Wrap
from egide.vault.sanitize import UploadRejected, clean_upload
from egide.vault.services import WrongSecret, handler_key_unlock
from tests.cases.test_keys import create_escrow, open_escrow
from tests.conftest import PASSWORD, make_user, verified_client
from tests.reports.conftest import answers, code_of, give_key, handler_client, submit


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def second_a(school_a: Entity) -> User:
    """Another référent of school A: the alleged author, whom the reporter excludes."""
    return make_user("hugo.second@example.org", school_a, (Role.REFERENT_ECOUTE, school_a))


@pytest.fixture
def pool_member(db: Any) -> User:
    return make_user("pia.pool@example.org", Entity.objects.get(code="dg"), (Role.REFERENT_SIGNALEMENT, None))


def _token(letter: str) -> str:
    return "token-" + letter * 30


# --- The replay box -----------------------------------------------------------------------------


def test_a_known_token_with_other_answers_does_not_give_back_the_code(school_a: Entity, school_b: Entity) -> None:
    victim = submit(Client(), school_a, submission_token=_token("v"))
    victim_code = code_of(victim)
    assert victim_code
    # Another browser, another entity, another narrative: only the token is the victim's.
    attacker = submit(Client(), school_b, submission_token=_token("v"), narrative="anything at all")
    assert attacker.status_code == 200
    assert victim_code not in attacker.content.decode()


# --- Exclusion of a référent --------------------------------------------------------------------


def test_the_escrow_ceremony_does_not_give_a_report_to_the_referent_it_excluded(
    referent_a: User, second_a: User, school_a: Entity, monkeypatch: pytest.MonkeyPatch
) -> None:
    give_key(referent_a)
    give_key(second_a)
    _fingerprint, escrow_text = create_escrow(school_a.code)
    response = submit(Client(), school_a, excluded=[str(second_a.person_id)])
    report = Report.objects.get(reference=response.context["ack"].reference)
    assert not Wrap.objects.filter(envelope=report.envelope, user=second_a).exists()
    open_escrow(monkeypatch, school_a.code, second_a.email, escrow_text)
    assert not Wrap.objects.filter(envelope=report.envelope, user=second_a).exists()


def test_an_excluded_referent_cannot_infer_the_hidden_report_from_references(
    referent_a: User, second_a: User, school_a: Entity
) -> None:
    give_key(referent_a)
    give_key(second_a)
    refs = [
        submit(Client(), school_a, submission_token=_token("1")).context["ack"].reference,
        submit(Client(), school_a, submission_token=_token("2"), excluded=[str(second_a.person_id)]).context["ack"].reference,
        submit(Client(), school_a, submission_token=_token("3")).context["ack"].reference,
    ]
    inbox = handler_client(second_a).get(reverse("cases:inbox")).content.decode()
    assert refs[0] in inbox and refs[2] in inbox and refs[1] not in inbox
    # Nothing to count on: the references are not numbers in sequence.
    assert not any(reference.rsplit("-", 1)[1].isdigit() for reference in refs)


def test_the_pooled_unit_is_offered_for_exclusion_when_it_will_receive_the_report(
    referent_a: User, pool_member: User, school_a: Entity
) -> None:
    give_key(pool_member)  # referent_a, school A's handler, has no key: the report will be pooled
    data = answers(school_a, step="persons", action="next")
    response = Client().post(reverse("reports:start"), data)
    assert response.context["step"] == "you"
    offered = {value for value, _label in response.context["form"].fields["excluded"].choices}
    assert str(pool_member.person_id) in offered


# --- Administrators -----------------------------------------------------------------------------


def test_a_head_office_entity_admin_cannot_appoint_a_pooled_unit_member(db: Any) -> None:
    head_office = Entity.objects.get(code="dg")
    admin = make_user("dora.dgadmin@example.org", head_office, (Role.ENTITY_ADMIN, head_office))
    puppet = Person.objects.create(
        first_name="Pat", last_name="Puppet", email="pat@example.org", population=Population.STAFF_CONTRACT, entity=head_office
    )
    verified_client(admin).post(
        f"/fr/staff/org/people/{puppet.pk}/grants/new/",
        {"role": Role.REFERENT_SIGNALEMENT, "entity": head_office.pk, "valid_from": "2025-01-01", "reason": "x"},
    )
    assert not RoleGrant.objects.filter(person=puppet, role=Role.REFERENT_SIGNALEMENT).exists()


# --- Handler keys -------------------------------------------------------------------------------


def test_after_a_reset_the_old_password_stops_opening_the_key_once_used(referent_a: User) -> None:
    give_key(referent_a)
    referent_a.set_password("a brand new password after the phishing")
    referent_a.save()
    client = verified_client(referent_a)
    unlocked = client.post(reverse("cases:key_unlock"), {"secret": PASSWORD})
    # The old password still opens the key once, and the page then asks to protect it anew.
    assert unlocked.status_code == 200 and "form" in unlocked.context
    new = "a brand new password after the phishing"
    assert client.post(reverse("cases:key_reprotect"), {"protection": "password", "password": new}).status_code == 302
    key = HandlerKey.objects.get(user=referent_a)
    handler_key_unlock(key=key, secret=new)
    with pytest.raises(WrongSecret):
        handler_key_unlock(key=key, secret=PASSWORD)


# --- Clear data that can re-identify a reporter -------------------------------------------------


def _precise(value: datetime.datetime | None) -> bool:
    """Finer than the day: enough to match a network, Wi-Fi or mail log."""
    if value is None:
        return False
    local = timezone.localtime(value)
    return (local.hour, local.minute, local.second, local.microsecond) != (0, 0, 0, 0)


def _times(instance: Any) -> dict[str, Any]:
    """Every date or time field of a row (a reporter's act must leave at most the day in clear)."""
    return {
        f"{type(instance).__name__}.{field.name}": getattr(instance, field.name)
        for field in instance._meta.concrete_fields
        if field.get_internal_type() in {"DateTimeField", "DateField"}
    }


def test_the_time_of_submission_is_not_kept_in_clear(school_a: Entity, referent_a: User) -> None:
    give_key(referent_a)
    evidence = SimpleUploadedFile("evidence.txt", b"some evidence", content_type="text/plain")
    response = submit(Client(), school_a, attachments=[evidence])
    report = Report.objects.get(reference=response.context["ack"].reference)
    rows = [
        report,
        *Message.objects.filter(report=report),
        *Attachment.objects.filter(report=report),
        Envelope.objects.get(pk=report.envelope_id),
        Receipt.objects.get(report=report),
        *Wrap.objects.filter(envelope_id=report.envelope_id),
    ]
    times = {name: value for row in rows for name, value in _times(row).items()}
    times.pop("Report.replay_until")  # rounded to a quarter of an hour, and emptied within minutes
    leaks = sorted(name for name, value in times.items() if isinstance(value, datetime.datetime) and _precise(value))
    assert leaks == []
    assert report.replay_until is not None and timezone.localtime(report.replay_until).minute % 15 == 0
    # Known and accepted: the audit log keeps exact times (R56 requires them); it names the report.


def test_follow_up_throttle_rows_are_gone_after_their_window(db: Any) -> None:
    Client(REMOTE_ADDR="203.0.113.9").post(reverse("reports:follow_up"), {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    assert ThrottleCounter.objects.exists()
    ThrottleCounter.objects.update(window_start=timezone.now() - datetime.timedelta(hours=2))
    call_command("reports_daily", stdout=io.StringIO())
    assert not ThrottleCounter.objects.exists()


# --- Uploads ------------------------------------------------------------------------------------


def _docx_bomb(unzipped_bytes: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        with archive.open("word/media/padding.bin", "w") as member:
            chunk = bytes(1024 * 1024)
            for _index in range(unzipped_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_a_document_that_inflates_beyond_the_upload_limit_is_refused(settings: Any) -> None:
    settings.EGIDE_UPLOAD_MAX_BYTES = 8 * 1024 * 1024
    bomb = _docx_bomb(16 * 1024 * 1024)
    assert len(bomb) < 100 * 1024
    with pytest.raises(UploadRejected):
        clean_upload(io.BytesIO(bomb), declared_name="cv.docx").file.close()
