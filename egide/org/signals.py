"""Signals of the organisation app: audit of Django admin changes, and password events for other apps."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import LogEntry
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from egide.core.audit import audit_record

# Sent with (request, user, password) when a person proves their password at sign-in or sets a
# new one while signed in: apps that protect keys with the password (the vault) listen; org does
# not need to know them.
password_verified = Signal()
password_changed = Signal()

_ACTIONS = {1: "admin.added", 2: "admin.changed", 3: "admin.deleted"}


@receiver(post_save, sender=LogEntry)
def audit_admin_change(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    content_type = instance.content_type
    audit_record(
        actor=instance.user,
        action=_ACTIONS.get(instance.action_flag, "admin.other"),
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=instance.object_id or "",
        data={"change": instance.get_change_message()[:500]},
    )
