"""The communication kit (R-COM-2): each entity's poster and flyer, made from the référent network,
one page each, fetching nothing; for signed-in staff only. Few PDFs are rendered: each takes ~0.3 s."""

from __future__ import annotations

import io
import logging
import re
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pikepdf
import pytest
import qrcode
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from egide.kb import kit
from egide.org.models import Entity, User
from egide.org.roles import Role
from egide.org.selectors import public_contacts_of
from tests.conftest import SCHOOL_A, make_user

ClientFor = Callable[[User], Client]
PAGE_SIZES = {"poster": (595, 842), "flyer": (298, 420)}
PHONE = "01 23 45 67 89"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(school_a: Entity, referent_a: User) -> Entity:
    """School A with a listening cell phone and e-mail, and three public référents (Rachel listed first)."""
    Entity.objects.filter(pk=school_a.pk).update(cell_phone=PHONE, cell_email="ecoute@telecom-paris.example")
    make_user("sacha.signalement@example.org", school_a, (Role.REFERENT_SIGNALEMENT, school_a), is_public=True)
    make_user("sofia.etudiante@example.org", school_a, (Role.STUDENT_REFERENT, school_a), is_public=True)
    school_a.refresh_from_db()
    return school_a


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of each WeasyPrint layout, in order."""
    seen: list[str] = []
    layout = kit._layout

    def spy(html: str) -> Any:
        seen.append(html)
        return layout(html)

    monkeypatch.setattr(kit, "_layout", spy)
    return seen


def _to_unicode(font: Any) -> dict[int, str]:
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    table: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for source, target in re.findall(r"<(\w+)>\s*<(\w+)>", block):
            table[int(source, 16)] = bytes.fromhex(target).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for low, high, target in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                table[int(low, 16) + offset] = chr(int(target, 16) + offset)
    return table


def pdf_text(page: Any) -> tuple[str, list[float]]:
    """The text of a page, one line per text run, and its font sizes in points. WeasyPrint writes 2-byte
    glyph ids mapped by each font's ToUnicode, and draws in CSS pixels (scaled by 0.75)."""
    fonts = {str(name): _to_unicode(font) for name, font in page.Resources.Font.items()}
    lines: list[str] = []
    sizes: list[float] = []
    current: dict[int, str] = {}
    for instruction in pikepdf.parse_content_stream(page):
        operator, operands = str(instruction.operator), instruction.operands
        if operator == "Tf":
            current = fonts[str(operands[0])]
            sizes.append(float(operands[1]) * 0.75)
        elif operator in ("TJ", "Tj"):
            parts = operands[0] if operator == "TJ" else [operands[0]]
            raw = b"".join(bytes(part) for part in parts if isinstance(part, pikepdf.String))
            lines.append("".join(current.get(int.from_bytes(raw[i : i + 2], "big"), "?") for i in range(0, len(raw), 2)))
    return "\n".join(lines), sizes


@pytest.mark.parametrize("kind", kit.KINDS)
@pytest.mark.parametrize("language", kit.LANGUAGES)
def test_each_kit_item_is_one_page_with_the_entity_contacts(school: Entity, referent_a: User, kind: str, language: str) -> None:
    with pikepdf.open(io.BytesIO(kit.kit_pdf(school, kind, language))) as pdf:
        assert len(pdf.pages) == 1
        width, height = (float(value) for value in pdf.pages[0].MediaBox[2:])
        assert abs(width - PAGE_SIZES[kind][0]) <= 1 and abs(height - PAGE_SIZES[kind][1]) <= 1
        assert str(pdf.Root.Lang) == language
        assert (school.name_en if language == "en" else school.name_fr) in str(pdf.docinfo["/Title"])
        text, sizes = pdf_text(pdf.pages[0])
    flat = _squeeze(text)  # lines may wrap anywhere: compare without white space
    assert referent_a.person is not None and _squeeze(referent_a.person.full_name) in flat
    assert _squeeze(PHONE) in flat and "ecoute@telecom-paris.example" in flat
    assert flat.index("112") < flat.index("3919") < flat.index(_squeeze(PHONE)), "the emergency numbers come first"
    assert kit.help_url(school, language) in flat, "the address of the QR code is printed in clear"
    assert min(sizes) >= 10.99, "no text under 11 pt"
    assert kind == "flyer" or max(sizes) >= 24, "a large title on the poster"


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_the_qr_code_is_the_entity_help_page_in_the_pdf_language(school: Entity, settings: Any) -> None:
    settings.EGIDE_BASE_URL = "https://egide.example.org"
    item = public_contacts_of(pk=school.pk)
    assert item is not None
    for language in kit.LANGUAGES:
        with translation.override(language):
            url = "https://egide.example.org" + reverse("kb:contacts", kwargs={"code": SCHOOL_A})
        assert kit.help_url(school, language) == url
        html = kit.kit_html(item, "flyer", language)
        assert kit.qr_svg(url) in html and f">{url}<" in html
    assert kit.help_url(school, "fr") != kit.help_url(school, "en")


