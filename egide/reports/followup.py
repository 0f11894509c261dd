"""The reporter's follow-up session: opened with the code, kept by its own cookie.

The server keeps a digest of the session id and the receipt's private key sealed under a key that
only the cookie holds (vault.session); the cookie expires when idle and with the browser.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from egide.core.audit import audit_record
from egide.reports.models import FollowUpSession, Report
from egide.vault.services import NoAccess, WrongSecret, envelope_open_for_receipt, receipt_open
from egide.vault.session import open_from_cookie, seal_for_cookie


@dataclass(frozen=True)
class OpenSpace:
    report: Report
    data_key: bytes


@dataclass(frozen=True)
class Opened:
    cookie_value: str


def _digest(session_id: str) -> str:
    return hashlib.sha256(b"egide-followup:" + session_id.encode()).hexdigest()


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.EGIDE_FOLLOWUP_IDLE_SECONDS)


def session_open(code: str) -> Opened | None:
    """A new follow-up session for the report this code opens, or None (the caller throttles)."""
    try:
        receipt, private_key = receipt_open(code)
    except WrongSecret:
        return None
    report = Report.objects.filter(receipt=receipt).first()
    if report is None:
        return None
    FollowUpSession.objects.filter(expires_at__lt=timezone.now()).delete()
    session_id = secrets.token_urlsafe(32)
    sealed, cookie_key = seal_for_cookie(private_key)
    FollowUpSession.objects.create(digest=_digest(session_id), report=report, sealed_key=sealed, expires_at=_expiry())
    audit_record(action="report.reporter_signed_in", object_type="reports.report", object_id=report.reference)
    return Opened(cookie_value=f"{session_id}.{cookie_key}")


def _session(request: HttpRequest) -> tuple[FollowUpSession, str] | None:
    session_id, _dot, cookie_key = request.COOKIES.get(settings.EGIDE_FOLLOWUP_COOKIE_NAME, "").partition(".")
    if not session_id or not cookie_key:
        return None
    row = (
        FollowUpSession.objects.filter(digest=_digest(session_id), expires_at__gt=timezone.now()).select_related("report").first()
    )
    return (row, cookie_key) if row is not None else None


def current(request: HttpRequest) -> OpenSpace | None:
    found = _session(request)
    if found is None:
        return None
    row, cookie_key = found
    private_key = open_from_cookie(row.sealed_key, cookie_key)
    report = row.report
    if private_key is None or report.receipt is None:
        return None
    try:
        data_key = envelope_open_for_receipt(envelope_id=report.envelope_id, receipt=report.receipt, private_key=private_key)
    except NoAccess:
        return None
    FollowUpSession.objects.filter(pk=row.pk).update(expires_at=_expiry())
    return OpenSpace(report=report, data_key=data_key)


def set_cookie(response: HttpResponse, opened: Opened) -> None:
    response.set_cookie(
        settings.EGIDE_FOLLOWUP_COOKIE_NAME,
        opened.cookie_value,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Strict",
    )


def end(request: HttpRequest, response: HttpResponse) -> None:
    found = _session(request)
    if found is not None:
        FollowUpSession.objects.filter(pk=found[0].pk).delete()
    response.delete_cookie(settings.EGIDE_FOLLOWUP_COOKIE_NAME, samesite="Strict")
