from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from egide.cases.access import is_case_worker
from egide.org.access import user_roles
from egide.org.roles import Role


def handler(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    return {"nav_is_handler": is_case_worker(user), "nav_is_dpo": Role.DPO in roles, "nav_is_legal": Role.LEGAL in roles}
