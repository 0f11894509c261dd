"""egide/reports/static/reports/reports.js in a real Chromium: SHA-256 and the proof of work against Python's
hashlib, the wait-then-submit path, single submission, fields by mode, copy, print and the file size check.

No database and no live server: Playwright serves the pages itself from a made-up https origin, with Égide's
own Content-Security-Policy (settings.CONTENT_SECURITY_POLICY), and the script from its file, so that the script
runs exactly as on the site (a secure context, no inline script, no eval). Submitted forms are answered by the
same route, which records them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, FilePayload, Page, Request, Route, expect

SCRIPT = Path(__file__).resolve().parents[2] / "egide" / "reports" / "static" / "reports" / "reports.js"
ORIGIN = "https://egide.test"
SCRIPT_PATH = "/static/reports/reports.js"
SUBMITTED = f"{ORIGIN}/submitted"

# A challenge whose smallest 20-bit nonce is large (found with hashlib), so that the browser is still working on
# it when the test submits the form: about two million hashes, one to a few seconds.
SLOW_CHALLENGE = "egide-browser-test-8"
SLOW_BITS = 20
SLOW_NONCE = "2246006"


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def pow_digest(challenge: str, nonce: str) -> bytes:
    return hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()


def form_data(request: Request) -> dict[str, list[str]]:
    return parse_qs(request.post_data or "", keep_blank_values=True)


def csp_header() -> str:
    directives: dict[str, list[str]] = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def document(body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Test</title>"
        f"<script src='{SCRIPT_PATH}' defer></script></head><body>{body}</body></html>"
    )


@dataclass
class Site:
    """A page of the made-up origin: `body` is served at /, the script at its static path, and forms post to
    /submitted (recorded). Any other request is aborted and recorded."""

    context: BrowserContext
    page: Page
    body: str = ""
    submissions: list[dict[str, list[str]]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def route(self, route: Route, request: Request) -> None:
        url = urlsplit(request.url)
        if f"{url.scheme}://{url.netloc}" != ORIGIN:
            self.unexpected.append(request.url)
            route.abort()
        elif url.path == "/":
            route.fulfill(
                status=200,
                content_type="text/html; charset=utf-8",
                headers={"Content-Security-Policy": csp_header()},
                body=document(self.body),
            )
        elif url.path == SCRIPT_PATH:
            route.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=SCRIPT.read_text("utf-8"))
        elif url.path == "/submitted":
            self.submissions.append(form_data(request))
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body="<!DOCTYPE html><title>Sent</title>")
        else:
            self.unexpected.append(request.url)
            route.abort()

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def open(self, body: str) -> Page:
        self.body = body
        response = self.page.goto(f"{ORIGIN}/")
        assert response is not None and response.status == 200
        assert self.page.evaluate("typeof window.EgideReports") == "object", "reports.js did not run"
        return self.page

    def assert_clean(self) -> None:
        """No error (a CSP violation is reported as one), no request anywhere else."""
        assert not self.errors, f"errors in the page: {self.errors}"
        assert not self.unexpected, f"unexpected requests: {self.unexpected}"


@pytest.fixture(autouse=True)
def _imt_entities() -> None:
    """Overrides the folder's fixture: these tests use neither the database nor the live server."""


@pytest.fixture
def open_site(browser: Browser) -> Iterator[Callable[..., Site]]:
    contexts: list[BrowserContext] = []

    def make(init_script: str | None = None, **options: Any) -> Site:
        context = browser.new_context(**options)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        site = Site(context, page)
        context.route("**/*", site.route)
        page.on("console", site.console)
        page.on("pageerror", lambda error: site.errors.append(str(error)))
        return site

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def site(open_site: Callable[..., Site]) -> Site:
    return open_site()


# SHA-256 and the proof of work ----------------------------------------------------------------------------


