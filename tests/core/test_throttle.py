"""Failure counters: per scope and identifier, windowed, and never holding what they count."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from egide.core.models import ThrottleCounter
from egide.core.throttle import throttle_is_blocked, throttle_record_failure, throttle_reset

LIMITS = {"limit": 3, "window_seconds": 900}


def _fail(scope: str, identifier: str, window: int = 900) -> int:
    return throttle_record_failure(scope=scope, identifier=identifier, window_seconds=window)


def test_blocks_after_the_limit_and_reset_clears(db: Any) -> None:
    for _attempt in range(3):
        _fail("login", "a@example.org")
    assert throttle_is_blocked(scope="login", identifier="A@example.org ", **LIMITS)
    assert not throttle_is_blocked(scope="otp", identifier="a@example.org", **LIMITS)
    throttle_reset(scope="login", identifier="a@example.org")
    assert not throttle_is_blocked(scope="login", identifier="a@example.org", **LIMITS)


def test_a_stale_window_restarts_instead_of_disabling_the_throttle(db: Any) -> None:
    _fail("login", "a@example.org")
    ThrottleCounter.objects.update(window_start=timezone.now() - datetime.timedelta(hours=1), failures=2)
    assert _fail("login", "a@example.org") == 1
    _fail("login", "a@example.org")
    _fail("login", "a@example.org")
    assert throttle_is_blocked(scope="login", identifier="a@example.org", **LIMITS)


def test_a_short_window_does_not_purge_a_longer_one(db: Any) -> None:
    for _attempt in range(3):
        _fail("reset", "a@example.org", window=3600)
    ThrottleCounter.objects.update(window_start=timezone.now() - datetime.timedelta(minutes=30))
    _fail("login", "b@example.org")  # its 15-minute window must not drop the hour-long counter
    assert throttle_is_blocked(scope="reset", identifier="a@example.org", limit=3, window_seconds=3600)
