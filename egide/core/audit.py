"""The audit log: an append-only, hash-chained list of events, written by services (R56).

Each event's hash covers its content and the previous event's hash; the head row holds the
last hash and the count, so removing, altering or reordering any event (the last one included)
is detected by `verify_chain`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from egide.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _digest(
    *,
    created_at: datetime.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    reason: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [
            created_at.astimezone(datetime.UTC).isoformat(),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            reason,
            data,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _event_digest(event: AuditEvent) -> str:
    return _digest(
        created_at=event.created_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        reason=event.reason,
        data=event.data,
        prev_hash=event.prev_hash,
    )


def audit_record(
    *,
    actor: Any = None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `actor` is a user (or None for the system); `target` names the object.

    Never put content (narratives, messages, names of people involved) in `reason` or `data`.
    """
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    actor_label = str(getattr(actor, "email", "")) if actor_id is not None else ""
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
        event = AuditEvent(
            created_at=timezone.now(),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            reason=reason,
            data=data or {},
            prev_hash=head.last_hash,
        )
        event.hash = _event_digest(event)
        event.save()
        AuditHead.objects.filter(pk=1).update(last_hash=event.hash, count=models.F("count") + 1)
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    problem: str = ""


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("pk").iterator(chunk_size=2000)


def verify_chain() -> ChainReport:
    """Walk the chain from the start; report the first event whose link does not hold."""
    previous = GENESIS
    checked = 0
    for event in _events():
        if event.prev_hash != previous:
            return ChainReport(False, checked, event.pk, "previous-hash mismatch: an event before it was removed or changed")
        if _event_digest(event) != event.hash:
            return ChainReport(False, checked, event.pk, "hash mismatch: this event was altered")
        previous = event.hash
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    expected_last = head.last_hash if head else GENESIS
    expected_count = head.count if head else 0
    if previous != expected_last or checked != expected_count:
        return ChainReport(False, checked, None, "the chain ends early: the latest events were removed")
    return ChainReport(True, checked)
