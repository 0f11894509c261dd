"""A handler without a personal key is asked to create one before anything else: until then they
receive no report. (The legal direction, HR and investigators create theirs when they first open the
cases pages: they need it only once someone gives them access to a case.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect

from egide.cases.access import is_handler
from egide.core.decorators import is_marked
from egide.org.access import user_requires_two_factor
from egide.vault.models import HandlerKey


class HandlerKeyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> HttpResponseBase | None:
        if any(is_marked(view_func, name) for name in ("egide_public", "egide_signed_in_only", "egide_key_setup")):
            return None
        user: Any = request.user
        if not user.is_authenticated or (user_requires_two_factor(user) and not user.is_verified()):
            return None
        if is_handler(user) and not HandlerKey.objects.filter(user=user).exists():
            return redirect("cases:key_setup")
        return None
