"""Filing a report and the messages that follow. Every write is one transaction that also writes
its audit event; encryption goes through the vault; nothing a person wrote is logged."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egide.core.audit import audit_record
from egide.core.deadlines import local_date, statutory_due
from egide.core.throttle import throttle_count, throttle_record_failure
from egide.org.models import Entity, User
from egide.reports.choices import Author, Status
from egide.reports.models import Attachment, Message, Report
from egide.reports.selectors import entity_admin_emails, recipients_for
from egide.vault import crypto
from egide.vault.sanitize import CleanedUpload
from egide.vault.services import Recipients, envelope_create, escrow_key_for, receipt_prepare, receipt_save

logger = logging.getLogger(__name__)

REPLAY_MINUTES = 5
REFERENCE_ALPHABET = crypto.CODE_ALPHABET


@dataclass
class Submission:
    entity: Entity
    mode: str
    reporter_role: str
    population: str
    categories: list[str]
    content: dict[str, Any]
    excluded_person_ids: list[int]
    token: str
    proof_of_work: bool
    language: str
    attachments: list[CleanedUpload] = field(default_factory=list)


@dataclass(frozen=True)
class Acknowledgement:
    reference: str
    received_at: datetime.datetime | None  # None when a repeated submission can no longer show it
    ack_due: datetime.date
    code: str
    entity: Entity
    text: str
    replayed: bool = False


# --- Storage of encrypted files -----------------------------------------------------------------


@dataclass(frozen=True)
class StoredBlob:
    blob: str
    size: int
    meta: bytes


def _store_blob(data_key: bytes, upload: CleanedUpload) -> StoredBlob:
    blob = f"vault/{secrets.token_hex(16)}"
    with tempfile.TemporaryFile() as encrypted:
        upload.file.seek(0)
        size = crypto.encrypt_stream(data_key, upload.file, encrypted, context=f"attachment:{blob}")
        encrypted.seek(0)
        saved = default_storage.save(blob, File(encrypted, name=blob))
    meta = {
        "name": upload.name,
        "type": upload.content_type,
        "removed": [str(item) for item in upload.removed],
        "kept": upload.metadata_kept,
    }
    return StoredBlob(blob=saved, size=size, meta=crypto.encrypt_json(data_key, meta, context=f"attachment-meta:{saved}"))


def _discard_blobs(blobs: Iterable[StoredBlob]) -> None:
    for stored in blobs:
        default_storage.delete(stored.blob)


def _attach(report: Report, message: Message | None, author: str, blobs: Sequence[StoredBlob]) -> None:
    Attachment.objects.bulk_create(
        [Attachment(report=report, message=message, author=author, blob=b.blob, size=b.size, meta=b.meta) for b in blobs]
    )


# --- Submission ---------------------------------------------------------------------------------


def required_bits(entity: Entity) -> int:
    """The proof of work asked of a new report page: harder while reports flood in for the entity."""
    count = throttle_count(scope="report-flood", identifier=str(entity.pk), window_seconds=3600)
    extra = settings.EGIDE_REPORT_POW_FLOOD_EXTRA_BITS if count >= settings.EGIDE_REPORT_HOURLY_LIMIT else 0
    return int(settings.EGIDE_REPORT_POW_BITS + extra)


def _set_aside_by_flood(entity: Entity, *, proof_of_work: bool) -> bool:
    """Nobody is ever turned away: past the hourly limit of reports sent without the page's proof of
    work (no JavaScript, or a script), new ones are accepted but set aside for the handlers to review."""
    if proof_of_work:
        return False
    count = throttle_count(scope="report-flood-unproved", identifier=str(entity.pk), window_seconds=3600)
    return count >= settings.EGIDE_REPORT_HOURLY_LIMIT_WITHOUT_PROOF


def _count_submission(entity: Entity, *, proof_of_work: bool) -> None:
    throttle_record_failure(scope="report-flood", identifier=str(entity.pk), window_seconds=3600)
    if not proof_of_work:
        throttle_record_failure(scope="report-flood-unproved", identifier=str(entity.pk), window_seconds=3600)


def _new_reference(entity: Entity, year: int) -> str:
    """ENTITY-YEAR-XXXXXX with six random characters: a sequence number would let a handler who
    sees reports 12 and 14 know that a report 13 was hidden from them, and roughly when."""
    while True:
        suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _index in range(6))
        if any(ch.isalpha() for ch in suffix):  # never all digits: nothing that reads like a count
            reference = f"{entity.code.upper()}-{year}-{suffix}"
            if not Report.objects.filter(reference=reference).exists():
                return reference


def acknowledgement_text(*, reference: str, received_at: datetime.datetime, ack_due: datetime.date, language: str) -> str:
    """The acknowledgement (R4): reference, date and time, how the follow-up will happen."""
    with translation.override(language):
        local = timezone.localtime(received_at)
        return _(
            "Your report was received on %(date)s at %(time)s under the reference %(reference)s. "
            "A référent will acknowledge it in writing by %(due)s at the latest (7 working days). "
            "The follow-up happens here, in your follow-up space: sign in with your follow-up code to read the "
            "messages of the référents, answer them and add documents. If you gave an e-mail address, you will "
            "receive a short notice without any content when there is a new message. You may also contact the "
            "listening cell of your entity, or use the other channels (ministerial cell, Défenseur des droits, "
            "police or gendarmerie) at the same time."
        ) % {
            "date": local.strftime("%d/%m/%Y"),
            "time": local.strftime("%H:%M"),
            "reference": reference,
            "due": ack_due.strftime("%d/%m/%Y"),
        }


def _fingerprint(submission: Submission) -> str:
    """The answers themselves: the code is shown again only for the very same submission."""
    answers = {
        "entity": submission.entity.pk,
        "mode": submission.mode,
        "role": submission.reporter_role,
        "population": submission.population,
        "categories": submission.categories,
        "content": submission.content,
        "excluded": sorted(submission.excluded_person_ids),
    }
    return hashlib.sha256(json.dumps(answers, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _quarter_after(moment: datetime.datetime) -> datetime.datetime:
    """The next quarter of an hour: the expiry must not give away the exact time of the report."""
    floor = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floor + datetime.timedelta(minutes=15)


def _replay_key(submission: Submission) -> bytes:
    return crypto.token_key(submission.token + ":" + _fingerprint(submission))


def _replay(submission: Submission) -> Acknowledgement | None:
    """The acknowledgement of a report already filed with this token (double click, resent form).

    The code comes back once, within a few minutes, and only for the same answers: someone who
    finds the page later on a shared computer, or posts other answers with its token, gets none.
    """
    report = Report.objects.filter(submission_digest=crypto.token_digest(submission.token)).first()
    if report is None:
        return None
    code, received_at = "", None
    if report.replay_box and report.replay_until and report.replay_until > timezone.now():
        try:
            box = crypto.decrypt_json(_replay_key(submission), report.replay_box, context="replay")
        except crypto.DecryptionError:
            box = None
        if box is not None:
            code, received_at = box["code"], datetime.datetime.fromisoformat(box["at"])
            Report.objects.filter(pk=report.pk).update(replay_box=None, replay_until=None)
    language = submission.language
    text = (
        acknowledgement_text(reference=report.reference, received_at=received_at, ack_due=report.ack_due, language=language)
        if received_at is not None
        else ""
    )
    return Acknowledgement(
        reference=report.reference,
        received_at=received_at,
        ack_due=report.ack_due,
        code=code,
        entity=report.entity,
        text=text,
        replayed=True,
    )


def report_submit(*, submission: Submission) -> Acknowledgement:
    """Store a report, its first message and its files in one transaction; or refuse it, storing nothing."""
    replayed = _replay(submission)
    if replayed is not None:
        return replayed
    entity = submission.entity
    set_aside = _set_aside_by_flood(entity, proof_of_work=submission.proof_of_work)
    received_at = timezone.now()
    ack_due = statutory_due("acknowledgement", local_date(received_at)).due
    prepared = receipt_prepare()  # the slow key derivation, outside the transaction
    handlers, pooled = recipients_for(entity, excluded_person_ids=submission.excluded_person_ids)
    data_key = crypto.new_key()
    blobs = [_store_blob(data_key, upload) for upload in submission.attachments]
    try:
        with transaction.atomic():
            report = _create_report(submission, prepared, handlers, pooled, data_key, received_at, ack_due, blobs, set_aside)
    except IntegrityError:
        _discard_blobs(blobs)
        replayed = _replay(submission)
        if replayed is None:
            raise
        return replayed
    except BaseException:
        _discard_blobs(blobs)
        raise
    _count_submission(entity, proof_of_work=submission.proof_of_work)
    purge_replay_boxes()
    transaction.on_commit(lambda: _notify_new_report(report.pk, [user.pk for user in handlers], pooled))
    language = submission.language
    text = acknowledgement_text(reference=report.reference, received_at=received_at, ack_due=ack_due, language=language)
    return Acknowledgement(
        reference=report.reference, received_at=received_at, ack_due=ack_due, code=prepared.code, entity=entity, text=text
    )


def _create_report(
    submission: Submission,
    prepared: Any,
    handlers: list[Any],
    pooled: bool,
    data_key: bytes,
    received_at: datetime.datetime,
    ack_due: datetime.date,
    blobs: Sequence[StoredBlob],
    set_aside: bool,
) -> Report:
    entity = submission.entity
    receipt = receipt_save(prepared)
    envelope, _key = envelope_create(
        recipients=Recipients(handlers=handlers, escrow=escrow_key_for(entity), receipt=receipt), data_key=data_key
    )
    reference = _new_reference(entity, local_date(received_at).year)
    content = {**submission.content, "received_at": received_at.isoformat(), "language": submission.language}
    report = Report.objects.create(
        reference=reference,
        entity=entity,
        mode=submission.mode,
        reporter_role=submission.reporter_role,
        population=submission.population,
        categories=",".join(submission.categories),
        received_month=local_date(received_at).replace(day=1),
        ack_due=ack_due,
        next_due=ack_due,
        next_due_kind="acknowledgement",
        # R17: without an acknowledgement, 3 months from the end of the acknowledgement period.
        feedback_due=statutory_due("feedback", ack_due).due,
        proof_of_work=submission.proof_of_work,
        status=Status.SET_ASIDE if set_aside else Status.RECEIVED,
        pooled=pooled,
        envelope=envelope,
        receipt=receipt,
        content=crypto.encrypt_json(data_key, content, context=f"report:{reference}:content"),
        submission_digest=crypto.token_digest(submission.token),
        replay_box=crypto.encrypt_json(
            _replay_key(submission), {"code": prepared.code, "at": received_at.isoformat()}, context="replay"
        ),
        replay_until=_quarter_after(received_at + datetime.timedelta(minutes=REPLAY_MINUTES)),
    )
    text = acknowledgement_text(reference=reference, received_at=received_at, ack_due=ack_due, language=submission.language)
    _add_message(report, data_key, author=Author.SYSTEM, text=text, handler=None, at=received_at)
    _attach(report, None, Author.REPORTER, blobs)
    audit_record(
        action="report.received",
        object_type="reports.report",
        object_id=reference,
        data={"recipients": len(handlers), "pooled": pooled, "proof_of_work": submission.proof_of_work, "flood": set_aside},
    )
    return report


def report_open_for_handler(
    *,
    handler: Any,
    entity: Entity,
    channel: str,
    received_on: datetime.date,
    mode: str,
    reporter_role: str,
    population: str,
    categories: list[str],
    content: dict[str, Any],
) -> tuple[Report, bytes]:
    """A report received in person, by phone or by letter, typed by a handler: held by the entity's
    handlers (the one who opens it included) and the escrow key; no follow-up code (no receipt)."""
    handlers, pooled = recipients_for(entity, excluded_person_ids=[])
    if handler.pk not in {user.pk for user in handlers}:
        handlers.append(handler)
    data_key = crypto.new_key()
    received_at = timezone.now()
    ack_due = statutory_due("acknowledgement", received_on).due
    with transaction.atomic():
        envelope, _key = envelope_create(
            recipients=Recipients(handlers=handlers, escrow=escrow_key_for(entity), receipt=None), data_key=data_key
        )
        reference = _new_reference(entity, received_on.year)
        stored = {**content, "received_at": received_at.isoformat(), "received_on": received_on.isoformat(), "language": "fr"}
        report = Report.objects.create(
            reference=reference,
            entity=entity,
            mode=mode,
            reporter_role=reporter_role,
            population=population,
            categories=",".join(categories),
            channel=channel,
            received_month=received_on.replace(day=1),
            ack_due=ack_due,
            next_due=ack_due,
            next_due_kind="acknowledgement",
            feedback_due=statutory_due("feedback", ack_due).due,
            status=Status.RECEIVED,
            pooled=pooled,
            envelope=envelope,
            content=crypto.encrypt_json(data_key, stored, context=f"report:{reference}:content"),
            submission_digest=crypto.token_digest(secrets.token_urlsafe(32)),
        )
        audit_record(
            actor=handler,
            action="report.opened_by_handler",
            object_type="reports.report",
            object_id=reference,
            data={"channel": channel, "recipients": len(handlers)},
        )
    return report, data_key


def _add_message(
    report: Report, data_key: bytes, *, author: str, text: str, handler: Any, at: datetime.datetime | None = None
) -> Message:
    moment = at or timezone.now()
    message = Message(report=report, author=author, handler=handler, created_on=timezone.localdate(moment))
    body = {"text": text, "at": moment.isoformat()}
    message.body = crypto.encrypt_json(data_key, body, context=f"message:{message.uid}:body")
    message.save()
    return message


def open_message(data_key: bytes, message: Message) -> tuple[str, datetime.datetime]:
    """(text, exact time) of a message."""
    body = crypto.decrypt_json(data_key, message.body, context=f"message:{message.uid}:body")
    return str(body["text"]), datetime.datetime.fromisoformat(body["at"])


def decrypt_content(data_key: bytes, report: Report) -> dict[str, Any]:
    content: dict[str, Any] = crypto.decrypt_json(data_key, report.content, context=f"report:{report.reference}:content")
    return content


def decrypt_attachment_meta(data_key: bytes, attachment: Attachment) -> dict[str, Any]:
    meta: dict[str, Any] = crypto.decrypt_json(data_key, attachment.meta, context=f"attachment-meta:{attachment.blob}")
    return meta


@dataclass(frozen=True)
class Thread:
    messages: list[dict[str, Any]]
    first_attachments: list[dict[str, Any]]  # the files sent with the report itself


def open_thread(data_key: bytes, report: Report, *, with_handlers: bool) -> Thread:
    """The decrypted messages, each with its exact time and files, as both sides show them.

    The reporter's side never gets the handlers' names (`with_handlers=False`)."""
    attachments: dict[int | None, list[dict[str, Any]]] = {}
    for attachment in report.attachments.all():
        meta = decrypt_attachment_meta(data_key, attachment)
        attachments.setdefault(attachment.message_id, []).append({"id": attachment.pk, "size": attachment.size, **meta})
    messages = report.messages.select_related("handler__person") if with_handlers else report.messages.all()
    thread = []
    for message in messages:
        text, moment = open_message(data_key, message)
        item = {
            "author": message.author,
            "author_label": Author(message.author).label,
            "created_at": moment,
            "text": text,
            "attachments": attachments.get(message.pk, []),
        }
        if with_handlers:
            item["handler"] = message.handler
        thread.append(item)
    return Thread(messages=thread, first_attachments=attachments.get(None, []))


def attachment_chunks(data_key: bytes, attachment: Attachment) -> Any:
    """The decrypted file, chunk by chunk (the caller streams it)."""
    handle = default_storage.open(attachment.blob, "rb")
    try:
        yield from crypto.decrypt_stream(data_key, handle, context=f"attachment:{attachment.blob}")
    finally:
        handle.close()


# --- Messages -----------------------------------------------------------------------------------


def message_from_reporter(*, report: Report, data_key: bytes, text: str, attachments: Sequence[CleanedUpload]) -> Message:
    blobs = [_store_blob(data_key, upload) for upload in attachments]
    try:
        with transaction.atomic():
            message = _add_message(report, data_key, author=Author.REPORTER, text=text, handler=None)
            _attach(report, message, Author.REPORTER, blobs)
            audit_record(action="report.reporter_message", object_type="reports.report", object_id=report.reference)
            if report.status == Status.SET_ASIDE:  # a person writing back: not a flood item after all
                report.status, report.set_aside_at = Status.RECEIVED, None
                report.save(update_fields=["status", "set_aside_at"])
                audit_record(action="report.restored", object_type="reports.report", object_id=report.reference)
    except BaseException:
        _discard_blobs(blobs)
        raise
    handler_ids = list(report.envelope.wraps.filter(user__isnull=False).values_list("user_id", flat=True))
    transaction.on_commit(lambda: _notify_handlers(handler_ids))
    return message


def message_from_handler(*, report: Report, data_key: bytes, handler: Any, text: str) -> Message:
    with transaction.atomic():
        message = _add_message(report, data_key, author=Author.HANDLER, text=text, handler=handler)
        if report.acknowledged_at is None:
            report.acknowledged_at = timezone.now()
            if report.status == Status.RECEIVED:
                report.status = Status.ACKNOWLEDGED
            report.save(update_fields=["acknowledged_at", "status"])
        audit_record(actor=handler, action="report.handler_message", object_type="reports.report", object_id=report.reference)
    content = decrypt_content(data_key, report)
    email = (content.get("notify_email") or "").strip()
    if email:
        language = content.get("language") or "fr"
        transaction.on_commit(lambda: _notify_reporter(email, language))
    return message


def report_withdraw(*, report: Report, data_key: bytes, reason: str) -> None:
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status in {Status.CLOSED, Status.WITHDRAWN}:
            return
        text = _("The reporter withdrew the report.") + (("\n\n" + reason) if reason else "")
        _add_message(locked, data_key, author=Author.SYSTEM, text=text, handler=None)
        locked.status, locked.withdrawn_on = Status.WITHDRAWN, timezone.localdate()
        locked.save(update_fields=["status", "withdrawn_on"])
        audit_record(action="report.withdrawn", object_type="reports.report", object_id=report.reference)
    handler_ids = list(report.envelope.wraps.filter(user__isnull=False).values_list("user_id", flat=True))
    transaction.on_commit(lambda: _notify_handlers(handler_ids))


def reports_set_aside(*, reports: Iterable[Report], handler: Any, reason: str) -> int:
    """Bulk triage of a flood: the reports stay (and can be restored) but leave the inbox."""
    count = 0
    with transaction.atomic():
        for report in reports:
            if report.status != Status.RECEIVED:
                continue
            report.status, report.set_aside_at = Status.SET_ASIDE, timezone.now()
            report.save(update_fields=["status", "set_aside_at"])
            audit_record(
                actor=handler, action="report.set_aside", object_type="reports.report", object_id=report.reference, reason=reason
            )
            count += 1
    return count


def report_restore(*, report: Report, handler: Any) -> None:
    with transaction.atomic():
        if report.status == Status.SET_ASIDE:
            report.status, report.set_aside_at = Status.RECEIVED, None
            report.save(update_fields=["status", "set_aside_at"])
            audit_record(actor=handler, action="report.restored", object_type="reports.report", object_id=report.reference)


def purge_replay_boxes() -> int:
    return Report.objects.filter(replay_until__lt=timezone.now()).update(replay_box=None, replay_until=None)


# --- Notifications: never any content -----------------------------------------------------------


def _send(subject: str, body: str, recipients: list[str]) -> None:
    if not recipients:
        return
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the report is stored; a mail server failure must not undo it
        logger.exception("notification e-mail could not be sent")


def _staff_url() -> str:
    return settings.EGIDE_BASE_URL + reverse("cases:inbox")


def _notify_new_report(report_id: int, handler_ids: list[int], pooled: bool) -> None:
    emails = list(User.objects.filter(pk__in=handler_ids, is_active=True).values_list("email", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            _("[%(site)s] A new report has been received") % {"site": settings.EGIDE_SITE_NAME},
            _("A new report has been received. Sign in to Égide to read it: %(path)s") % {"path": _staff_url()},
            emails,
        )
        if pooled:
            report = Report.objects.select_related("entity").get(pk=report_id)
            _send(
                _("[%(site)s] No référent of your entity can receive reports yet") % {"site": settings.EGIDE_SITE_NAME},
                _(
                    "A report for %(entity)s was sent to the IMT-level unit because none of the entity's référents has set up "
                    "a personal key yet. Ask them to sign in to Égide: the set-up takes one minute."
                )
                % {"entity": report.entity.name_fr},
                entity_admin_emails(report.entity),
            )


def _notify_handlers(handler_ids: list[int]) -> None:
    emails = list(User.objects.filter(pk__in=handler_ids, is_active=True).values_list("email", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        _send(
            _("[%(site)s] New activity on a report") % {"site": settings.EGIDE_SITE_NAME},
            _("There is new activity on a report you handle. Sign in to Égide to read it: %(path)s") % {"path": _staff_url()},
            emails,
        )


def _notify_reporter(email: str, language: str) -> None:
    with translation.override(language):
        _send(
            _("You have a new message"),
            _("You have a new message in your follow-up space. Open the follow-up page and enter your code: %(path)s")
            % {"path": settings.EGIDE_BASE_URL + reverse("reports:follow_up")},
            [email],
        )
