"""Reports as stored: only what indicators and deadlines need is in clear (entity, coarse
categories, reporter population and role, month, channel, status, deadlines); everything a person
wrote or that could identify anyone is in `content`, encrypted with the report's data key.

No row of a report keeps the exact time of what the reporter did (only days and months): the
exact times are inside the ciphertexts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from egide.cases.choices import ClosureReason, LegalHold, Orientation, Retention
from egide.reports.choices import OPEN_STATUSES, Author, Channel, Mode, ReporterRole, Status


class Report(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    entity = models.ForeignKey("org.Entity", on_delete=models.PROTECT, related_name="reports")
    mode = models.CharField(max_length=20, choices=Mode.choices)
    reporter_role = models.CharField(max_length=20, choices=ReporterRole.choices)
    population = models.CharField(max_length=30)
    categories = models.CharField(max_length=300, blank=True)  # comma-separated Category values
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_month = models.DateField()
    ack_due = models.DateField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    proof_of_work = models.BooleanField(default=False)
    pooled = models.BooleanField(default=False)  # also sent to the IMT-level unit: no handler of the entity had a key
    envelope = models.OneToOneField("vault.Envelope", on_delete=models.PROTECT, related_name="report")
    receipt = models.OneToOneField("vault.Receipt", null=True, blank=True, on_delete=models.SET_NULL, related_name="report")
    content = models.BinaryField()
    submission_digest = models.CharField(max_length=64, unique=True)
    # Lets a repeated submission (double click) show the same acknowledgement and code again for a
    # few minutes; sealed under a key derived from the form's token, which the server does not keep.
    replay_box = models.BinaryField(null=True, blank=True)
    # Rounded up to a quarter of an hour; indexed: every submission purges the expired boxes.
    replay_until = models.DateTimeField(null=True, blank=True, db_index=True)
    set_aside_at = models.DateTimeField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)  # the reporter's act: the day only
    # Case handling (egide.cases): what the inbox sorts on and what the closure and retention rules check.
    next_due = models.DateField(null=True, blank=True)  # the earliest open deadline, kept by cases.services
    next_due_kind = models.CharField(max_length=30, blank=True)  # which deadline next_due is
    feedback_due = models.DateField(null=True, blank=True)  # R17: 3 months after the acknowledgement
    feedback_on = models.DateField(null=True, blank=True)
    support_decision = models.CharField(max_length=20, blank=True, choices=Orientation.choices)  # R1
    authority_decision = models.CharField(max_length=20, blank=True, choices=Orientation.choices)
    facts_established = models.BooleanField(default=False)  # R19: the targeted person's identity may then be shared
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, blank=True, choices=ClosureReason.choices)  # R18
    retention_state = models.CharField(max_length=20, default=Retention.ACTIVE, choices=Retention.choices)  # R31
    retention_until = models.DateField(null=True, blank=True)
    legal_hold = models.CharField(max_length=20, blank=True, choices=LegalHold.choices)  # while proceedings run

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["entity", "status"]),
            models.Index(fields=["entity", "next_due"]),
            models.Index(fields=["retention_state", "retention_until"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def category_list(self) -> list[str]:
        return [value for value in self.categories.split(",") if value]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_shredded(self) -> bool:
        return self.retention_state == "shredded"


class Message(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # bound into the ciphertext
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=20, choices=Author.choices)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Only the day in clear: the exact time of a reporter's message, matched with a network log,
    # could point at them. The exact time is inside the encrypted body.
    created_on = models.DateField(default=timezone.localdate)
    body = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"message #{self.pk}"


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    author = models.CharField(max_length=20, choices=Author.choices)
    blob = models.CharField(max_length=100, unique=True)  # storage name: random, says nothing
    size = models.PositiveBigIntegerField()
    meta = models.BinaryField()  # encrypted: name, type, what was removed

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"attachment #{self.pk}"


class FollowUpSession(models.Model):
    """A reporter signed in with their code: the receipt's private key, sealed under a cookie key."""

    digest = models.CharField(max_length=64, unique=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    sealed_key = models.BinaryField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"follow-up session #{self.pk}"
