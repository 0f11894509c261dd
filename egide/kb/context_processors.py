from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from egide.kb.articles import can_edit
from egide.kb.directory import readable_directories


def editor(request: HttpRequest) -> dict[str, Any]:
    """Whether the staff navigation offers the help content editor (nothing for anonymous visitors)."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_can_edit_help": can_edit(user), "nav_directories": bool(readable_directories(user))}
