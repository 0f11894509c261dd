"""Key life cycles: handler keys, escrow keys, envelopes (data keys and their wraps), receipts.

The callers (reports, cases) pass private keys they obtained from a session or a code; this module
never stores one in clear.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from egide.core.audit import audit_record
from egide.org.models import Entity, EntityKind
from egide.vault import crypto
from egide.vault.models import Envelope, EscrowKey, HandlerKey, Receipt, Wrap

_HANDLER_CONTEXT = "handler-key"
_RECOVERY_CONTEXT = "handler-key-recovery"
_RECEIPT_CONTEXT = "receipt-key"


class WrongSecret(Exception):
    """The passphrase, password, recovery code or follow-up code does not open the key."""


class NoAccess(Exception):
    """This holder has no wrap on the envelope (or it no longer opens)."""


# --- Handler keys -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewHandlerKey:
    private_key: bytes
    recovery_code: str


def handler_key_create(*, user: Any, secret: str, protection: str) -> NewHandlerKey:
    public, private = crypto.new_keypair()
    recovery_code = crypto.new_code()
    with transaction.atomic():
        HandlerKey.objects.create(
            user=user,
            public_key=public,
            protected_private_key=crypto.protect(private, secret, context=_HANDLER_CONTEXT),
            protection=protection,
            recovery_private_key=crypto.protect(private, recovery_code, context=_RECOVERY_CONTEXT),
        )
        audit_record(actor=user, action="vault.handler_key_created", target=user, data={"protection": protection})
    return NewHandlerKey(private_key=private, recovery_code=recovery_code)


def handler_key_unlock(*, key: HandlerKey, secret: str) -> bytes:
    try:
        return crypto.unprotect(key.protected_private_key, secret, context=_HANDLER_CONTEXT)
    except crypto.DecryptionError as error:
        raise WrongSecret from error


def handler_key_recover(*, key: HandlerKey, recovery_code: str, secret: str, protection: str) -> NewHandlerKey:
    """Open the key with the recovery code, then protect it anew (a fresh recovery code replaces the used one)."""
    code = crypto.normalise_code(recovery_code)
    if code is None:
        raise WrongSecret
    try:
        private = crypto.unprotect(key.recovery_private_key, code, context=_RECOVERY_CONTEXT)
    except crypto.DecryptionError as error:
        raise WrongSecret from error
    new_code = crypto.new_code()
    with transaction.atomic():
        key.protected_private_key = crypto.protect(private, secret, context=_HANDLER_CONTEXT)
        key.protection = protection
        key.recovery_private_key = crypto.protect(private, new_code, context=_RECOVERY_CONTEXT)
        key.save(update_fields=["protected_private_key", "protection", "recovery_private_key", "updated_at"])
        audit_record(actor=key.user, action="vault.handler_key_recovered", target=key.user)
    return NewHandlerKey(private_key=private, recovery_code=new_code)


def handler_key_reprotect(*, key: HandlerKey, private_key: bytes, secret: str, protection: str) -> None:
    """Protect an unlocked key with a new password or passphrase (after a password change)."""
    with transaction.atomic():
        key.protected_private_key = crypto.protect(private_key, secret, context=_HANDLER_CONTEXT)
        key.protection = protection
        key.save(update_fields=["protected_private_key", "protection", "updated_at"])
        audit_record(actor=key.user, action="vault.handler_key_reprotected", target=key.user, data={"protection": protection})


# --- Escrow -------------------------------------------------------------------------------------


def escrow_key_create(*, entity: Entity) -> tuple[EscrowKey, bytes]:
    """A new escrow key pair for the entity: the public half is stored, the private half returned once."""
    public, private = crypto.new_keypair()
    with transaction.atomic():
        EscrowKey.objects.filter(entity=entity, retired_at__isnull=True).update(retired_at=timezone.now())
        escrow = EscrowKey.objects.create(entity=entity, public_key=public, fingerprint=crypto.fingerprint(public))
        audit_record(action="vault.escrow_key_created", target=entity, data={"fingerprint": escrow.fingerprint})
    return escrow, private


def escrow_key_for(entity: Entity) -> EscrowKey | None:
    """The entity's current escrow key, else the nearest parent's, else the head office's."""
    current: Entity | None = entity
    while current is not None:
        escrow = EscrowKey.objects.filter(entity=current, retired_at__isnull=True).first()
        if escrow is not None:
            return escrow
        current = current.parent
    return EscrowKey.objects.filter(entity__kind=EntityKind.HEAD_OFFICE, retired_at__isnull=True).first()


# --- Receipts (the reporter's side) -------------------------------------------------------------


@dataclass(frozen=True)
class PreparedReceipt:
    """A new follow-up code and its keys, derived before the transaction that stores the report."""

    code: str
    kdf: str
    lookup: bytes
    public_key: bytes
    protected_private_key: bytes


def receipt_prepare() -> PreparedReceipt:
    code = crypto.new_code()
    params = crypto.KdfParams.current()
    lookup, kek = crypto.code_keys(code, params)
    public, private = crypto.new_keypair()
    protected = crypto.encrypt(kek, private, context=_RECEIPT_CONTEXT)
    return PreparedReceipt(code=code, kdf=params.label, lookup=lookup, public_key=public, protected_private_key=protected)


