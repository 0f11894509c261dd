"""Failure throttling without storing what is counted.

Counters are keyed by an HMAC of (scope, identifier) under the secret key, so the table holds
neither e-mail addresses nor IP addresses, and a counter disappears once its window is over.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from egide.core.models import ThrottleCounter


def _key(scope: str, identifier: str) -> str:
    message = f"{scope}\x00{identifier.strip().lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def throttle_is_blocked(*, scope: str, identifier: str, limit: int, window_seconds: int) -> bool:
    since = timezone.now() - datetime.timedelta(seconds=window_seconds)
    return ThrottleCounter.objects.filter(key=_key(scope, identifier), window_start__gte=since, failures__gte=limit).exists()


def throttle_record_failure(*, scope: str, identifier: str, window_seconds: int) -> int:
    """Count one failure; returns the number of failures in the current window."""
    now = timezone.now()
    since = now - datetime.timedelta(seconds=window_seconds)
    key = _key(scope, identifier)
    with transaction.atomic():
        ThrottleCounter.objects.filter(window_start__lt=since).delete()
        counter, created = ThrottleCounter.objects.select_for_update().get_or_create(
            key=key, defaults={"window_start": now, "failures": 1}
        )
        if not created:
            ThrottleCounter.objects.filter(pk=counter.pk).update(failures=F("failures") + 1)
            counter.refresh_from_db()
    return counter.failures


def throttle_reset(*, scope: str, identifier: str) -> None:
    ThrottleCounter.objects.filter(key=_key(scope, identifier)).delete()
