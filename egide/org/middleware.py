"""Deny by default: every view needs a signed-in account, and a verified second factor where the
account's roles require one, unless the view is marked public (see egide.core.decorators)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from egide.core.decorators import is_marked
from egide.org.access import user_requires_two_factor


class StaffAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> HttpResponseBase | None:
        if is_marked(view_func, "egide_public"):
            return None
        user: Any = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if is_marked(view_func, "egide_signed_in_only"):
            return None
        if user_requires_two_factor(user) and not user.is_verified():
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            target = "org:otp_verify" if has_device else "org:otp_setup"
            url = reverse(target)
            if request.method == "GET":
                url += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(url)
        return None