def receipt_save(prepared: PreparedReceipt) -> Receipt:
    return Receipt.objects.create(
        lookup=prepared.lookup,
        kdf=prepared.kdf,
        public_key=prepared.public_key,
        protected_private_key=prepared.protected_private_key,
    )


def receipt_open(code_text: str) -> tuple[Receipt, bytes]:
    """The receipt and its private key for a follow-up code as typed; WrongSecret otherwise."""
    code = crypto.normalise_code(code_text)
    if code is None:
        raise WrongSecret
    # Usually one parameter set: a code is derived once per set in use (after a settings change, two).
    labels = list(Receipt.objects.order_by().values_list("kdf", flat=True).distinct()) or [crypto.KdfParams.current().label]
    for label in labels:
        lookup, kek = crypto.code_keys(code, crypto.KdfParams.from_label(label))
        receipt = Receipt.objects.filter(lookup=lookup, kdf=label).first()
        if receipt is not None:
            try:
                return receipt, crypto.decrypt(kek, receipt.protected_private_key, context=_RECEIPT_CONTEXT)
            except crypto.DecryptionError as error:
                raise WrongSecret from error
    raise WrongSecret


# --- Envelopes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipients:
    handlers: list[Any]
    escrow: EscrowKey | None
    receipt: Receipt | None


def envelope_create(*, recipients: Recipients, data_key: bytes) -> tuple[Envelope, bytes]:
    """The data key wrapped to every recipient (each handler must have a key)."""
    envelope = Envelope.objects.create()
    wraps = [
        Wrap(envelope=envelope, kind=Wrap.Kind.HANDLER, user=user, sealed_key=crypto.wrap(data_key, user.vault_key.public_key))
        for user in recipients.handlers
    ]
    if recipients.escrow is not None:
        escrow = recipients.escrow
        wraps.append(
            Wrap(envelope=envelope, kind=Wrap.Kind.ESCROW, escrow=escrow, sealed_key=crypto.wrap(data_key, escrow.public_key))
        )
    if recipients.receipt is not None:
        receipt = recipients.receipt
        wraps.append(
            Wrap(
                envelope=envelope, kind=Wrap.Kind.REPORTER, receipt=receipt, sealed_key=crypto.wrap(data_key, receipt.public_key)
            )
        )
    Wrap.objects.bulk_create(wraps)
    return envelope, data_key


def envelope_open_for_user(*, envelope_id: int, user: Any, private_key: bytes) -> bytes:
    wrap = Wrap.objects.filter(envelope_id=envelope_id, user=user, kind=Wrap.Kind.HANDLER).first()
    if wrap is None:
        raise NoAccess
    try:
        return crypto.unwrap(wrap.sealed_key, private_key)
    except crypto.DecryptionError as error:
        raise NoAccess from error


def envelope_keys_for_user(*, envelope_ids: Iterable[int], user: Any, private_key: bytes) -> dict[int, bytes]:
    """The data keys of many envelopes at once (one query), for the ones this handler holds."""
    wraps = Wrap.objects.filter(envelope_id__in=list(envelope_ids), user=user, kind=Wrap.Kind.HANDLER)
    keys = {}
    for wrap in wraps:
        try:
            keys[wrap.envelope_id] = crypto.unwrap(wrap.sealed_key, private_key)
        except crypto.DecryptionError:
            continue
    return keys


def envelope_open_for_receipt(*, envelope_id: int, receipt: Receipt, private_key: bytes) -> bytes:
    wrap = Wrap.objects.filter(envelope_id=envelope_id, receipt=receipt).first()
    if wrap is None:
        raise NoAccess
    try:
        return crypto.unwrap(wrap.sealed_key, private_key)
    except crypto.DecryptionError as error:
        raise NoAccess from error


def envelope_open_with_escrow(*, envelope_id: int, escrow_private_key: bytes) -> bytes:
    public = crypto.public_key_of(escrow_private_key)
    for wrap in Wrap.objects.filter(envelope_id=envelope_id, kind=Wrap.Kind.ESCROW).select_related("escrow"):
        if wrap.escrow is not None and crypto.constant_time_equal(bytes(wrap.escrow.public_key), public):
            return crypto.unwrap(wrap.sealed_key, escrow_private_key)
    raise NoAccess


def envelope_grant(*, envelope_id: int, data_key: bytes, users: Iterable[Any]) -> int:
    """Wrap an opened data key for more handlers (each must have a key); returns how many were added."""
    existing = set(Wrap.objects.filter(envelope_id=envelope_id, user__isnull=False).values_list("user_id", flat=True))
    wraps = [
        Wrap(
            envelope_id=envelope_id,
            kind=Wrap.Kind.HANDLER,
            user=user,
            sealed_key=crypto.wrap(data_key, user.vault_key.public_key),
        )
        for user in users
        if user.pk not in existing
    ]
    Wrap.objects.bulk_create(wraps)
    return len(wraps)


def envelope_shred(*, envelope_id: int) -> None:
    """Crypto-shredding: every wrap of the data key goes (handlers, reporter, escrow), so nothing that was
    encrypted with it can be read again, by anyone."""
    Wrap.objects.filter(envelope_id=envelope_id).delete()
    Envelope.objects.filter(pk=envelope_id).update(shredded_at=timezone.now())
