"""Keys and envelopes. Nothing here is readable without a private key that the server never keeps
in clear: handler keys are protected by a passphrase, escrow keys are kept offline, reporter keys
are protected by the follow-up code."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HandlerKey(models.Model):
    class Protection(models.TextChoices):
        PASSWORD = "password", _("my sign-in password")
        PASSPHRASE = "passphrase", _("a separate vault passphrase")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_key")
    public_key = models.BinaryField()
    protected_private_key = models.BinaryField()
    protection = models.CharField(max_length=20, choices=Protection.choices)
    recovery_private_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"handler key #{self.pk}"


class EscrowKey(models.Model):
    """An entity's recovery key: the public half only; the private half is printed once and kept offline."""

    entity = models.ForeignKey("org.Entity", on_delete=models.PROTECT, related_name="escrow_keys")
    public_key = models.BinaryField()
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"escrow key {self.fingerprint}"


class Receipt(models.Model):
    """What a reporter's follow-up code opens: found by a derived lookup value, never by the code."""

    lookup = models.BinaryField(unique=True)
    kdf = models.CharField(max_length=40)
    public_key = models.BinaryField()
    protected_private_key = models.BinaryField()

    def __str__(self) -> str:
        return f"receipt #{self.pk}"


class Envelope(models.Model):
    """The holders of one data key (a report and everything attached to it). No creation time: it
    would be the exact time of a report."""

    shredded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"envelope #{self.pk}"


class Wrap(models.Model):
    class Kind(models.TextChoices):
        HANDLER = "handler", _("Handler")
        REPORTER = "reporter", _("Reporter")
        ESCROW = "escrow", _("Escrow")

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="wraps")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.CASCADE, related_name="wraps")
    escrow = models.ForeignKey(EscrowKey, null=True, blank=True, on_delete=models.PROTECT, related_name="wraps")
    sealed_key = models.BinaryField()  # when a holder was added is in the audit log, not here

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["envelope", "user"], name="vault_wrap_one_per_user"),
            models.UniqueConstraint(fields=["envelope", "receipt"], name="vault_wrap_one_per_receipt"),
        ]
        indexes = [models.Index(fields=["user", "envelope"])]

    def __str__(self) -> str:
        return f"{self.kind} wrap #{self.pk}"
