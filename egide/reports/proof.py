"""A small proof of work bound to one submission token, computed by the page's script.

The challenge is `<issued-at>.<signature>`, where the signature binds it to the form's random
token; the token can be used for one report only, so one solved challenge buys one submission.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings

MAX_AGE_SECONDS = 6 * 60 * 60


def _signature(token: str, issued: int) -> str:
    message = f"pow\x00{token}\x00{issued}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def new_challenge(token: str, *, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    return f"{issued}.{_signature(token, issued)}"


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


def is_solved(*, token: str, challenge: str, nonce: str, now: float | None = None) -> bool:
    issued_text, _dot, signature = challenge.partition(".")
    if not issued_text.isdigit() or not nonce.isdigit() or len(nonce) > 20:
        return False
    issued = int(issued_text)
    current = now if now is not None else time.time()
    if not (0 <= current - issued <= MAX_AGE_SECONDS) or not hmac.compare_digest(signature, _signature(token, issued)):
        return False
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    return leading_zero_bits(digest) >= settings.EGIDE_REPORT_POW_BITS
