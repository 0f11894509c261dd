from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from egide.org.access import is_org_admin


def staff(request: HttpRequest) -> dict[str, Any]:
    """Navigation facts for staff pages (nothing for anonymous visitors, so public pages stay query-free)."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_is_admin": is_org_admin(user)}
