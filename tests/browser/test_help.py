"""The help section in Chromium on a phone: a reference sheet in two clicks from the home page, search
with and without accents (and a typo), the page for no result; axe-core on each; nothing third-party."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.test_home import Session, french, french_path
from tests.browser.test_reporting import _axe


def test_a_reference_sheet_is_two_clicks_from_the_home_page(open_session: Callable[..., Session]) -> None:
    session = open_session()
    page = session.open(french_path("org:home"))
    page.get_by_role("link", name=french("Reference sheets and FAQ")).first.click()
    page.get_by_role("link", name="Le harcèlement moral et sexuel").click()
    expect(page.locator("h1")).to_have_text("Le harcèlement moral et sexuel")
    expect(page.locator("main")).to_contain_text("validée par la direction juridique")
    _axe(page)
    session.network.assert_no_third_party()


@pytest.mark.parametrize("query", ["harcèlement au travail", "harcelement au travail", "HARCELMENT au travail"])
def test_search_with_and_without_accents_finds_the_sheet(open_session: Callable[..., Session], query: str) -> None:
    session = open_session()
    page = session.open(french_path("kb:articles"))
    page.get_by_label(french("Search the help pages")).fill(query)
    page.get_by_role("button", name=french("Search")).click()
    results = page.locator(".search-results").first
    expect(results.get_by_role("link", name="Le harcèlement moral et sexuel")).to_be_visible()
    expect(results.locator("mark").first).to_be_visible()
    assert "harc" not in page.url.split("/aide/")[-1]  # the query is not in the address
    _axe(page)
    session.network.assert_no_third_party()


def test_no_result_offers_the_assistant_and_the_contacts(open_session: Callable[..., Session]) -> None:
    session = open_session(java_script_enabled=False)
    page = session.open(french_path("kb:search"))
    page.get_by_label(french("Search the help pages")).fill("qwxzvk")
    page.get_by_role("button", name=french("Search")).click()
    expect(page.locator("main")).to_contain_text(french("Nothing matched"))
    page.get_by_role("link", name=french("Find help: a few questions")).first.click()
    expect(page.locator("h1")).to_have_text(french("Find help: a few questions"))
    session.network.assert_no_third_party()
