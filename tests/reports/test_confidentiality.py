"""What the server keeps of a report: ciphertext only, no network address, no link to a signed-in
account, and the follow-up code only as a derived value (the issue's properties 1 and 3)."""

from __future__ import annotations

import base64
import datetime
import io
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import ForeignKey
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from egide.core.models import AuditEvent
from egide.org.models import User
from egide.reports.choices import Author
from egide.reports.models import Attachment, Message, Report
from egide.reports.services import purge_replay_boxes
from egide.vault.models import Wrap
from tests.conftest import verified_client
from tests.reports.conftest import CANARY, code_of, give_key, handler_client, submit

CaptureCallbacks = Callable[..., AbstractContextManager[Any]]

NOTIFY_EMAIL = f"{CANARY.lower()}@example.org"
ADDRESS = "203.0.113.77"


# --- Where to look ------------------------------------------------------------------------------


def _database_text() -> str:
    """Everything the database holds, as text: an SQL dump on SQLite, every row cast to text on PostgreSQL."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        parts = list(connection.connection.iterdump())
        name = str(connection.settings_dict["NAME"])
        for path in (name, f"{name}-wal", f"{name}-journal"):
            if os.path.isfile(path):  # an in-memory test database has no file
                parts.append(Path(path).read_bytes().decode("latin-1"))
        return "\n".join(parts)
    rows: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} t")  # noqa: S608  # names from introspection
            rows.extend(str(row[0]) for row in cursor.fetchall())
    return "\n".join(rows)


def _media_text() -> str:
    root = Path(django_settings.MEDIA_ROOT)
    return "\n".join(path.read_bytes().decode("latin-1") for path in sorted(root.rglob("*")) if path.is_file())


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''} {record.__dict__!r}" for record in caplog.records
    )


def _base64_forms(data: bytes) -> set[str]:
    """The secret's base64, alone and at the three alignments it can take inside a longer value."""
    forms = {base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode().rstrip("=")
        inner = encoded[4 if shift else 0 : -4]  # the characters that depend on `data` alone
        forms |= {inner, inner.replace("+", "-").replace("/", "_")}
    return forms


def _found(haystack: str, secret: str) -> list[str]:
    """The forms of `secret` (any case, hexadecimal, base64) that occur in `haystack`."""
    lowered = haystack.lower()
    found = []
    for variant in {secret, secret.lower(), secret.upper()}:
        raw = variant.encode()
        if variant.lower() in lowered:
            found.append(variant)
        if raw.hex() in lowered:
            found.append(f"hex of {variant}")
        found.extend(f"base64 {form}" for form in _base64_forms(raw) if form in haystack)
    return sorted(set(found))


# --- Uploads ------------------------------------------------------------------------------------


def _text_file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def _png_file(name: str, comment: str) -> SimpleUploadedFile:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", comment)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG", pnginfo=info)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _confidential_answers(**overrides: Any) -> dict[str, Any]:
    return {
        "mode": "confidential",
        "full_name": f"{CANARY}-name",
        "contact": f"{CANARY}-contact",
        "notify_email": NOTIFY_EMAIL,
        "attachments": [
            _text_file(f"{CANARY}-notes.txt", f"What he wrote to me: {CANARY}-file\n"),
            _png_file(f"{CANARY}-photo.png", f"{CANARY}-png-comment"),
        ],
        **overrides,
    }


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def debug_sql() -> Iterator[None]:
    """Queries are logged (django.db.backends) as with DEBUG on, so the captured logs include every statement."""
    connection.force_debug_cursor = True
    try:
        yield
    finally:
        connection.force_debug_cursor = False


# --- Property 1: nothing a person wrote is stored, logged or mailed in clear --------------------


