"""Who may open a report on the staff side (the issue's property 2): only the handlers it was
wrapped to, while they still handle its entity; everyone else gets a 404, and every access is audited."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egide.core.audit import verify_chain
from egide.core.models import AuditEvent
from egide.org.models import Entity, RoleGrant, User
from egide.org.roles import Role
from egide.reports.choices import Status
from egide.reports.models import Attachment, Report
from egide.vault.models import Wrap
from tests.conftest import make_user, verified_client
from tests.reports.conftest import CANARY, code_of, give_key, handler_client, submit

CaptureCallbacks = Callable[..., AbstractContextManager[Any]]


@dataclass(frozen=True)
class Filed:
    report: Report
    attachment: Attachment
    code: str


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def second_a(school_a: Entity) -> User:
    """Another référent of school A, whom the reporter excludes."""
    return make_user("hugo.second@example.org", school_a, (Role.REFERENT_ECOUTE, school_a))


@pytest.fixture
def pool_member(db: Any) -> User:
    """A member of the IMT-level pooled unit (a handler grant over all of IMT)."""
    return make_user("pia.pool@example.org", Entity.objects.get(code="dg"), (Role.REFERENT_SIGNALEMENT, None))


def _evidence() -> SimpleUploadedFile:
    return SimpleUploadedFile("evidence.txt", f"evidence {CANARY}-file".encode(), content_type="text/plain")


def _file(entity: Entity, **overrides: Any) -> Filed:
    response = submit(Client(), entity, attachments=[_evidence()], **overrides)
    assert response.status_code == 200, response.content.decode()[:3000]
    report = Report.objects.get(reference=response.context["ack"].reference)
    return Filed(report=report, attachment=report.attachments.get(), code=code_of(response))


def _handler_users(report: Report) -> set[int]:
    return set(Wrap.objects.filter(envelope=report.envelope, kind=Wrap.Kind.HANDLER).values_list("user_id", flat=True))


@pytest.fixture
def filed(referent_a: User, second_a: User, referent_b: User, school_a: Entity) -> Filed:
    for user in (referent_a, second_a, referent_b):
        give_key(user)
    return _file(school_a, excluded=[str(second_a.person_id)])


def _urls(filed: Filed) -> dict[str, str]:
    reference = filed.report.reference
    return {
        "inbox": reverse("cases:inbox"),
        "report": reverse("cases:report", args=[reference]),
        "file": reverse("cases:report_file", args=[reference, filed.attachment.pk]),
        "restore": reverse("cases:restore", args=[reference]),
        "set_aside": reverse("cases:set_aside"),
    }


# --- Who receives it ----------------------------------------------------------------------------


def test_only_the_keyed_handlers_not_excluded_receive_the_report(filed: Filed, referent_a: User) -> None:
    assert _handler_users(filed.report) == {referent_a.pk}
    assert not filed.report.pooled


def test_the_recipient_can_do_everything_the_others_cannot(filed: Filed, referent_a: User) -> None:
    """Control for the 404s below: the same requests work for the handler the report was wrapped to."""
    client, urls, reference = handler_client(referent_a), _urls(filed), filed.report.reference
    assert reference in client.get(urls["inbox"]).content.decode()
    page = client.get(urls["report"])
    assert page.status_code == 200 and f"{CANARY}-narrative" in page.content.decode()
    assert client.get(urls["file"]).status_code == 200
    assert client.post(urls["set_aside"], {"reference": [reference], "reason": "flood"}).status_code == 302
    filed.report.refresh_from_db()
    assert filed.report.status == Status.SET_ASIDE
    assert reference in client.get(urls["inbox"], {"view": "closed"}).content.decode()
    assert client.post(urls["restore"]).status_code == 302
    filed.report.refresh_from_db()
    assert filed.report.status == Status.RECEIVED


# --- Everyone else: 404 -------------------------------------------------------------------------

HANDLERS = {"referent_b", "second_a"}  # handlers with an unlocked key, of another entity or excluded


@pytest.mark.parametrize("who", ["referent_b", "second_a", "admin_a", "imt_admin", "pilot", "student"])
def test_others_get_404_and_change_nothing(who: str, filed: Filed, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(who)
    client = handler_client(user) if who in HANDLERS else verified_client(user)
    urls, report, reference = _urls(filed), filed.report, filed.report.reference
    messages_before = report.messages.count()

    for view in ("open", "closed"):
        inbox = client.get(urls["inbox"], {"view": view})
        if who in HANDLERS:
            assert inbox.status_code == 200 and reference not in inbox.content.decode()
        else:
            assert inbox.status_code == 404  # not a handler at all
    assert client.get(urls["report"]).status_code == 404
    assert client.post(urls["report"], {"text": "hello"}).status_code == 404
    assert client.get(urls["file"]).status_code == 404

    set_aside = client.post(urls["set_aside"], {"reference": [reference], "reason": "flood"})
    assert set_aside.status_code == (302 if who in HANDLERS else 404)
    report.refresh_from_db()
    assert report.status == Status.RECEIVED and report.set_aside_at is None

    Report.objects.filter(pk=report.pk).update(status=Status.SET_ASIDE, set_aside_at=timezone.now())
    assert client.post(urls["restore"]).status_code == 404
    report.refresh_from_db()
    assert report.status == Status.SET_ASIDE

    assert report.messages.count() == messages_before
    assert not AuditEvent.objects.filter(object_id=reference, actor_id=user.pk).exclude(action="cases.inbox_listed").exists()


def test_anonymous_visitors_are_sent_to_sign_in(filed: Filed) -> None:
    client, urls = Client(), _urls(filed)
    sign_in = reverse("org:login")
    for name in ("inbox", "report", "file"):
        response = client.get(urls[name])
        assert response.status_code == 302 and response.url.startswith(sign_in), name  # type: ignore[attr-defined]
    for name in ("report", "restore", "set_aside"):
        response = client.post(urls[name], {"reference": [filed.report.reference], "reason": "x", "text": "x"})
        assert response.status_code == 302 and response.url.startswith(sign_in), name  # type: ignore[attr-defined]
    filed.report.refresh_from_db()
    assert filed.report.status == Status.RECEIVED and filed.report.messages.count() == 1


# --- Keys, the pooled unit, ended grants --------------------------------------------------------


def test_handler_without_a_key_at_submission_gets_nothing_even_with_a_key_later(
    referent_a: User, second_a: User, school_a: Entity
) -> None:
    give_key(referent_a)
    filed = _file(school_a)
    assert _handler_users(filed.report) == {referent_a.pk}

    give_key(second_a)
    assert not Wrap.objects.filter(user=second_a).exists()
    client = handler_client(second_a)
    assert filed.report.reference not in client.get(reverse("cases:inbox")).content.decode()
    assert client.get(reverse("cases:report", args=[filed.report.reference])).status_code == 404
    assert client.get(reverse("cases:report_file", args=[filed.report.reference, filed.attachment.pk])).status_code == 404


def test_report_goes_to_the_pooled_unit_when_no_handler_of_the_entity_has_a_key(
    referent_a: User,
    pool_member: User,
    admin_a: User,
    admin_b: User,
    imt_admin: User,
    school_a: Entity,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    give_key(pool_member)  # referent_a, the handler of school A, has none
    with django_capture_on_commit_callbacks(execute=True):
        filed = _file(school_a, mode="confidential", full_name=f"{CANARY}-name", contact=f"{CANARY}-contact")
    assert filed.report.pooled
    assert _handler_users(filed.report) == {pool_member.pk}
    page = handler_client(pool_member).get(reverse("cases:report", args=[filed.report.reference]))
    assert page.status_code == 200 and f"{CANARY}-narrative" in page.content.decode()

    warnings = [message for message in mail.outbox if admin_a.email in message.to]
    assert len(warnings) == 1
    assert imt_admin.email in warnings[0].to and admin_b.email not in warnings[0].to
    assert any(message.to == [pool_member.email] for message in mail.outbox)
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}".lower()
        assert CANARY.lower() not in text and filed.report.reference.lower() not in text


def test_pooled_report_reaches_no_handler_of_another_school(
    referent_a: User, referent_b: User, pool_member: User, school_a: Entity
) -> None:
    give_key(pool_member)
    give_key(referent_b)  # référent of school B, with a key; school A's has none
    filed = _file(school_a)
    assert filed.report.pooled
    response = handler_client(referent_b).get(reverse("cases:report", args=[filed.report.reference]))
    assert _handler_users(filed.report) == {pool_member.pk}
    assert response.status_code == 404


def test_handler_whose_grant_ended_gets_404(referent_a: User, school_a: Entity) -> None:
    give_key(referent_a)
    filed = _file(school_a)
    client = handler_client(referent_a)  # unlocked before the grant ends
    report_url = reverse("cases:report", args=[filed.report.reference])
    assert client.get(report_url).status_code == 200

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    RoleGrant.objects.filter(person=referent_a.person).update(valid_until=yesterday)
    assert client.get(report_url).status_code == 404
    assert client.get(reverse("cases:report_file", args=[filed.report.reference, filed.attachment.pk])).status_code == 404
    assert client.get(reverse("cases:inbox")).status_code == 404
    assert client.post(reverse("cases:report", args=[filed.report.reference]), {"text": "still here"}).status_code == 404


def test_handler_who_moved_to_another_school_loses_the_old_reports(referent_a: User, school_a: Entity, school_b: Entity) -> None:
    give_key(referent_a)
    filed = _file(school_a)
    person = referent_a.person
    assert person is not None
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    RoleGrant.objects.filter(person=person).update(valid_until=yesterday)
    RoleGrant.objects.create(person=person, role=Role.REFERENT_ECOUTE, entity=school_b, valid_from=datetime.date(2024, 1, 1))
    client = handler_client(referent_a)
    assert filed.report.reference not in client.get(reverse("cases:inbox")).content.decode()
    assert client.get(reverse("cases:report", args=[filed.report.reference])).status_code == 404


# --- Every access is audited --------------------------------------------------------------------


def _events(reference: str, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=reference, action=action))


def test_reads_downloads_and_messages_are_audited_and_the_chain_holds(referent_a: User, school_a: Entity) -> None:
    give_key(referent_a)
    filed = _file(school_a)
    reference = filed.report.reference
    client = handler_client(referent_a)

    client.get(reverse("cases:report", args=[reference]))
    client.get(reverse("cases:report", args=[reference]))
    reads = _events(reference, "report.read")
    assert len(reads) == 2 and all(event.actor_id == referent_a.pk for event in reads)

    assert client.get(reverse("cases:report_file", args=[reference, filed.attachment.pk])).status_code == 200
    (download,) = _events(reference, "report.file_downloaded")
    assert download.actor_id == referent_a.pk and download.data == {"attachment": filed.attachment.pk}

    client.post(reverse("cases:report", args=[reference]), {"text": "We hear you."})
    (answer,) = _events(reference, "report.handler_message")
    assert answer.actor_id == referent_a.pk

    reporter = Client()
    assert reporter.post(reverse("reports:follow_up"), {"code": filed.code}).status_code == 302
    assert reporter.post(reverse("reports:space"), {"text": "Thank you."}).status_code == 302
    (message,) = _events(reference, "report.reporter_message")
    assert message.actor_id is None

    assert all(CANARY not in f"{event.reason}{event.data}" for event in AuditEvent.objects.all())
    chain = verify_chain()
    assert chain.ok, chain.problem
    assert chain.checked == AuditEvent.objects.count()