def test_the_qr_svg_is_deterministic_and_encodes_the_url() -> None:
    url = "https://egide.example.org/fr/aide/contacts/telecom-paris/"
    svg = kit.qr_svg(url)
    assert svg == kit.qr_svg(url) != kit.qr_svg(url + "x")
    assert svg.startswith("<svg") and "<image" not in svg and "href" not in svg
    drawn = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", svg)}
    code = qrcode.QRCode(error_correction=qrcode.ERROR_CORRECT_M)
    code.add_data(url)
    expected = {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}
    assert drawn == expected


def test_the_url_fetcher_refuses_everything_and_nothing_reaches_the_network(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    connections: list[object] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: connections.append(args))
    monkeypatch.setattr(socket.socket, "connect", lambda *args: connections.append(args))
    html = '<html lang="en"><title>t</title><link rel="stylesheet" href="https://example.com/x.css"><img src="http://example.com/x.png"><p>text</p></html>'
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = kit.render_pdf(html)
    assert pdf.startswith(b"%PDF") and connections == []
    assert "http://example.com/x.png" in caplog.text and "fetches nothing" in caplog.text
    with pytest.raises(ValueError, match="fetches nothing"):
        kit._refusing_fetcher_class()().fetch("file:///etc/passwd")


def test_a_long_list_shows_fewer_referents_rather_than_a_second_page(school: Entity, monkeypatch: pytest.MonkeyPatch) -> None:
    class Document:
        def __init__(self, html: str) -> None:
            self.pages = [1] * html.count('class="name"')  # pretend each référent takes a page

        def write_pdf(self) -> bytes:
            return str(len(self.pages)).encode()

    monkeypatch.setattr(kit, "_layout", Document)
    assert kit.kit_pdf(school, "poster", "en") == b"1"  # 3 référents, then 2, then 1: one page
    item = public_contacts_of(pk=school.pk)
    assert item is not None
    html = kit.kit_html(item, "flyer", "en")
    assert html.count('class="name"') == kit.REFERENTS_SHOWN["flyer"] == 2 and "And 1 other référent" in html


def test_anonymous_is_sent_to_sign_in(school: Entity) -> None:
    for name, kwargs in (("kb:kit", {}), ("kb:kit_pdf", {"kind": "poster", "language": "fr"})):
        response = Client().get(reverse(name, kwargs={"code": SCHOOL_A, **kwargs}))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_second_factor_is_still_required(school: Entity, admin_a: User) -> None:
    client = Client()
    client.force_login(admin_a)
    response = client.get(reverse("kb:kit_pdf", kwargs={"code": SCHOOL_A, "kind": "poster", "language": "fr"}))
    assert response.status_code == 302 and response["Location"].startswith(reverse("org:otp_setup"))


def test_the_kit_page_lists_the_four_pdfs_and_what_they_contain(
    school: Entity, referent_a: User, admin_a: User, as_user: ClientFor
) -> None:
    response = as_user(admin_a).get(reverse("kb:kit", kwargs={"code": SCHOOL_A}))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in kit.KINDS:
        for language in kit.LANGUAGES:
            assert reverse("kb:kit_pdf", kwargs={"code": SCHOOL_A, "kind": kind, "language": language}) in html
    assert kit.help_url(school, "fr") in html and kit.help_url(school, "en") in html
    assert referent_a.person is not None and referent_a.person.full_name in html and PHONE in html


def test_signed_in_staff_download_the_pdf_made_once_until_the_data_changes(
    school: Entity, admin_a: User, as_user: ClientFor, renders: list[str]
) -> None:
    client = as_user(admin_a)
    path = reverse("kb:kit_pdf", kwargs={"code": SCHOOL_A, "kind": "flyer", "language": "en"})
    first = client.get(path)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == f'attachment; filename="egide-{SCHOOL_A}-flyer-en.pdf"'
    assert first.content.startswith(b"%PDF") and len(renders) == 1
    assert client.get(path).content == first.content and len(renders) == 1
    Entity.objects.filter(pk=school.pk).update(cell_phone="01 98 76 54 32")
    assert client.get(path).content != first.content and len(renders) == 2


def test_unknown_entity_kind_or_language_and_other_methods(
    school: Entity, admin_a: User, as_user: ClientFor, renders: list[str]
) -> None:
    client = as_user(admin_a)
    Entity.objects.filter(code="imt-mines-albi").update(is_active=False)
    for code in ("nowhere", "imt-mines-albi"):
        assert client.get(reverse("kb:kit", kwargs={"code": code})).status_code == 404
        assert client.get(reverse("kb:kit_pdf", kwargs={"code": code, "kind": "poster", "language": "fr"})).status_code == 404
    for kind, language in (("banner", "fr"), ("poster", "de"), ("flyer", "EN")):
        assert client.get(reverse("kb:kit_pdf", kwargs={"code": SCHOOL_A, "kind": kind, "language": language})).status_code == 404
    assert client.post(reverse("kb:kit", kwargs={"code": SCHOOL_A})).status_code == 405
    assert renders == []


def test_a_server_without_pango_says_so_instead_of_failing(
    school: Entity, as_user: ClientFor, admin_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pango(html: str) -> Any:
        raise kit.KitUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(kit, "_layout", no_pango)
    cache.clear()
    response = as_user(admin_a).get(reverse("kb:kit_pdf", kwargs={"code": SCHOOL_A, "kind": "poster", "language": "fr"}))
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert "Ce serveur ne peut pas produire de PDF" in response.content.decode()
