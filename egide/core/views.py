"""The pages a French public body must publish, linked from every footer."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from egide.core.accessibility import STATEMENT
from egide.core.decorators import public
from egide.core.i18n import page_language


def _prose(request: HttpRequest, name: str, context: dict[str, object] | None = None) -> HttpResponse:
    """Long legal texts are written per language rather than sentence by sentence in a catalog."""
    language = page_language()
    return render(request, f"core/{name}.{language}.html", {"publisher": settings.EGIDE_PUBLISHER, **(context or {})})


@public
@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    return _prose(request, "legal_notice")


@public
@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return _prose(request, "privacy_notice")


@public
@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return _prose(request, "accessibility", {"statement": STATEMENT})
