"""Staff pages of the communication kit (R-COM-2): each entity's poster and flyer, to download and print.

No marker from egide.core.decorators: like every staff page, these need a signed-in account and, where
the account's roles require it, a verified second factor (the access middleware denies by default).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from egide.kb import kit as communication_kit
from egide.org.models import Entity
from egide.org.selectors import public_contacts_of

KIND_LABELS = {"poster": _("Poster (A4)"), "flyer": _("Flyer (A6)")}


def _public_entity(code: str) -> Entity:
    """An active entity: the only ones with a public help page for the QR code to point to."""
    entity = Entity.objects.filter(code=code, is_active=True).first()
    if entity is None:
        raise Http404
    return entity


@require_safe
def kit(request: HttpRequest, code: str, *, unavailable: bool = False) -> HttpResponse:
    entity = _public_entity(code)
    documents = [
        {
            "kind": KIND_LABELS[kind],
            "language": get_language_info(language)["name_translated"],
            "href": reverse("kb:kit_pdf", kwargs={"code": code, "kind": kind, "language": language}),
        }
        for kind in communication_kit.KINDS
        for language in communication_kit.LANGUAGES
    ]
    context = {
        "item": public_contacts_of(pk=entity.pk),
        "documents": documents,
        "urls": [communication_kit.help_url(entity, language) for language in communication_kit.LANGUAGES],
        "flyer_referents": communication_kit.REFERENTS_SHOWN["flyer"],
        "poster_referents": communication_kit.REFERENTS_SHOWN["poster"],
        "unavailable": unavailable,
    }
    return render(request, "kb/kit/kit.html", context, status=503 if unavailable else 200)


@require_safe
def kit_pdf(request: HttpRequest, code: str, kind: str, language: str) -> HttpResponse:
    if kind not in communication_kit.KINDS or language not in communication_kit.LANGUAGES:
        raise Http404
    entity = _public_entity(code)
    try:
        pdf = communication_kit.kit_pdf(entity, kind, language)
    except communication_kit.KitUnavailable:
        return kit(request, code, unavailable=True)
    filename = f"egide-{entity.code}-{kind}-{language}.pdf"
    return HttpResponse(
        pdf, content_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
