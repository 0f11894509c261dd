"""Handlers' personal keys: set-up, unlock at sign-in, password change and reset, recovery code,
throttling, the vault cookie; and the escrow ceremony commands."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from egide.core.models import AuditEvent
from egide.org.models import Entity, User
from egide.org.roles import Role
from egide.reports.models import Report
from egide.vault import crypto
from egide.vault.models import EscrowKey, HandlerKey, Wrap
from egide.vault.services import WrongSecret, handler_key_unlock
from tests.conftest import PASSWORD, make_user, verified_client
from tests.reports.conftest import CANARY, give_key, handler_client, submit

VAULT_COOKIE = django_settings.EGIDE_VAULT_COOKIE_NAME
NEW_PASSWORD = "a completely different sentence 2026"
PASSPHRASE = "violet ferry under the quiet moon"
CODE_PATTERN = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$")


def u(name: str, args: list[Any] | None = None) -> str:
    """Addresses in English, so that messages can be compared."""
    with translation.override("en"):
        return reverse(name, args=args)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(client: Client, user: User, password: str = PASSWORD) -> Any:
    """The real sign-in: the login form, then the second factor. Returns the login response."""
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # a second sign-in within the same 30 s step
    device.refresh_from_db()
    login = client.post(u("org:login"), {"email": user.email, "password": password})
    assert login.status_code == 302, login.content.decode()[:2000]
    verify = client.post(u("org:otp_verify"), {"token": _code(device)})
    assert verify.status_code == 302, verify.content.decode()[:2000]
    return login


def unlocked(client: Client) -> bool:
    """Whether the inbox opens without asking for the key."""
    response = client.get(u("cases:inbox"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response["Location"].startswith(u("cases:key_unlock")), response
    return False


def setup_key(client: Client, **data: str) -> Any:
    return client.post(u("cases:key_setup"), data)


def unlock(client: Client, secret: str) -> Any:
    return client.post(u("cases:key_unlock"), {"secret": secret})


# --- Set-up -------------------------------------------------------------------------------------


def test_a_handler_without_a_key_is_sent_to_the_set_up(referent_a: User, admin_a: User) -> None:
    client = verified_client(referent_a)
    for name in ("org:dashboard", "cases:inbox"):
        response = client.get(u(name))
        assert response.status_code == 302 and response["Location"] == u("cases:key_setup"), name
    assert client.get(u("cases:key_setup")).status_code == 200
    assert verified_client(admin_a).get(u("org:dashboard")).status_code == 200  # not a handler


def test_set_up_with_the_password(referent_a: User) -> None:
    client = verified_client(referent_a)
    wrong = setup_key(client, protection="password", password="not my password")
    assert wrong.status_code == 200
    assert "password" in wrong.context["form"].errors
    assert not HandlerKey.objects.filter(user=referent_a).exists()
    assert client.get(u("cases:inbox"))["Location"] == u("cases:key_setup")
    response = setup_key(client, protection="password", password=PASSWORD)
    assert response.status_code == 200
    code = response.context["code"]
    assert CODE_PATTERN.fullmatch(code)
    assert code in response.content.decode()
    key = HandlerKey.objects.get(user=referent_a)
    assert key.protection == "password"
    assert len(handler_key_unlock(key=key, secret=PASSWORD)) == 32
    assert unlocked(client)  # the new key is open for this session
    again = client.get(u("cases:key_setup"))
    assert again.status_code == 302 and again["Location"] == u("cases:inbox")  # the code is not shown twice
    assert code not in client.get(u("cases:inbox")).content.decode()
    assert AuditEvent.objects.filter(action="vault.handler_key_created", actor_id=referent_a.pk).count() == 1


@pytest.mark.parametrize(
    ("passphrase", "again", "field", "message"),
    [
        ("short one", "short one", "passphrase", "at least 12 characters"),
        (PASSPHRASE, PASSPHRASE + "!", "passphrase_again", "differ"),
        (PASSWORD, PASSWORD, "passphrase", "different from your password"),
        ("", "", "passphrase", "at least 12 characters"),
    ],
)
def test_set_up_with_a_bad_passphrase_is_refused(referent_a: User, passphrase: str, again: str, field: str, message: str) -> None:
    client = verified_client(referent_a)
    response = setup_key(client, protection="passphrase", passphrase=passphrase, passphrase_again=again)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not HandlerKey.objects.filter(user=referent_a).exists()


def test_set_up_with_a_common_passphrase_is_refused(referent_a: User) -> None:
    response = setup_key(
        verified_client(referent_a), protection="passphrase", passphrase="123456789012", passphrase_again="123456789012"
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not HandlerKey.objects.filter(user=referent_a).exists()


def test_set_up_with_a_passphrase(referent_a: User) -> None:
    client = verified_client(referent_a)
    response = setup_key(client, protection="passphrase", passphrase=PASSPHRASE, passphrase_again=PASSPHRASE)
    assert response.status_code == 200 and CODE_PATTERN.fullmatch(response.context["code"])
    key = HandlerKey.objects.get(user=referent_a)
    assert key.protection == "passphrase"
    assert unlocked(client)
    fresh = verified_client(referent_a)
    assert not unlocked(fresh)
    assert unlock(fresh, PASSWORD).status_code == 200  # the password does not open a passphrase key
    assert not unlocked(fresh)
    assert unlock(fresh, PASSPHRASE).status_code == 302
    assert unlocked(fresh)


def test_a_non_handler_cannot_set_up_a_key(admin_a: User) -> None:
    client = verified_client(admin_a)
    assert client.get(u("cases:key_setup")).status_code == 404
    assert setup_key(client, protection="password", password=PASSWORD).status_code == 404
    assert not HandlerKey.objects.filter(user=admin_a).exists()
    assert client.get(u("cases:key_unlock")).status_code == 404


# --- Sign-in, password change, reset ------------------------------------------------------------


def test_signing_in_unlocks_a_key_protected_by_the_password(referent_a: User) -> None:
    give_key(referent_a)
    client = Client()
    login = sign_in(client, referent_a)
    cookie = login.cookies[VAULT_COOKIE]
    assert cookie.value and cookie["httponly"] is True
    assert unlocked(client)


def test_signing_in_does_not_unlock_a_passphrase_key(referent_a: User) -> None:
    setup_key(verified_client(referent_a), protection="passphrase", passphrase=PASSPHRASE, passphrase_again=PASSPHRASE)
    client = Client()
    login = sign_in(client, referent_a)
    assert VAULT_COOKIE not in login.cookies
    assert not unlocked(client)


def test_after_a_password_change_the_key_opens_with_the_new_password(referent_a: User) -> None:
    give_key(referent_a)
    client = Client()
    sign_in(client, referent_a)
    response = client.post(
        u("org:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referent_a.refresh_from_db()
    assert referent_a.check_password(NEW_PASSWORD)
    assert unlocked(client)  # still open in this session
    key = HandlerKey.objects.get(user=referent_a)
    assert len(handler_key_unlock(key=key, secret=NEW_PASSWORD)) == 32
    with pytest.raises(WrongSecret):
        handler_key_unlock(key=key, secret=PASSWORD)
    fresh = Client()
    sign_in(fresh, referent_a, NEW_PASSWORD)
    assert unlocked(fresh)


def test_after_a_reset_the_key_still_needs_the_old_password(referent_a: User) -> None:
    give_key(referent_a)
    referent_a.set_password(NEW_PASSWORD)
    referent_a.save()
    client = Client()
    sign_in(client, referent_a, NEW_PASSWORD)
    assert not unlocked(client)  # the reset password does not open the key
    refused = unlock(client, NEW_PASSWORD)
    assert refused.status_code == 200 and "secret" in refused.context["form"].errors
    assert not unlocked(client)
    assert AuditEvent.objects.filter(action="vault.unlock_failed", actor_id=referent_a.pk).exists()
    accepted = unlock(client, PASSWORD)
    # The previous password opens the key once; the page then asks to protect it with the current one.
    assert accepted.status_code == 200 and accepted.templates[0].name == "cases/key_reprotect.html"
    assert unlocked(client)
    protected = client.post(u("cases:key_reprotect"), {"protection": "password", "password": NEW_PASSWORD})
    assert protected.status_code == 302 and protected["Location"] == u("cases:inbox")
    key = HandlerKey.objects.get(user=referent_a)
    assert handler_key_unlock(key=key, secret=NEW_PASSWORD)
    with pytest.raises(WrongSecret):
        handler_key_unlock(key=key, secret=PASSWORD)


def test_unlock_redirects_only_within_the_site(referent_a: User) -> None:
    give_key(referent_a)
    client = verified_client(referent_a)
    inbox = client.get(u("cases:inbox"))
    assert inbox["Location"].startswith(u("cases:key_unlock") + "?next=")
    evil = client.post(u("cases:key_unlock"), {"secret": PASSWORD, "next": "https://evil.example/"})
    assert evil["Location"] == u("cases:inbox")
    good = client.post(u("cases:key_unlock"), {"secret": PASSWORD, "next": u("cases:readiness")})
    assert good["Location"] == u("cases:readiness")


# --- Recovery -----------------------------------------------------------------------------------


def test_recovery_reprotects_the_key_and_replaces_the_code(referent_a: User) -> None:
    first_code = setup_key(verified_client(referent_a), protection="password", password=PASSWORD).context["code"]
    client = verified_client(referent_a)
    wrong = client.post(
        u("cases:key_recover"), {"recovery_code": "0000-0000-0000-0000", "protection": "password", "password": PASSWORD}
    )
    assert wrong.status_code == 200 and "recovery_code" in wrong.context["form"].errors
    assert not unlocked(client)
    recovered = client.post(
        u("cases:key_recover"),
        {
            "recovery_code": first_code.lower().replace("-", " "),
            "protection": "passphrase",
            "passphrase": PASSPHRASE,
            "passphrase_again": PASSPHRASE,
        },
    )
    assert recovered.status_code == 200
    second_code = recovered.context["code"]
    assert CODE_PATTERN.fullmatch(second_code) and second_code != first_code
    assert unlocked(client)
    key = HandlerKey.objects.get(user=referent_a)
    assert key.protection == "passphrase"
    assert len(handler_key_unlock(key=key, secret=PASSPHRASE)) == 32
    with pytest.raises(WrongSecret):
        handler_key_unlock(key=key, secret=PASSWORD)
    other = verified_client(referent_a)
    old = other.post(u("cases:key_recover"), {"recovery_code": first_code, "protection": "password", "password": PASSWORD})
    assert old.status_code == 200 and "recovery_code" in old.context["form"].errors  # the used code is dead
    assert not unlocked(other)
    new = other.post(u("cases:key_recover"), {"recovery_code": second_code, "protection": "password", "password": PASSWORD})
    assert new.status_code == 200 and new.context["code"] not in {first_code, second_code}
    assert unlocked(other)
    assert HandlerKey.objects.get(user=referent_a).protection == "password"


def test_recovery_keeps_access_to_reports_already_received(referent_a: User, school_a: Entity) -> None:
    code = setup_key(verified_client(referent_a), protection="password", password=PASSWORD).context["code"]
    submit(Client(), school_a)
    report = Report.objects.get()
    client = verified_client(referent_a)
    client.post(u("cases:key_recover"), {"recovery_code": code, "protection": "password", "password": PASSWORD})
    page = client.get(u("cases:report", args=[report.reference]))
    assert page.status_code == 200 and f"{CANARY}-narrative" in page.content.decode()


# --- Throttling and the vault cookie ------------------------------------------------------------


def test_wrong_unlocks_are_throttled(referent_a: User, school_a: Entity, settings: Any) -> None:
    give_key(referent_a)
    client = verified_client(referent_a)
    assert settings.EGIDE_LOGIN_MAX_FAILURES == 5
    messages = [unlock(client, f"wrong password {attempt}").context["form"].errors["secret"][0] for attempt in range(6)]
    assert messages[:5] == ["This does not open your key."] * 5
    assert messages[5].startswith("Too many failed attempts")
    refused = unlock(client, PASSWORD)  # right, but too late
    assert refused.status_code == 200 and "Too many failed attempts" in refused.content.decode()
    assert not unlocked(client)
    other = give_key_and_client("hugo.handler@example.org", school_a)
    assert unlocked(other)  # counted per account


def give_key_and_client(email: str, entity: Entity) -> Client:
    user = make_user(email, entity, (Role.REFERENT_ECOUTE, entity))
    give_key(user)
    return handler_client(user)


def test_the_vault_cookie_is_httponly_and_signing_out_locks_the_key(referent_a: User) -> None:
    give_key(referent_a)
    client = verified_client(referent_a)
    response = unlock(client, PASSWORD)
    cookie = response.cookies[VAULT_COOKIE]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # gone with the browser
    assert unlocked(client)
    out = client.post(u("org:logout"))
    assert out.status_code == 302
    assert out.cookies[VAULT_COOKIE].value == "" and out.cookies[VAULT_COOKIE]["max-age"] == 0
    assert client.get(u("cases:inbox"))["Location"].startswith(u("org:login"))
    # Signed in again in the same browser: the key must be unlocked again.
    client.force_login(referent_a)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=referent_a).persistent_id
    session.save()
    assert not unlocked(client)


def test_the_vault_cookie_alone_or_the_session_alone_opens_nothing(referent_a: User) -> None:
    give_key(referent_a)
    client = handler_client(referent_a)
    stolen_cookie = client.cookies[VAULT_COOKIE].value
    other = verified_client(referent_a)
    other.cookies[VAULT_COOKIE] = stolen_cookie
    assert not unlocked(other)  # another session: the cookie opens nothing
    del client.cookies[VAULT_COOKIE]
    assert not unlocked(client)  # the session without its cookie


# --- Escrow -------------------------------------------------------------------------------------


def create_escrow(entity_code: str, *options: str) -> tuple[str, str]:
    out = io.StringIO()
    call_command("vault_escrow_create", entity_code, *options, stdout=out)
    lines = out.getvalue().strip().splitlines()
    match = re.search(r"fingerprint ((?:[0-9A-F]{4} ){7}[0-9A-F]{4})$", lines[0])
    assert match is not None, lines
    return match.group(1), lines[-1]


def open_escrow(monkeypatch: Any, entity_code: str, email: str, key_text: str, *options: str) -> str:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": key_text)
    out = io.StringIO()
    call_command("vault_escrow_open", entity_code, email, "--reason", "all holders left (ticket 42)", *options, stdout=out)
    return out.getvalue()


def test_escrow_create_prints_the_fingerprint_and_the_key_once(school_a: Entity) -> None:
    fingerprint, key_text = create_escrow("telecom-paris")
    escrow = EscrowKey.objects.get(entity=school_a)
    assert escrow.fingerprint == fingerprint
    assert re.fullmatch(r"([A-Z2-7]{4} ){12}[A-Z2-7]{4}", key_text)
    private = base64.b32decode(key_text.replace(" ", "") + "====")
    assert crypto.public_key_of(private) == bytes(escrow.public_key)
    assert crypto.fingerprint(crypto.public_key_of(private)) == fingerprint
    assert key_text.replace(" ", "") not in str(list(EscrowKey.objects.values()))
    with pytest.raises(CommandError, match="already has an escrow key"):
        create_escrow("telecom-paris")
    assert EscrowKey.objects.filter(entity=school_a).count() == 1
    new_fingerprint, new_key = create_escrow("telecom-paris", "--replace")
    assert new_fingerprint != fingerprint and new_key != key_text
    assert EscrowKey.objects.get(fingerprint=fingerprint).retired_at is not None
    assert EscrowKey.objects.get(fingerprint=new_fingerprint).retired_at is None
    with pytest.raises(CommandError, match="No entity"):
        create_escrow("nowhere")


def test_escrow_open_gives_a_new_handler_the_reports_filed_under_the_key(
    referent_a: User, school_a: Entity, monkeypatch: Any
) -> None:
    give_key(referent_a)
    submit(Client(), school_a, submission_token="token-" + "b" * 30)  # before the escrow key existed
    _fingerprint, key_text = create_escrow("telecom-paris")
    submit(Client(), school_a, submission_token="token-" + "c" * 30)
    before, after = Report.objects.order_by("pk")
    assert not Wrap.objects.filter(envelope_id=before.envelope_id, kind="escrow").exists()
    assert Wrap.objects.filter(envelope_id=after.envelope_id, kind="escrow").exists()
    # Every holder is gone.
    Wrap.objects.filter(kind="handler").delete()
    assert handler_client(referent_a).get(u("cases:report", args=[after.reference])).status_code == 404
    newcomer = make_user("nora.newcomer@example.org", school_a, (Role.REFERENT_ECOUTE, school_a))
    with pytest.raises(CommandError, match="no personal key"):
        open_escrow(monkeypatch, "telecom-paris", newcomer.email, key_text)
    give_key(newcomer)
    # A wrong (well-formed) key grants nothing; a malformed one is refused.
    wrong_text = base64.b32encode(crypto.new_keypair()[1]).decode().rstrip("=")
    assert "0 report(s)" in open_escrow(monkeypatch, "telecom-paris", newcomer.email, wrong_text)
    assert not Wrap.objects.filter(user=newcomer).exists()
    with pytest.raises(CommandError, match="not an escrow private key"):
        open_escrow(monkeypatch, "telecom-paris", newcomer.email, "not a key at all")
    with pytest.raises(CommandError, match="not an escrow private key"):
        open_escrow(monkeypatch, "telecom-paris", newcomer.email, "ABCD EFGH")
    # The right key, typed with spaces and in lower case.
    output = open_escrow(monkeypatch, "telecom-paris", newcomer.email, key_text.lower())
    assert "1 report(s) of telecom-paris are now readable by nora.newcomer@example.org" in output
    assert list(Wrap.objects.filter(user=newcomer).values_list("envelope_id", flat=True)) == [after.envelope_id]
    grant = AuditEvent.objects.get(action="vault.escrow_grant")
    assert grant.object_id == after.reference and grant.reason == "all holders left (ticket 42)"
    assert grant.data == {"handler": newcomer.pk}
    client = handler_client(newcomer)
    page = client.get(u("cases:report", args=[after.reference]))
    assert page.status_code == 200 and f"{CANARY}-narrative" in page.content.decode()
    assert client.get(u("cases:report", args=[before.reference])).status_code == 404
    # Running it again adds nothing.
    assert "0 report(s)" in open_escrow(monkeypatch, "telecom-paris", newcomer.email, key_text)
    assert AuditEvent.objects.filter(action="vault.escrow_grant").count() == 1


def test_escrow_open_can_be_limited_to_some_reports(referent_a: User, school_a: Entity, monkeypatch: Any) -> None:
    give_key(referent_a)
    _fingerprint, key_text = create_escrow("telecom-paris")
    for letter in "de":
        submit(Client(), school_a, submission_token="token-" + letter * 30)
    first, second = Report.objects.order_by("pk")
    newcomer = make_user("nora.newcomer@example.org", school_a, (Role.REFERENT_ECOUTE, school_a))
    give_key(newcomer)
    output = open_escrow(monkeypatch, "telecom-paris", newcomer.email, key_text, "--reference", second.reference)
    assert "1 report(s)" in output
    assert list(Wrap.objects.filter(user=newcomer).values_list("envelope_id", flat=True)) == [second.envelope_id]
    assert not Wrap.objects.filter(user=newcomer, envelope_id=first.envelope_id).exists()


def test_a_retired_escrow_key_still_opens_the_reports_filed_under_it(
    referent_a: User, school_a: Entity, monkeypatch: Any
) -> None:
    give_key(referent_a)
    _fingerprint, old_key = create_escrow("telecom-paris")
    submit(Client(), school_a, submission_token="token-" + "f" * 30)
    _new_fingerprint, new_key = create_escrow("telecom-paris", "--replace")
    newcomer = make_user("nora.newcomer@example.org", school_a, (Role.REFERENT_ECOUTE, school_a))
    give_key(newcomer)
    assert "0 report(s)" in open_escrow(monkeypatch, "telecom-paris", newcomer.email, new_key)
    assert "1 report(s)" in open_escrow(monkeypatch, "telecom-paris", newcomer.email, old_key)
