"""The communication kit (R-COM-2): each entity's poster (A4) and flyer (A6) as PDF, in French and
in English, made from the référent network so that it is never typed twice.

Nothing is fetched while rendering: the PDF is made from the HTML string alone, with system fonts,
and a URL fetcher that refuses every URL, so a template mistake cannot reach the network or a file.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any, NoReturn

import qrcode
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from qrcode.image.svg import SvgPathImage

from egide.org.help import HELP_NUMBERS
from egide.org.models import Entity
from egide.org.selectors import EntityContacts, public_contacts_of

KINDS = ("poster", "flyer")
LANGUAGES = ("fr", "en")
CACHE_SECONDS = 24 * 60 * 60
# A flyer or a poster must stay one readable page: beyond this, the others are on the help page.
REFERENTS_SHOWN = {"poster": 6, "flyer": 2}


def help_url(entity: Entity, language: str) -> str:
    """The entity's public help page, absolute, in `language`: the target of the QR code."""
    with translation.override(language):
        return settings.EGIDE_BASE_URL + reverse("kb:contacts", kwargs={"code": entity.code})


def qr_svg(url: str) -> str:
    """The QR code of `url` as an inline SVG element (one path, black on white, with its quiet zone)."""
    image = qrcode.make(url, image_factory=SvgPathImage, error_correction=qrcode.ERROR_CORRECT_M)
    svg: str = image.to_string(encoding="unicode")
    return svg


def kit_html(item: EntityContacts, kind: str, language: str, *, shown: int | None = None) -> str:
    """The HTML of one kit item, listing the first `shown` référents (by default as many as the kind holds)."""
    if kind not in KINDS or language not in LANGUAGES:
        raise ValueError(f"No {kind!r} kit in {language!r}.")
    shown = REFERENTS_SHOWN[kind] if shown is None else shown
    with translation.override(language):
        url = help_url(item.entity, language)
        context: dict[str, Any] = {
            "language": language,
            "item": item,
            "address_lines": [line.strip() for line in item.entity.cell_address.splitlines() if line.strip()],
            "referents": item.referents[:shown],
            "referents_not_shown": max(len(item.referents) - shown, 0),
            "emergency": [number for number in HELP_NUMBERS if number.emergency],
            "helplines": [number for number in HELP_NUMBERS if not number.emergency],
            "url": url,
            "qr_svg": qr_svg(url),
        }
        return render_to_string(f"kb/kit/{kind}.html", context)


def kit_pdf(entity: Entity, kind: str, language: str) -> bytes:
    """The PDF of one kit item; cached by the digest of its HTML, so any change of data makes a new one."""
    item = public_contacts_of(pk=entity.pk)
    if item is None:
        raise ValueError(f"The entity {entity.code!r} is not shown publicly.")
    html = kit_html(item, kind, language)
    key = "egide:kb:kit:" + hashlib.sha256(html.encode()).hexdigest()
    pdf: bytes | None = cache.get(key)
    if pdf is None:
        pdf = _one_page_pdf(item, kind, language, html)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def _one_page_pdf(item: EntityContacts, kind: str, language: str, html: str) -> bytes:
    """One page even for long data: list fewer référents (the help page behind the QR code lists them all)."""
    shown = min(len(item.referents), REFERENTS_SHOWN[kind])
    document = _layout(html)
    while len(document.pages) > 1 and shown > 0:
        shown -= 1
        document = _layout(kit_html(item, kind, language, shown=shown))
    pdf: bytes = document.write_pdf()
    return pdf


def render_pdf(html: str) -> bytes:
    pdf: bytes = _layout(html).write_pdf()
    return pdf


class KitUnavailable(Exception):
    """This server cannot make PDFs (WeasyPrint needs Debian's Pango, see the Makefile)."""


def _layout(html: str) -> Any:
    # Imported here: a machine without pango must still start the site.
    try:
        import weasyprint  # type: ignore[import-untyped]
    except OSError as error:  # the Pango library could not be loaded
        raise KitUnavailable(str(error)) from error

    return weasyprint.HTML(string=html, url_fetcher=_refusing_fetcher_class()()).render()


@functools.cache
def _refusing_fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class RefusingFetcher(URLFetcher):
        """Refuses every URL: WeasyPrint logs the refusal and renders without the resource."""

        def fetch(self, url: str, headers: object = None) -> NoReturn:
            raise ValueError(f"The communication kit fetches nothing ({url}).")

    return RefusingFetcher
