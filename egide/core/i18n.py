"""The language of the page being served: French unless English was chosen."""

from __future__ import annotations

from django.utils.translation import get_language


def page_language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"