def test_sha256_matches_hashlib(site: Site) -> None:
    page = site.open("<p>Empty</p>")
    sha = "(text) => window.EgideReports.sha256Hex(text)"
    assert page.evaluate(sha, "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert page.evaluate(sha, "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    long_text = ("Égide — signalement 🛡️ " * 60)[:1000]
    assert len(long_text) == 1000
    assert page.evaluate(sha, long_text) == hashlib.sha256(long_text.encode()).hexdigest()
    # Every length around the block boundaries (55, 56, 63, 64, 119, 120… bytes).
    texts = ["x" * length for length in range(140)]
    assert page.evaluate("(texts) => texts.map(window.EgideReports.sha256Hex)", texts) == [
        hashlib.sha256(text.encode()).hexdigest() for text in texts
    ]
    bits = "(hex) => window.EgideReports.leadingZeroBits(hex)"
    assert page.evaluate(bits, "f" + "0" * 63) == 0
    assert page.evaluate(bits, "000" + "1" + "0" * 60) == 15
    assert page.evaluate(bits, "00" + "7f" + "0" * 60) == 9
    assert page.evaluate(bits, "0" * 64) == 256
    site.assert_clean()


def test_solve_finds_the_smallest_nonce(site: Site) -> None:
    page = site.open("<p>Empty</p>")
    for challenge in ["b3JhbmdlLXRlc3Q", "défi-ünïcode", "c" * 70]:
        nonce = page.evaluate("([challenge, bits]) => window.EgideReports.solve(challenge, bits)", [challenge, 12])
        assert isinstance(nonce, str) and nonce.isdigit()
        assert leading_zero_bits(pow_digest(challenge, nonce)) >= 12
        assert all(leading_zero_bits(pow_digest(challenge, str(smaller))) < 12 for smaller in range(int(nonce)))
    site.assert_clean()


POW_FORM = """
<form method="post" action="/submitted" target="sink" data-submit-once>
  <input type="hidden" name="pow_challenge" value="{challenge}" data-pow-bits="{bits}">
  <input type="hidden" name="pow_nonce" value="">
  <label for="story">Story</label> <textarea id="story" name="story">Something happened</textarea>
  <p data-pow-status data-working-text="Checking, one moment…" role="status" hidden></p>
  <button type="submit" name="action" value="send" data-busy-text="Sending…">Send</button>
  <button type="submit" name="action" value="draft">Save as draft</button>
</form>
<iframe name="sink" title="sink"></iframe>
"""


def pow_page(challenge: str, bits: int) -> str:
    return POW_FORM.replace("{challenge}", challenge).replace("{bits}", str(bits))


def test_proof_of_work_starts_at_load(site: Site) -> None:
    page = site.open(pow_page("at-load", 12))
    nonce_input = page.locator("input[name=pow_nonce]")
    expect(nonce_input).not_to_have_value("")
    nonce = nonce_input.input_value()
    assert leading_zero_bits(pow_digest("at-load", nonce)) >= 12
    expect(page.locator("[data-pow-status]")).to_be_hidden()
    site.assert_clean()


def test_submit_waits_for_the_nonce_then_sends_it(site: Site) -> None:
    page = site.open(pow_page(SLOW_CHALLENGE, SLOW_BITS))
    status = page.locator("[data-pow-status]")
    send = page.locator("button[value=send]")
    with page.expect_request(SUBMITTED, timeout=60_000) as posted:
        send.click()
        # Still working: the submission waits, and says so; the buttons stay usable until the real submission.
        expect(status).to_be_visible()
        expect(status).to_have_text("Checking, one moment…")
        assert page.locator("input[name=pow_nonce]").input_value() == ""
        assert page.locator("form").get_attribute("aria-busy") is None
        expect(send).to_be_enabled()
    assert posted.value.method == "POST"
    data = form_data(posted.value)
    assert data["pow_challenge"] == [SLOW_CHALLENGE]
    assert data["pow_nonce"] == [SLOW_NONCE]
    assert leading_zero_bits(pow_digest(SLOW_CHALLENGE, SLOW_NONCE)) >= SLOW_BITS
    assert data["action"] == ["send"], "the clicked button's name and value are kept"
    assert data["story"] == ["Something happened"]
    # Then single submission applies.
    expect(page.locator("form")).to_have_attribute("aria-busy", "true")
    expect(send).to_be_disabled()
    expect(send).to_have_text("Sending…")
    expect(page.locator("button[value=draft]")).to_be_disabled()
    site.assert_clean()


def test_submit_once(site: Site) -> None:
    page = site.open(pow_page("once", 8))
    expect(page.locator("input[name=pow_nonce]")).not_to_have_value("")
    draft = page.locator("button[value=draft]")
    with page.expect_request(SUBMITTED) as posted:
        draft.click()
    form = page.locator("form")
    expect(form).to_have_attribute("aria-busy", "true")
    expect(draft).to_be_disabled()
    expect(draft).to_have_text("Save as draft")  # no data-busy-text: the text stays
    expect(page.locator("button[value=send]")).to_be_disabled()
    expect(page.locator("[data-pow-status]")).to_be_hidden()
    data = form_data(posted.value)
    assert data["action"] == ["draft"], "disabling the buttons must not drop the clicked one from the data"
    assert leading_zero_bits(pow_digest("once", data["pow_nonce"][0])) >= 8
    # A second submission (Enter in a field, a script) is refused.
    page.evaluate("document.querySelector('form').requestSubmit()")
    page.wait_for_timeout(300)
    assert len(site.submissions) == 1
    site.assert_clean()


def test_without_challenge_nothing_happens(site: Site) -> None:
    page = site.open(
        """<form method="post" action="/submitted" target="sink"><input type="hidden" name="pow_nonce" value="">
        <button type="submit">Send</button></form><iframe name="sink" title="sink"></iframe>"""
    )
    with page.expect_request(SUBMITTED) as posted:
        page.locator("button").click()
    assert form_data(posted.value) == {"pow_nonce": [""]}
    site.assert_clean()


# Fields by mode --------------------------------------------------------------------------------------------

MODES_FORM = """
<form method="post" action="/submitted">
  <fieldset><legend>Mode</legend>
    <label><input type="radio" name="mode" value="anonymous"> Anonymous</label>
    <label><input type="radio" name="mode" value="confidential"> Confidential</label>
    <label><input type="radio" name="mode" value="named"> Named</label>
  </fieldset>
  <div id="contact" data-show-for-modes="confidential  named">
    <label for="email">Email</label> <input id="email" name="email" type="email" required>
  </div>
  <div id="identity" data-show-for-modes="named">
    <label for="name">Name</label> <input id="name" name="name">
  </div>
  <p id="always">Always shown</p>
</form>
"""


def test_fields_follow_the_mode(site: Site) -> None:
    page = site.open(MODES_FORM)
    contact, identity, email = page.locator("#contact"), page.locator("#identity"), page.locator("#email")
    # Nothing checked yet: everything is shown.
    expect(contact).to_be_visible()
    expect(identity).to_be_visible()
    email.fill("someone@example.org")
    page.locator("input[value=anonymous]").check()
    expect(contact).to_be_hidden()
    expect(identity).to_be_hidden()
    expect(page.locator("#always")).to_be_visible()
    assert email.evaluate("(input) => input.required") is False, "a hidden required field would block the form"
    page.locator("input[value=confidential]").check()
    expect(contact).to_be_visible()
    expect(identity).to_be_hidden()
    assert email.evaluate("(input) => input.required") is True
    expect(email).to_have_value("someone@example.org")  # values are kept
    page.locator("input[value=named]").check()
    expect(contact).to_be_visible()
    expect(identity).to_be_visible()
    site.assert_clean()


def test_fields_follow_the_mode_checked_at_load(site: Site) -> None:
    page = site.open(MODES_FORM.replace('value="confidential">', 'value="confidential" checked>'))
    expect(page.locator("#contact")).to_be_visible()
    expect(page.locator("#identity")).to_be_hidden()
    site.assert_clean()


# Copy and print --------------------------------------------------------------------------------------------

COPY_PAGE = """
<p>Your follow-up code: <code id="code">
   ABCD-EFGH-JKLM
</code></p>
<button type="button" data-copy-target="code" data-copied-text="Copied" data-copy-failed-text="Select and copy"
        hidden>Copy</button>
<span data-copy-status role="status"></span>
<button type="button" data-print hidden>Print</button>
"""

# Records what document.execCommand is asked, and what is selected then (Playwright's init scripts are not
# subject to the page's CSP).
RECORD_EXEC_COMMAND = """
window.__commands = [];
const execCommand = Document.prototype.execCommand;
Document.prototype.execCommand = function (command, ...rest) {
  const result = execCommand.call(this, command, ...rest);
  window.__commands.push({command: command, selection: String(window.getSelection()), result: result});
  return result;
};
window.__printed = 0;
window.print = function () { window.__printed += 1; };
"""
NO_CLIPBOARD_API = "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});" + RECORD_EXEC_COMMAND


def test_copy_with_the_clipboard_api(open_site: Callable[..., Site]) -> None:
    site = open_site(RECORD_EXEC_COMMAND, permissions=["clipboard-read", "clipboard-write"])
    page = site.open(COPY_PAGE)
    button = page.locator("button[data-copy-target]")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "ABCD-EFGH-JKLM"
    assert page.evaluate("window.__commands") == [], "the clipboard API worked: no fallback"
    site.assert_clean()


def test_copy_without_the_clipboard_api(open_site: Callable[..., Site]) -> None:
    site = open_site(NO_CLIPBOARD_API)
    page = site.open(COPY_PAGE)
    page.locator("button[data-copy-target]").click()
    status = page.locator("[data-copy-status]")
    expect(status).not_to_have_text("")
    commands = page.evaluate("window.__commands")
    assert len(commands) == 1
    assert commands[0]["command"] == "copy"
    assert commands[0]["selection"].strip() == "ABCD-EFGH-JKLM", "the code is selected when the copy is asked"
    expect(status).to_have_text("Copied" if commands[0]["result"] else "Select and copy")
    site.assert_clean()


def test_print(open_site: Callable[..., Site]) -> None:
    site = open_site(RECORD_EXEC_COMMAND)
    page = site.open(COPY_PAGE)
    button = page.locator("button[data-print]")
    expect(button).to_be_visible()
    button.click()
    assert page.evaluate("window.__printed") == 1
    site.assert_clean()


def test_buttons_stay_hidden_without_javascript(open_site: Callable[..., Site]) -> None:
    site = open_site(java_script_enabled=False)
    site.body = COPY_PAGE
    site.page.goto(f"{ORIGIN}/")
    expect(site.page.locator("button[data-copy-target]")).to_be_hidden()
    expect(site.page.locator("button[data-print]")).to_be_hidden()


# File size -------------------------------------------------------------------------------------------------

FILE_FORM = """
<form method="post" action="/submitted" enctype="multipart/form-data" target="sink">
  <p><label for="proof">Documents</label>
    <input id="proof" name="proof" type="file" multiple data-max-bytes="1024"
           data-too-big-text="%(name)s is too large (1 kB at most): %(name)s">
    <span class="hint">PDF or image</span>
    <span data-file-error hidden></span></p>
  <button type="submit">Send</button>
</form>
<iframe name="sink" title="sink"></iframe>
"""


def a_file(name: str, size: int) -> FilePayload:
    return {"name": name, "mimeType": "application/pdf", "buffer": b"x" * size}


def test_file_too_big(site: Site) -> None:
    page = site.open(FILE_FORM)
    proof, error = page.locator("#proof"), page.locator("[data-file-error]")
    proof.set_input_files([a_file("small.pdf", 10), a_file("big.pdf", 1025)])
    message = "big.pdf is too large (1 kB at most): big.pdf"
    assert proof.evaluate("(input) => input.validationMessage") == message
    assert proof.evaluate("(input) => input.validity.customError") is True
    expect(error).to_be_visible()
    expect(error).to_have_text(message)
    expect(proof).to_have_attribute("aria-invalid", "true")
    page.locator("button").click()
    page.wait_for_timeout(300)
    assert site.submissions == [], "an invalid form is not sent"
    proof.set_input_files([a_file("exact.pdf", 1024)])
    assert proof.evaluate("(input) => input.validity.valid") is True
    expect(error).to_be_hidden()
    expect(error).to_have_text("")
    assert proof.get_attribute("aria-invalid") is None
    site.assert_clean()
