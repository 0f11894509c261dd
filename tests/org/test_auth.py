"""Staff sign-in: password, throttling, TOTP enrolment and verification, idle expiry, password reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egide.core.models import AuditEvent
from egide.org.models import User
from tests.conftest import PASSWORD

LOGIN = "/fr/staff/login/"


def _login(client: Client, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"email": email, "password": password, **extra})


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_login_page_is_public_and_login_works_for_a_user_without_sensitive_role(student: User) -> None:
    client = Client()
    assert client.get(LOGIN).status_code == 200
    response = _login(client, student.email)
    assert response.status_code == 302 and response["Location"] == "/fr/staff/"
    assert client.get("/fr/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor_id=student.pk).exists()


def test_wrong_password_is_refused_with_a_translated_message(student: User) -> None:
    response = _login(Client(), student.email, "wrong password")
    assert response.status_code == 200
    assert "L’adresse e-mail ou le mot de passe est incorrect." in response.content.decode()
    response = Client().post("/en/staff/login/", {"email": student.email, "password": "wrong"})
    assert "The e-mail address or the password is wrong." in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 2


def test_repeated_failures_are_throttled_even_with_the_right_password(student: User, settings: Any) -> None:
    settings.EGIDE_LOGIN_MAX_FAILURES = 3
    client = Client()
    for _attempt in range(3):
        _login(client, student.email, "wrong password")
    response = _login(client, student.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_throttled").exists()


def test_throttle_stores_no_email(student: User) -> None:
    from egide.core.models import ThrottleCounter

    _login(Client(), student.email, "wrong password")
    assert ThrottleCounter.objects.count() == 1
    assert student.email not in ThrottleCounter.objects.get().key


def test_sensitive_role_must_enrol_totp_then_reaches_the_staff_area(admin_a: User) -> None:
    client = Client()
    response = _login(client, admin_a.email)
    assert response["Location"] == "/fr/staff/"
    response = client.get("/fr/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/fr/staff/2fa/setup/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=admin_a, confirmed=False)
    assert (
        client.post("/fr/staff/2fa/setup/", {"token": "000000" if _current_code(device) != "000000" else "111111"}).status_code
        == 200
    )
    response = client.post("/fr/staff/2fa/setup/", {"token": _current_code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z0-9]{7,})</li>", response.content.decode())
    assert len(codes) == 10
    assert client.get("/fr/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_enrolled", actor_id=admin_a.pk).exists()


def test_enrolled_account_must_verify_and_a_backup_code_works_once(admin_a: User) -> None:
    device = TOTPDevice.objects.create(user=admin_a, name="authenticator", confirmed=True)
    from django_otp.plugins.otp_static.models import StaticDevice

    backup = StaticDevice.objects.create(user=admin_a, name="backup", confirmed=True)
    StaticToken.objects.create(device=backup, token="backup1234")
    client = Client()
    _login(client, admin_a.email)
    assert client.get("/fr/staff/org/people/")["Location"].startswith("/fr/staff/2fa/verify/")
    assert client.post("/fr/staff/2fa/verify/", {"token": "123"}).status_code == 200
    response = client.post("/fr/staff/2fa/verify/", {"token": "backup1234", "next": "/fr/staff/org/people/"})
    assert response["Location"] == "/fr/staff/org/people/"
    assert not StaticToken.objects.filter(token="backup1234").exists()
    other = Client()
    _login(other, admin_a.email)
    assert other.post("/fr/staff/2fa/verify/", {"token": _current_code(device)}).status_code == 302


def test_wrong_totp_codes_are_throttled(admin_a: User, settings: Any) -> None:
    settings.EGIDE_LOGIN_MAX_FAILURES = 2
    device = TOTPDevice.objects.create(user=admin_a, name="authenticator", confirmed=True)
    client = Client()
    _login(client, admin_a.email)
    for _attempt in range(2):
        client.post("/fr/staff/2fa/verify/", {"token": "000001"})
    response = client.post("/fr/staff/2fa/verify/", {"token": _current_code(device)})
    assert response.status_code == 200  # refused although right: too many failures
    assert client.get("/fr/staff/").status_code == 302


def test_next_parameter_cannot_leave_the_site(student: User) -> None:
    response = _login(Client(), student.email, next="https://evil.example/")
    assert response["Location"] == "/fr/staff/"


def test_logout_needs_post(student: User) -> None:
    client = Client()
    _login(client, student.email)
    assert client.get("/fr/staff/logout/").status_code == 405
    assert client.post("/fr/staff/logout/").status_code == 302
    assert client.get("/fr/staff/").status_code == 302


def test_session_expires_when_idle(settings: Any) -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 3600


def test_password_reset_sends_a_link_that_sets_the_password(student: User, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    response = client.post("/fr/staff/password/reset/", {"email": student.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/fr/staff/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "an entirely new passphrase", "new_password2": "an entirely new passphrase"}
    )
    assert response.status_code == 302
    student.refresh_from_db()
    assert student.check_password("an entirely new passphrase")
    assert AuditEvent.objects.filter(action="auth.password_set", actor_id=student.pk).exists()


def test_password_reset_for_unknown_address_answers_the_same(db: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = Client().post("/fr/staff/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("path", ["/admin/", "/admin/org/person/"])
def test_django_admin_is_for_verified_superusers_only(path: str, admin_a: User, as_user: Any) -> None:
    assert as_user(admin_a).get(path).status_code == 302
    superuser = User.objects.create_superuser("root@example.org", PASSWORD)
    client = Client()
    client.force_login(superuser)
    assert client.get(path)["Location"].startswith("/fr/staff/2fa/")
    assert as_user(superuser).get(path).status_code == 200
