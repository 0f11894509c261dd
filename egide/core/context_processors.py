from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language_info

from egide.core.accessibility import STATEMENT


def site(request: HttpRequest) -> dict[str, Any]:
    """What the layout needs on every page: names, quick exit, language switch, accessibility status."""
    path = request.get_full_path()
    language_links = [
        {"code": code, "name": get_language_info(code)["name_local"], "url": translate_url(path, code)}
        for code, _name in settings.LANGUAGES
    ]
    return {
        "site_name": settings.EGIDE_SITE_NAME,
        "quick_exit_url": settings.EGIDE_QUICK_EXIT_URL,
        "language_links": language_links,
        "accessibility": STATEMENT,
    }
