"""The public home page in a real browser, on a phone: help first, both languages, accessibility (axe-core),
the quick exit (click, Escape twice, without JavaScript), the keyboard path, and not one request to a
third party.

The machine has no internet: the quick-exit target is an external-looking URL whose page Playwright serves
itself; every other request to a host other than the live server is aborted and fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, expect

NEUTRAL_URL = "https://neutral.example/"
NEUTRAL_HOST = urlsplit(NEUTRAL_URL).netloc
NEUTRAL_PAGE = (
    "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Météo</title></head><body><p>Neutral</p></body></html>"
)
# A phone of 2020s size (iPhone 12-15 class), with touch.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}

H1 = "Harassment, sexist and sexual violence, discrimination: you are not alone"
NEED_HELP = "Need help now?"
HELP_NUMBERS = {
    "17": "tel:17",
    "112": "tel:112",
    "15": "tel:15",
    "114": "sms:114",
    "3919": "tel:3919",
    "119": "tel:119",
    "3018": "tel:3018",
    "3928": "tel:3928",
}
BLOCKING_IMPACTS = {"serious", "critical"}


def french(text: str) -> str:
    with translation.override("fr"):
        return translation.gettext(text)


def french_path(name: str) -> str:
    with translation.override("fr"):
        return reverse(name)


@dataclass
class Network:
    """Every request the pages make, with anything that is not the live server (or the routed neutral page) aborted."""

    origin: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def route(self, route: Route, request: Request) -> None:
        target = urlsplit(request.url)
        if f"{target.scheme}://{target.netloc}" == self.origin:
            route.continue_()
        elif target.netloc == NEUTRAL_HOST and request.is_navigation_request():
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=NEUTRAL_PAGE)
        else:
            self.blocked.append(request.url)
            route.abort()

    def record(self, request: Request) -> None:
        self.requests.append(request.url)

    def assert_no_third_party(self) -> None:
        """Only the live server, plus the neutral page as a top-level navigation (where the quick exit leads)."""
        foreign = [url for url in self.requests if not url.startswith(self.origin + "/") and urlsplit(url).netloc != NEUTRAL_HOST]
        assert not self.blocked, f"requests to third parties were blocked: {self.blocked}"
        assert not foreign, f"requests to third parties: {foreign}"


@dataclass
class Session:
    context: BrowserContext
    page: Page
    network: Network
    base_url: str

    def open(self, path: str) -> Page:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, f"{path}: {response.status if response else 'no response'}"
        return self.page


@pytest.fixture
def neutral_exit(settings: Any) -> str:
    settings.EGIDE_QUICK_EXIT_URL = NEUTRAL_URL
    return NEUTRAL_URL


@pytest.fixture
def open_session(browser: Browser, live_server: Any, neutral_exit: str) -> Iterator[Callable[..., Session]]:
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Session:
        context = browser.new_context(locale="fr-FR", **{**PHONE, **options})
        contexts.append(context)
        network = Network(live_server.url)
        context.route("**/*", network.route)
        context.on("request", network.record)
        return Session(context, context.new_page(), network, live_server.url)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone(open_session: Callable[..., Session]) -> Session:
    return open_session()


def test_french_home_shows_help_first(phone: Session) -> None:
    page = phone.open("/fr/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert french(H1) != H1, "the French catalog does not translate the home page (egide/locale/fr/LC_MESSAGES/django.mo)"
    expect(page.locator("h1")).to_have_text(french(H1))
    expect(page.locator("#urgent-title")).to_be_visible()
    expect(page.locator("#urgent-title")).to_contain_text("Besoin d")  # "Besoin d'aide" (typographic apostrophe or not)
    for number, href in HELP_NUMBERS.items():
        link = page.locator(f'a.number[href="{href}"]')
        expect(link).to_have_count(1)
        expect(link).to_be_visible()
        expect(link).to_have_text(number)
    # The emergency numbers are the first section of the content, and fit a phone screen's width.
    assert page.evaluate("document.querySelector('main section') === document.querySelector('#urgent-title').closest('section')")
    box = page.locator("#urgent-title").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways on a phone"
    phone.network.assert_no_third_party()


def test_language_switch(phone: Session) -> None:
    page = phone.open("/fr/")
    page.locator('nav.languages a[hreflang="en"]').click()
    page.wait_for_url(phone.base_url + "/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(H1)
    expect(page.locator("#urgent-title")).to_have_text(NEED_HELP)
    expect(page.locator('nav.languages [aria-current="true"]')).to_have_attribute("lang", "en")
    page.locator('nav.languages a[hreflang="fr"]').click()
    page.wait_for_url(phone.base_url + "/fr/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text(french(H1))
    phone.network.assert_no_third_party()


AXE_PAGES: dict[str, Callable[[], str]] = {
    "home-fr": lambda: "/fr/",
    "home-en": lambda: "/en/",
    "login": lambda: french_path("org:login"),
    "legal-notice": lambda: french_path("core:legal_notice"),
    "privacy": lambda: french_path("core:privacy_notice"),
    "accessibility": lambda: french_path("core:accessibility"),
}


@pytest.mark.parametrize("name", list(AXE_PAGES))
def test_no_serious_accessibility_violation(phone: Session, name: str) -> None:
    path = AXE_PAGES[name]()
    page = phone.open(path)
    results = Axe().run(page)
    violations = [violation for violation in results.response["violations"] if violation.get("impact") in BLOCKING_IMPACTS]
    details = "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(str(node.get("target")) for node in violation.get("nodes", []))
        for violation in violations
    )
    assert not violations, f"axe-core on {path}:\n{details}"
    phone.network.assert_no_third_party()


def _assert_left_for_good(session: Session, before: str) -> None:
    """On the neutral page, and Back goes to where the visitor was before Égide, not to Égide."""
    page = session.page
    expect(page.locator("body")).to_have_text("Neutral")
    assert page.url == NEUTRAL_URL
    page.go_back()
    page.wait_for_load_state()
    assert not page.url.startswith(session.base_url), f"Back returned to Égide: {page.url}"
    assert page.url == before


def test_quick_exit_by_click(phone: Session) -> None:
    before = NEUTRAL_URL + "elsewhere"
    phone.page.goto(before)
    page = phone.open("/fr/")
    exit_link = page.locator("#quick-exit")
    expect(exit_link).to_be_visible()
    expect(exit_link).to_be_in_viewport()
    exit_link.click()
    page.wait_for_url(NEUTRAL_URL)
    _assert_left_for_good(phone, before)
    phone.network.assert_no_third_party()


def test_quick_exit_by_escape_twice(phone: Session) -> None:
    before = NEUTRAL_URL + "elsewhere"
    phone.page.goto(before)
    page = phone.open("/fr/")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL_URL)
    _assert_left_for_good(phone, before)
    phone.network.assert_no_third_party()


def test_one_escape_does_not_exit(phone: Session) -> None:
    page = phone.open("/fr/")
    page.keyboard.press("Escape")
    page.wait_for_timeout(1200)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert page.url == phone.base_url + "/fr/"


def test_works_without_javascript(open_session: Callable[..., Session]) -> None:
    session = open_session(java_script_enabled=False)
    page = session.open("/fr/")
    expect(page.locator("#quick-exit")).to_have_attribute("href", NEUTRAL_URL)
    details = page.locator("details.entity")
    assert details.count() == 9, "the directory should list the nine IMT entities"
    first = details.first
    assert first.get_attribute("open") is None
    expect(first.locator("h3").first).to_be_hidden()
    first.locator("summary").click()
    expect(first).to_have_attribute("open", "")
    expect(first.locator("h3").first).to_be_visible()
    page.locator("#quick-exit").click()
    page.wait_for_url(NEUTRAL_URL)
    expect(page.locator("body")).to_have_text("Neutral")
    session.network.assert_no_third_party()


def test_keyboard_reaches_skip_link_then_quick_exit(phone: Session) -> None:
    page = phone.open("/fr/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    for _step in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "quick-exit":
            break
    expect(page.locator("#quick-exit")).to_be_focused()
    # The skip link itself leads to the content.
    skip.focus()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    phone.network.assert_no_third_party()