def test_canary_is_nowhere_in_clear_but_readable_by_the_handler(
    referent_a: User,
    school_a: Any,
    media: Path,
    caplog: pytest.LogCaptureFixture,
    debug_sql: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    for name in (None, "django", "egide"):
        caplog.set_level(logging.DEBUG, logger=name)
    give_key(referent_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(Client(), school_a, **_confidential_answers())
    assert response.status_code == 200, response.content.decode()[:3000]
    code = code_of(response)
    report = Report.objects.get()
    assert report.mode == "confidential" and report.attachments.count() == 2

    handler = handler_client(referent_a)
    with django_capture_on_commit_callbacks(execute=True):
        replied = handler.post(reverse("cases:report", args=[report.reference]), {"text": f"{CANARY}-reply"})
    assert replied.status_code == 302

    reporter = Client()
    assert reporter.post(reverse("reports:follow_up"), {"code": code}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        sent = reporter.post(
            reverse("reports:space"),
            {"text": f"{CANARY}-message", "attachments": [_text_file(f"{CANARY}-later.txt", f"More: {CANARY}-later-file")]},
        )
    assert sent.status_code == 302
    assert reporter.get(reverse("reports:space")).status_code == 200

    # Control: the handler reads every field back, so the checks below could fail.
    page = handler.get(reverse("cases:report", args=[report.reference]))
    shown = page.content.decode()
    for suffix in ("narrative", "place", "author", "witness", "name", "contact", "reply", "message", "notes.txt", "later.txt"):
        assert f"{CANARY}-{suffix}" in shown, suffix
    assert page.context["content"]["notify_email"] == NOTIFY_EMAIL
    files = {attachment.pk: attachment for attachment in report.attachments.all()}
    downloaded = b"".join(
        b"".join(handler.get(reverse("cases:report_file", args=[report.reference, pk])).streaming_content)  # type: ignore[attr-defined]
        for pk in files
    )
    assert f"{CANARY}-file".encode() in downloaded and f"{CANARY}-later-file".encode() in downloaded

    # Mail: the notices went out, naming nothing; the reporter's address is only the recipient of its notice.
    assert mail.outbox, "no notification was sent"
    assert any(message.to == [NOTIFY_EMAIL] for message in mail.outbox)
    assert {referent_a.email} <= {address for message in mail.outbox for address in message.to}
    for message in mail.outbox:
        recipients = [address for address in message.recipients() if address != NOTIFY_EMAIL]
        visible = "\n".join(
            [
                str(message.subject),
                str(message.body),
                str(message.from_email),
                *recipients,
                *message.reply_to,
                repr(message.extra_headers),
                repr(message.attachments),
                repr(getattr(message, "alternatives", [])),
            ]
        )
        assert _found(visible, CANARY) == [], message.subject

    # Logs: captured (the SQL statements at least) and free of the canary.
    assert any(record.name == "django.db.backends" for record in caplog.records)
    assert _found(_log_text(caplog), CANARY) == []

    # Database and stored files; control: the dump has the report's clear reference and its ciphertext.
    dump = _database_text()
    report.refresh_from_db()
    assert report.reference in dump and bytes(report.content)[:24].hex() in dump.lower()
    assert _found(dump, CANARY) == []
    assert len([path for path in media.rglob("*") if path.is_file()]) == 3
    assert _found(_media_text(), CANARY) == []


# --- Property 3: no network address, no link to a signed-in account ----------------------------


def _user_references(instance: Any) -> dict[str, Any]:
    """The values of the instance's foreign keys to accounts."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if isinstance(field, ForeignKey) and field.related_model is User
    }


def test_no_address_and_no_account_link_while_staff_is_signed_in(
    referent_a: User, admin_a: User, school_a: Any, media: Path
) -> None:
    give_key(referent_a)
    client = verified_client(admin_a)  # a staff account signed in on the same browser
    first_event = (AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    response = submit(client, school_a, attachments=[_text_file("notes.txt", "nothing")], REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200, response.content.decode()[:3000]
    code = code_of(response)
    report = Report.objects.get()
    # The reporter's own follow-up from the same browser and address, a wrong code included.
    assert client.post(reverse("reports:follow_up"), {"code": "0000-0000-0000-0000"}, REMOTE_ADDR=ADDRESS).status_code == 200
    assert client.post(reverse("reports:follow_up"), {"code": code}, REMOTE_ADDR=ADDRESS).status_code == 302
    assert client.post(reverse("reports:space"), {"text": "one more thing"}, REMOTE_ADDR=ADDRESS).status_code == 302
    handler_client(referent_a).post(reverse("cases:report", args=[report.reference]), {"text": "received"})

    dump = _database_text()
    assert _found(dump, ADDRESS) == []
    assert bytes(int(part) for part in ADDRESS.split(".")).hex() not in dump.lower()

    assert _user_references(report) == {}
    assert Attachment.objects.filter(report=report).count() == 1
    assert all(_user_references(attachment) == {} for attachment in Attachment.objects.filter(report=report))
    messages = list(Message.objects.filter(report=report))
    assert {message.author for message in messages} == {Author.SYSTEM, Author.REPORTER, Author.HANDLER}
    for message in messages:
        expected = referent_a.pk if message.author == Author.HANDLER else None
        assert _user_references(message) == {"handler_id": expected}, message.author
    assert set(Wrap.objects.filter(envelope=report.envelope, user__isnull=False).values_list("user_id", flat=True)) == {
        referent_a.pk
    }
    reporter_events = AuditEvent.objects.filter(pk__gte=first_event, object_id=report.reference).exclude(
        action__in=["report.read", "report.handler_message", "case.acknowledgement"]  # the handler's acts
    )
    assert {event.action for event in reporter_events} >= {"report.received", "report.reporter_message"}
    assert all(event.actor_id is None and event.actor_label == "" for event in reporter_events)
    # The staff session of that browser learnt nothing about the report.
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        assert report.reference not in decoded and code not in decoded


# --- The follow-up code: only a derived value, and the replay copy goes ---------------------------


def test_follow_up_code_is_stored_only_derived_and_the_replay_copy_is_purged(referent_a: User, school_a: Any) -> None:
    give_key(referent_a)
    token = "token-" + "r" * 30
    response = submit(Client(), school_a, submission_token=token)
    code = code_of(response)
    plain = code.replace("-", "")
    report = Report.objects.get()
    assert report.replay_box is not None and report.replay_until is not None

    dump = _database_text()
    for form in (code, plain, " ".join(code.split("-"))):
        assert _found(dump, form) == [], form

    # Within the window, the same form sent again shows the same code; after it, the sealed copy is gone.
    again = submit(Client(), school_a, submission_token=token)
    assert again.context["ack"].replayed and again.context["ack"].code == code
    Report.objects.filter(pk=report.pk).update(replay_until=timezone.now() - datetime.timedelta(seconds=1))
    assert purge_replay_boxes() == 1
    report.refresh_from_db()
    assert report.replay_box is None and report.replay_until is None
    late = submit(Client(), school_a, submission_token=token)
    assert late.context["ack"].replayed and late.context["ack"].code == ""
    assert Report.objects.count() == 1
    assert _found(_database_text(), plain) == []
