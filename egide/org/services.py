"""State changes of the organisation. Each is atomic and writes its own audit event."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from egide.core.audit import audit_record
from egide.org.models import Entity, Person, RoleGrant, User

ENTITY_FIELDS = (
    "name_fr",
    "name_en",
    "city",
    "website",
    "cell_address",
    "cell_email",
    "cell_phone",
    "cell_hours_fr",
    "cell_hours_en",
    "is_active",
)
PERSON_FIELDS = ("external_id", "first_name", "last_name", "email", "population", "entity", "language")


def _changed_fields(instance: Any, values: dict[str, Any], fields: tuple[str, ...]) -> list[str]:
    return [name for name in fields if name in values and getattr(instance, name) != values[name]]


@transaction.atomic
def entity_update(*, actor: User, entity: Entity, values: dict[str, Any]) -> list[str]:
    changed = _changed_fields(entity, values, ENTITY_FIELDS)
    for name in changed:
        setattr(entity, name, values[name])
    if changed:
        entity.save(update_fields=changed)
        audit_record(actor=actor, action="org.entity_updated", target=entity, data={"fields": changed})
    return changed


@transaction.atomic
def person_create(*, actor: User, values: dict[str, Any]) -> Person:
    person = Person(**{name: values[name] for name in PERSON_FIELDS if name in values})
    person.full_clean()
    person.save()
    audit_record(actor=actor, action="org.person_created", target=person, data={"entity": person.entity.code})
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, values: dict[str, Any]) -> list[str]:
    changed = _changed_fields(person, values, PERSON_FIELDS)
    for name in changed:
        setattr(person, name, values[name])
    if changed:
        person.full_clean()
        person.save()
        audit_record(actor=actor, action="org.person_updated", target=person, data={"fields": changed})
    return changed


@transaction.atomic
def grant_create(*, actor: User | None, values: dict[str, Any], reason: str = "") -> RoleGrant:
    grant = RoleGrant(created_by=actor, **values)
    grant.full_clean()
    grant.save()
    audit_record(
        actor=actor,
        action="org.grant_created",
        target=grant,
        reason=reason,
        data={"role": grant.role, "entity": grant.entity.code if grant.entity else "IMT", "person": grant.person_id},
    )
    return grant


@transaction.atomic
def grant_end(*, actor: User, grant: RoleGrant, reason: str) -> None:
    """End a grant now. Its history is kept; a grant that never took effect is cancelled."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    data = {"role": grant.role, "entity": grant.entity.code if grant.entity else "IMT", "person": grant.person_id}
    if grant.valid_from > yesterday:
        audit_record(actor=actor, action="org.grant_cancelled", target=grant, reason=reason, data=data)
        grant.delete()
        return
    if grant.valid_until is not None and grant.valid_until <= yesterday:
        return
    grant.valid_until = yesterday
    grant.save(update_fields=["valid_until"])
    audit_record(actor=actor, action="org.grant_ended", target=grant, reason=reason, data=data)


@transaction.atomic
def account_invite(*, actor: User, person: Person, base_url: str) -> User:
    """Create the sign-in account of a person and e-mail them a link to choose their password."""
    if not person.email:
        raise ValueError("no-email")
    if User.objects.filter(person=person).exists() or User.objects.filter(email__iexact=person.email).exists():
        raise ValueError("exists")
    user = User.objects.create_user(person.email, password=None, person=person)
    audit_record(actor=actor, action="org.account_created", target=user, data={"person": person.pk})
    transaction.on_commit(lambda: send_password_link(user=user, base_url=base_url, template="invitation"))
    return user


@transaction.atomic
def two_factor_reset(*, actor: User, account: User, reason: str) -> None:
    """Remove an account's authenticator and backup codes: it enrols again at its next sign-in."""
    TOTPDevice.objects.filter(user=account).delete()
    StaticDevice.objects.filter(user=account).delete()
    audit_record(actor=actor, action="auth.2fa_reset", target=account, reason=reason)


def send_password_link(*, user: User, base_url: str, template: str) -> None:
    """An e-mail with a one-time link to choose a password, in the person's language."""
    language = user.person.language if user.person else settings.LANGUAGE_CODE
    with translation.override(language):
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = base_url.rstrip("/") + reverse("org:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        context = {"link": link, "site_name": settings.EGIDE_SITE_NAME, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        subject = render_to_string(f"org/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"org/email/{template}.txt", context)
    send_mail(subject, body, None, [user.email])
