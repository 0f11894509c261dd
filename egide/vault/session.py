"""An unlocked private key for the length of a session, split between server and browser.

The server-side store (the staff session, or the reporter's follow-up session row) holds the key
encrypted; the key that decrypts it lives only in an HttpOnly cookie. A copy of the session store
or of the cookie alone reveals nothing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from egide.vault import crypto

STAFF_SESSION_KEY = "egide_vault_sealed"
_CONTEXT = "session-slot"


def seal_for_cookie(secret: bytes) -> tuple[bytes, str]:
    """(ciphertext for the server store, value for the cookie)."""
    key = crypto.new_key()
    return crypto.encrypt(key, secret, context=_CONTEXT), base64.urlsafe_b64encode(key).decode()


def open_from_cookie(sealed: crypto.Blob, cookie_value: str) -> bytes | None:
    try:
        key = base64.urlsafe_b64decode(cookie_value.encode())
        return crypto.decrypt(key, bytes(sealed), context=_CONTEXT) if len(key) == crypto.KEY_BYTES else None
    except (binascii.Error, ValueError, crypto.DecryptionError):
        return None


def staff_unlock(request: HttpRequest, private_key: bytes) -> None:
    sealed, cookie_value = seal_for_cookie(private_key)
    request.session[STAFF_SESSION_KEY] = base64.b64encode(sealed).decode()
    request._egide_vault_cookie = cookie_value  # type: ignore[attr-defined]  # set on the response by the middleware


def staff_private_key(request: HttpRequest) -> bytes | None:
    sealed = request.session.get(STAFF_SESSION_KEY)
    cookie_value = getattr(request, "_egide_vault_cookie", None) or request.COOKIES.get(settings.EGIDE_VAULT_COOKIE_NAME)
    if not sealed or not cookie_value:
        return None
    return open_from_cookie(base64.b64decode(sealed), cookie_value)


def staff_lock(request: HttpRequest) -> None:
    request.session.pop(STAFF_SESSION_KEY, None)
    request._egide_vault_cookie = ""  # type: ignore[attr-defined]


class VaultCookieMiddleware:
    """Sets or clears the staff vault cookie decided during the request; clears it once signed out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        name = settings.EGIDE_VAULT_COOKIE_NAME
        value = getattr(request, "_egide_vault_cookie", None)
        if value:
            response.set_cookie(name, value, httponly=True, secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        elif name in request.COOKIES and (value == "" or not request.session.get(STAFF_SESSION_KEY)):
            response.delete_cookie(name, samesite="Lax")
        return response
