"""The whole reporting flow in Chromium on a phone: an anonymous report with an attachment, the code
copied from the acknowledgement, a référent signing in (password, TOTP) who reads and answers, and
the reporter coming back with the code alone to read the answer. axe-core checks every page of the
flow; the same flow runs with JavaScript disabled. No request leaves the live server."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import FilePayload, Page, expect

from egide.org.models import Entity, User
from egide.reports.models import Report
from tests.browser.test_home import BLOCKING_IMPACTS, Session, french, french_path
from tests.conftest import PASSWORD
from tests.reports.conftest import give_key

NARRATIVE = "Un enseignant commente mon physique à chaque TP depuis septembre."
ANSWER = "Merci de nous avoir écrit. Nous vous proposons un entretien."


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Author\x00Someone")
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def _axe(page: Page) -> None:
    results = Axe().run(page)
    violations = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    details = "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in violations)
    assert not violations, f"axe-core on {page.url}:\n{details}"


def _continue(page: Page) -> None:
    with page.expect_navigation():
        page.locator("button[value=next]").click()


def file_report(page: Page, entity: Entity, *, checks: bool = True) -> str:
    """Fill every step as a person would; returns the follow-up code shown on the acknowledgement."""
    page.check("#id_danger_now_1")
    page.select_option("#id_entity", str(entity.pk))
    page.check("#id_reporter_role_0")
    page.check("#id_population_0")
    if checks:
        _axe(page)
    _continue(page)
    page.fill("#id_narrative", NARRATIVE)
    page.check("#id_categories_1")
    page.check("#id_when_kind_3")
    page.check("#id_where_0")
    if checks:
        _axe(page)
    _continue(page)
    page.check("#id_author_relation_0")
    page.check("#id_witnesses_1")
    if checks:
        _axe(page)
    _continue(page)
    page.check("#id_wishes_0")
    page.check("#id_mode_0")
    if checks:
        _axe(page)
    _continue(page)
    photo: FilePayload = {"name": "photo.png", "mimeType": "image/png", "buffer": _png()}
    page.set_input_files("#id_attachments", files=[photo])
    page.check("#id_notice_read")
    if checks:
        _axe(page)
    page.locator("button[value=send]").click()
    expect(page.locator("h1")).to_have_text(french("Your report has been received"), timeout=15000)
    if checks:
        _axe(page)
    return page.locator("#follow-up-code").inner_text().strip()


def sign_in_and_answer(session: Session, user: User, reference: str) -> None:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    page = session.open(french_path("org:login"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    _axe(page)  # the second-factor page
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page = session.open(french_path("cases:inbox"))
    _axe(page)
    page.get_by_role("link", name=reference).click()
    expect(page.locator(".narrative")).to_contain_text(NARRATIVE)
    _axe(page)
    page.fill("#id_text", ANSWER)
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".thread-message").last).to_contain_text(ANSWER)


def read_answer(session: Session, code: str, *, checks: bool = True) -> None:
    page = session.open(french_path("reports:follow_up"))
    if checks:
        _axe(page)
    page.fill("#id_code", code.lower().replace("-", " "))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages-thread")).to_contain_text(ANSWER)
    expect(page.locator(".files")).to_contain_text("photo.png")
    if checks:
        _axe(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_anonymous_report_answer_and_follow_up(
    open_session: Callable[..., Session], referent_a: User, school_a: Entity, settings: Any, tmp_path: Any, javascript: bool
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.EGIDE_REPORT_POW_BITS = 12
    give_key(referent_a)
    reporter = open_session(
        java_script_enabled=javascript, permissions=["clipboard-read", "clipboard-write"] if javascript else []
    )
    page = reporter.open(french_path("reports:start"))
    code = file_report(page, school_a, checks=javascript)
    if javascript:
        page.locator("[data-copy-target]").click()
        expect(page.locator("[data-copy-status]")).to_have_text(french("Copied"))
        assert page.evaluate("navigator.clipboard.readText()").strip() == code
    report = Report.objects.get()
    assert report.proof_of_work is javascript
    reporter.network.assert_no_third_party()

    handler = open_session(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False, device_scale_factor=1)
    sign_in_and_answer(handler, referent_a, report.reference)
    handler.network.assert_no_third_party()

    comeback = open_session(java_script_enabled=javascript)
    read_answer(comeback, code, checks=javascript)  # axe-core needs JavaScript in the page
    comeback.network.assert_no_third_party()


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "name",
    [
        "reports:how",
        "reports:notice",
        "reports:channels",
        "reports:follow_up",
        "kb:offences",
        "kb:discrimination_grounds",
        "kb:agenda",
        "kb:articles",
        "kb:hvssd",
        "kb:search",
    ],
)
def test_information_pages_have_no_serious_accessibility_violation(
    open_session: Callable[..., Session], name: str, language: str
) -> None:
    from django.urls import reverse
    from django.utils import translation

    with translation.override(language):
        path = reverse(name)
    session = open_session()
    page = session.open(path)
    expect(page.locator("h1")).to_have_count(1)
    _axe(page)
    session.network.assert_no_third_party()


def test_the_home_page_leads_to_the_form_and_the_follow_up_in_one_click(open_session: Callable[..., Session]) -> None:
    session = open_session()
    page = session.open(french_path("org:home"))
    page.get_by_role("link", name=french("Report a situation")).first.click()
    expect(page.locator("h1")).to_have_text(french("Report a situation"))
    page.go_back()
    page.get_by_role("link", name=french("Follow up on a report with your code")).click()
    expect(page.locator("h1")).to_have_text(french("Follow up on a report"))
    session.network.assert_no_third_party()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_orientation_assistant_from_start_to_an_ending(open_session: Callable[..., Session], javascript: bool) -> None:
    session = open_session(java_script_enabled=javascript)
    page = session.open(french_path("kb:assistant"))
    for answer in ("danger", "who", "what", "wish", "entity"):
        if javascript:
            _axe(page)
        page.locator(".choices input").nth(1 if answer == "danger" else 0).check()
        _continue(page)
    expect(page.locator("h1")).to_have_text(french("What you can do"))
    expect(page.locator("main")).to_contain_text(french("Who to contact"))
    if javascript:
        _axe(page)
    session.network.assert_no_third_party()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_entity_contacts_page_has_no_serious_accessibility_violation(
    open_session: Callable[..., Session], referent_a: User, language: str
) -> None:
    from django.urls import reverse
    from django.utils import translation

    with translation.override(language):
        path = reverse("kb:contacts", args=["telecom-paris"])
    session = open_session()
    page = session.open(path)
    expect(page.locator("main")).to_contain_text(referent_a.person.full_name)  # type: ignore[union-attr]
    _axe(page)
    session.network.assert_no_third_party()
