"""Markers read by the staff access middleware: everything is closed unless a view says otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


def is_marked(view: object, name: str) -> bool:
    """Whether a view carries a marker (class-based views carry it on the class, function views on the function)."""
    return bool(getattr(view, name, False) or getattr(getattr(view, "view_class", None), name, False))


def public(view: F) -> F:
    """Reachable without signing in (help pages, sign-in, legal pages, the reporter side)."""
    view.egide_public = True  # type: ignore[attr-defined]
    return view


def signed_in_only(view: F) -> F:
    """Needs a signed-in account but not yet a verified second factor (2FA set-up and check, sign-out)."""
    view.egide_signed_in_only = True  # type: ignore[attr-defined]
    return view
