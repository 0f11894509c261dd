"""A small proof of work bound to one submission token, computed by the page's script.

The challenge is `<issued-at>.<bits>.<signature>`, where the signature binds the time and the
difficulty to the form's random token; the token can be used for one report only, so one solved
challenge buys one submission. During a flood the difficulty asked of new pages goes up.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings

MAX_AGE_SECONDS = 6 * 60 * 60


def _signature(token: str, issued: int, bits: int) -> str:
    message = f"pow\x00{token}\x00{issued}\x00{bits}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def new_challenge(token: str, *, bits: int | None = None, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    difficulty = settings.EGIDE_REPORT_POW_BITS if bits is None else bits
    return f"{issued}.{difficulty}.{_signature(token, issued, difficulty)}"


def challenge_bits(challenge: str) -> int:
    parts = challenge.split(".")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def solve(challenge: str, bits: int) -> str:
    """What the page's script does (used by benchmarks and tests)."""
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


def is_solved(*, token: str, challenge: str, nonce: str, at_least: int | None = None, now: float | None = None) -> bool:
    """Whether the nonce solves this form's challenge, at no less than `at_least` bits (default: the setting)."""
    parts = challenge.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts[:2]) or not nonce.isdigit() or len(nonce) > 20:
        return False
    issued, bits, signature = int(parts[0]), int(parts[1]), parts[2]
    current = now if now is not None else time.time()
    if not (0 <= current - issued <= MAX_AGE_SECONDS) or not hmac.compare_digest(signature, _signature(token, issued, bits)):
        return False
    if bits < (settings.EGIDE_REPORT_POW_BITS if at_least is None else at_least):
        return False
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    return leading_zero_bits(digest) >= bits
