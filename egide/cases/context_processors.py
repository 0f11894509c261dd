from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from egide.cases.access import is_case_worker


def handler(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_is_handler": is_case_worker(user)}
