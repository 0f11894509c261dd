"""The daily digest (counts only), opening a case for a report received in person, and the legal direction's
templates page."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document

from egide.cases.choices import EventKind
from egide.cases.models import DocumentTemplate
from egide.core.models import AuditEvent
from egide.org.models import Entity, User
from egide.org.roles import Role
from egide.reports.choices import Channel
from egide.reports.models import Report
from tests.cases.conftest import OpenCase, file_case
from tests.conftest import make_user, verified_client
from tests.reports.conftest import give_key, handler_client, token_for


def _due(case: OpenCase, day: datetime.date) -> None:
    Report.objects.filter(pk=case.report.pk).update(next_due=day, next_due_kind="acknowledgement")


# --- The digest ------------------------------------------------------------------------------------------


def test_the_digest_counts_late_and_soon_cases_without_saying_which(school_a: Entity, referent_a: User, referent_b: User) -> None:
    late, soon, later = (file_case(school_a, referent_a, submission_token=token_for(index)) for index in range(3))
    today = timezone.localdate()
    _due(late, today - datetime.timedelta(days=3))
    _due(soon, today)
    _due(later, today + datetime.timedelta(days=30))
    give_key(referent_b)  # holds nothing: no digest

    call_command("cases_digest", stdout=io.StringIO())

    [message] = mail.outbox
    assert message.to == [referent_a.email]
    assert "1 dossier a une échéance dépassée" in message.body  # in the person's language
    assert "1 dossier arrive à échéance dans les deux jours ouvrés" in message.body
    assert "/fr/staff/reports/" in message.body
    for case in (late, soon, later):
        assert case.report.reference not in message.body and case.report.reference not in message.subject
    assert "CANARY" not in message.body
    assert AuditEvent.objects.filter(action="cases.digest_sent", data__recipients=1).exists()


def test_no_digest_when_nothing_is_due(school_a: Entity, referent_a: User) -> None:
    case = file_case(school_a, referent_a)
    _due(case, timezone.localdate() + datetime.timedelta(days=30))
    call_command("cases_digest", stdout=io.StringIO())
    assert mail.outbox == []


# --- Opening a case for a report received in person --------------------------------------------------------------


def _intake(entity: Entity, **overrides: Any) -> dict[str, Any]:
    data = {
        "entity": str(entity.pk),
        "channel": Channel.PHONE,
        "received_on": "2026-11-06",
        "mode": "named",
        "reporter_role": "victim",
        "population": "student",
        "categories": ["sexual_harassment"],
        "narrative": "CANARY-phone",
        "reporter_name": "Jeanne",
        "reporter_contact": "",
        "consent": "no",
        "transcript": "Minutes of the call",
        "approved_on": "",
    }
    data.update(overrides)
    return data


def test_a_handler_opens_a_case_for_a_phone_call(school_a: Entity, referent_a: User) -> None:
    give_key(referent_a)
    client = handler_client(referent_a)
    assert client.get(reverse("cases:new")).status_code == 200

    refused = client.post(reverse("cases:new"), _intake(school_a, consent="", transcript=""))
    assert refused.status_code == 200 and not Report.objects.exists()
    assert refused.context["form"].errors.keys() >= {"consent", "transcript"}

    response = client.post(reverse("cases:new"), _intake(school_a))
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:report", args=[report.reference])  # type: ignore[attr-defined]
    assert report.channel == Channel.PHONE and report.entity == school_a and report.received_month == datetime.date(2026, 11, 1)
    assert list(report.events.values_list("kind", flat=True)) == [EventKind.OPENED, EventKind.ORAL_INTAKE]
    page = client.get(response.url)  # type: ignore[attr-defined]
    assert "CANARY-phone" in page.content.decode()


def test_only_a_handler_of_the_entity_opens_a_case_there(school_a: Entity, school_b: Entity, referent_a: User) -> None:
    give_key(referent_a)
    client = handler_client(referent_a)
    response = client.post(reverse("cases:new"), _intake(school_b))
    assert response.status_code == 200 and "entity" in response.context["form"].errors
    assert not Report.objects.exists()


@pytest.mark.parametrize("who", ["admin_a", "pilot", "student"])
def test_others_cannot_open_a_case(who: str, school_a: Entity, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(who)
    client = verified_client(user)
    assert client.get(reverse("cases:new")).status_code == 404
    assert client.post(reverse("cases:new"), _intake(school_a)).status_code == 404
    assert not Report.objects.exists()


# --- The templates page (legal direction) ----------------------------------------------------------------------


def _docx(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def test_the_legal_direction_uploads_a_new_version(school_a: Entity) -> None:
    legal = make_user("lou.legal@example.org", school_a, (Role.LEGAL, None))
    client = verified_client(legal)
    page = client.get(reverse("cases:templates"))
    assert page.status_code == 200 and DocumentTemplate.objects.count() == 24
    upload = SimpleUploadedFile("feedback.docx", _docx("{{ reference }} — {{ measures }} — {{ reasons }}"))
    response = client.post(
        reverse("cases:templates"), {"kind": "feedback", "language": "fr", "state": "validated", "file": upload}
    )
    assert response.status_code == 302
    latest = DocumentTemplate.objects.filter(kind="feedback", language="fr").order_by("-version").first()
    assert latest is not None and (latest.version, latest.state, latest.uploaded_by) == (2, "validated", legal)
    download = client.get(reverse("cases:template_file", args=[latest.pk]))
    assert download.status_code == 200 and download.content == bytes(latest.content)


def test_a_bad_template_is_refused_with_a_message(school_a: Entity) -> None:
    legal = make_user("lou.legal@example.org", school_a, (Role.LEGAL, None))
    client = verified_client(legal)
    upload = SimpleUploadedFile("feedback.docx", _docx("{{ reference }} {{ secret_field }}"))
    response = client.post(reverse("cases:templates"), {"kind": "feedback", "language": "en", "state": "draft", "file": upload})
    assert response.status_code == 200 and "secret_field" in response.content.decode()
    assert DocumentTemplate.objects.filter(kind="feedback", language="en").count() == 1


@pytest.mark.parametrize("who", ["referent_a", "admin_a", "imt_admin", "student"])
def test_only_the_legal_direction_sees_the_templates(who: str, db: Any, request: pytest.FixtureRequest) -> None:
    user: User = request.getfixturevalue(who)
    give_key(user)  # a handler without a key would be sent to create it first
    client = verified_client(user)
    template = DocumentTemplate.objects.first()
    assert template is not None
    assert client.get(reverse("cases:templates")).status_code == 404
    assert client.get(reverse("cases:template_file", args=[template.pk])).status_code == 404
    upload = SimpleUploadedFile("feedback.docx", _docx("{{ reference }}"))
    assert (
        client.post(
            reverse("cases:templates"), {"kind": "feedback", "language": "fr", "state": "draft", "file": upload}
        ).status_code
        == 404
    )
    assert DocumentTemplate.objects.count() == 24


def test_a_long_timeline_shows_its_latest_steps_and_the_whole_on_demand(school_a: Entity, referent_a: User) -> None:
    from egide.cases import services
    from egide.cases.services import Step

    case = file_case(school_a, referent_a)
    for index in range(55):
        step = Step(EventKind.NOTE, timezone.localdate(), texts={"text": f"note-{index:02d}"})
        services.case_record(report=case.report, data_key=case.key, actor=referent_a, step=step)
    client = handler_client(referent_a)
    url = reverse("cases:report", args=[case.report.reference])
    page = client.get(url).content.decode()
    assert "note-54" in page and "note-05" in page and "note-04" not in page
    assert "?timeline=all#timeline-title" in page
    whole = client.get(url, {"timeline": "all"}).content.decode()
    assert "note-00" in whole and "?timeline=all#timeline-title" not in whole


def test_the_register_shows_labels_not_codes(school_a: Entity, referent_a: User) -> None:
    file_case(school_a, referent_a)
    dpo = make_user("dana.dpo@example.org", school_a, (Role.DPO, None))
    with translation.override("fr"):
        page = verified_client(dpo).get(reverse("cases:register")).content.decode()
    assert "Conservé tant que le dossier est ouvert" in page and ">active<" not in page


def test_a_refused_person_or_reopening_keeps_what_was_typed(school_a: Entity, referent_a: User) -> None:
    case = file_case(school_a, referent_a)
    client = handler_client(referent_a)
    reference = case.report.reference
    refused = client.post(
        reverse("cases:person_add", args=[reference]), {"role": "", "name": "TYPED-NAME", "notes": "TYPED-NOTES"}
    )
    assert refused.status_code == 200 and "TYPED-NAME" in refused.content.decode() and "TYPED-NOTES" in refused.content.decode()
    assert not case.report.persons.exists()
    # Reopening a case that is not closed is refused by the service; the reason typed stays on the page.
    refused = client.post(reverse("cases:reopen", args=[reference]), {"reopen-reason": "TYPED-REASON"})
    assert refused.status_code == 200 and "TYPED-REASON" in refused.content.decode()
    assert not case.report.events.filter(kind=EventKind.REOPENED).exists()
