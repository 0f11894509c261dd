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
from django.utils import timezone

from egide.core.models import ThrottleCounter

MAX_WINDOW_SECONDS = 24 * 60 * 60


def _key(scope: str, identifier: str) -> str:
    message = f"{scope}\x00{identifier.strip().lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def throttle_is_blocked(*, scope: str, identifier: str, limit: int, window_seconds: int) -> bool:
    since = timezone.now() - datetime.timedelta(seconds=window_seconds)
    return ThrottleCounter.objects.filter(key=_key(scope, identifier), window_start__gte=since, failures__gte=limit).exists()


def throttle_count(*, scope: str, identifier: str, window_seconds: int) -> int:
    """How many events were counted in the current window (0 when none or when it is over)."""
    since = timezone.now() - datetime.timedelta(seconds=window_seconds)
    counter = ThrottleCounter.objects.filter(key=_key(scope, identifier), window_start__gte=since).first()
    return counter.failures if counter is not None else 0


def throttle_record_failure(*, scope: str, identifier: str, window_seconds: int) -> int:
    """Count one failure; returns the number of failures in the current window (a stale window restarts)."""
    if window_seconds > MAX_WINDOW_SECONDS:
        raise ValueError("Throttle windows are at most one day.")
    now = timezone.now()
    since = now - datetime.timedelta(seconds=window_seconds)
    with transaction.atomic():
        # Scopes have different windows: only counters older than any window can be dropped.
        ThrottleCounter.objects.filter(window_start__lt=now - datetime.timedelta(seconds=MAX_WINDOW_SECONDS)).delete()
        counter, created = ThrottleCounter.objects.select_for_update().get_or_create(
            key=_key(scope, identifier), defaults={"window_start": now, "failures": 1}
        )
        if not created:
            if counter.window_start < since:
                counter.window_start, counter.failures = now, 1
            else:
                counter.failures += 1
            counter.save(update_fields=["window_start", "failures"])
    return counter.failures


def throttle_reset(*, scope: str, identifier: str) -> None:
    ThrottleCounter.objects.filter(key=_key(scope, identifier)).delete()


def throttle_purge(*, older_than_seconds: int) -> int:
    """Drop counters whose window started before this age: once a window is over, nothing is kept."""
    since = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    deleted, _detail = ThrottleCounter.objects.filter(window_start__lt=since).delete()
    return deleted
