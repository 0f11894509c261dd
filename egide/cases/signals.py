"""Unlock a handler's key with the password they just proved, and keep it protected by the new
password when they change it (only when the key is protected by the password)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.http import HttpRequest

from egide.org.signals import password_changed, password_verified
from egide.vault.models import HandlerKey
from egide.vault.services import WrongSecret, handler_key_reprotect, handler_key_unlock
from egide.vault.session import staff_private_key, staff_unlock


@receiver(password_verified)
def unlock_at_sign_in(sender: Any, request: HttpRequest, user: Any, password: str, **kwargs: Any) -> None:
    key = HandlerKey.objects.filter(user=user, protection=HandlerKey.Protection.PASSWORD).first()
    if key is None:
        return
    try:
        staff_unlock(request, handler_key_unlock(key=key, secret=password))
    except WrongSecret:
        return  # the password changed by e-mail reset: the unlock page asks for the old one or the recovery code


@receiver(password_changed)
def reprotect_on_change(sender: Any, request: HttpRequest, user: Any, password: str, **kwargs: Any) -> None:
    key = HandlerKey.objects.filter(user=user, protection=HandlerKey.Protection.PASSWORD).first()
    private_key = staff_private_key(request)
    if key is None or private_key is None:
        return
    handler_key_reprotect(key=key, private_key=private_key, secret=password, protection=HandlerKey.Protection.PASSWORD)
