"""A référent runs a case from the written acknowledgement to its closure in Chromium, on a phone, in French:
the inbox and its next deadline, the first message (the written acknowledgement), the steps of the procedure
through their forms (listening interview, both orientations, the offences envisaged and the prosecutor task
they create, the prosecutor decision), a closure refused while something stands in the way, the notice to the
public prosecutor and the closure notice generated and downloaded, then the closed case with its retention
date, and the reporter reading the closure notice with their code. axe-core checks the inbox, the case page,
a step form, the closure page and a document form. No request leaves the live server."""

from __future__ import annotations

import datetime
import json
import zipfile
from collections.abc import Callable
from typing import Any

from django.utils import formats, timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from egide.cases.choices import (
    Authority,
    ClosureReason,
    EventKind,
    Orientation,
    ProsecutorNotice,
    TaskKind,
    TemplateKind,
)
from egide.kb.models import Offence
from egide.org.models import Entity, User
from egide.reports.choices import Status
from egide.reports.models import Report
from tests.browser.test_home import Session, french, french_path
from tests.browser.test_reporting import _axe, file_report
from tests.conftest import PASSWORD
from tests.reports.conftest import give_key

FIRST_MESSAGE = "Bonjour, nous avons bien reçu votre signalement. Nous vous proposons un entretien d'écoute."
LISTENING = "Entretien d'écoute le matin : la personne décrit des remarques répétées en TP."
SUPPORT_WHY = "La personne ne souhaite pas être orientée vers un accompagnement pour le moment."
PROSECUTOR_WHY = "Les faits rapportés peuvent constituer un harcèlement sexuel (délit) : avis au procureur."
PROSECUTOR_COURT = "Tribunal judiciaire de Paris"
CLOSURE_REASONS = "Mesures prises par la direction et avis transmis au procureur de la République"
CLOSURE_NOTICE = "Votre dossier est clos : les mesures prises et leurs motifs vous sont expliqués dans ce message."
OFFENCE = "hs"  # Harcèlement sexuel, a délit: it calls for a decision on a notice to the public prosecutor (R42, R46)


def _day(day: datetime.date) -> str:
    """A date as the French pages print it (DATE_FORMAT)."""
    with translation.override("fr"):
        return formats.date_format(day, "DATE_FORMAT")


def _label(choice: Any) -> str:
    return french(str(choice.label))


def _sign_in(session: Session, user: User) -> Page:
    """Password then TOTP; the sign-in password also opens the personal key for the session."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    page = session.open(french_path("org:login"))
    page.fill("#id_email", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    return page


def _success(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def _case_fact(page: Page, term: str) -> Locator:
    """The <dd> that follows a <dt> of the case page's first list of facts."""
    return page.locator("main dl.facts").first.locator(f"dt:text-is({json.dumps(term, ensure_ascii=False)}) + dd")


def _open_step(page: Page, kind: EventKind) -> None:
    page.locator("ul.step-links").get_by_role("link", name=_label(kind), exact=True).click()
    expect(page.locator("h1")).to_have_text(_label(kind))


def _record(page: Page, kind: EventKind) -> None:
    page.locator("main form").get_by_role("button", name=french("Record"), exact=True).click()
    _success(page, french("Recorded: %(step)s.") % {"step": _label(kind)})


def _open_document_form(page: Page, kind: TemplateKind) -> None:
    page.get_by_role("link", name=french("Generate a document"), exact=True).click()
    expect(page.locator("h1")).to_have_text(french("Generate a document"))
    page.get_by_role("link", name=_label(kind), exact=True).click()
    expect(page.locator("h1")).to_have_text(_label(kind))


def _generate(page: Page) -> str:
    """Submit a document form; the document is kept in the case and downloaded at once. Returns word/document.xml."""
    with page.expect_download() as info:
        page.locator("main form").get_by_role("button", name=french("Generate"), exact=True).click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".docx"), download.suggested_filename
    path = download.path()
    assert zipfile.is_zipfile(path), "the download is not a DOCX (zip) file"
    with zipfile.ZipFile(path) as docx:
        assert "[Content_Types].xml" in docx.namelist()
        return docx.read("word/document.xml").decode()


def test_a_referent_runs_a_case_from_acknowledgement_to_closure(
    open_session: Callable[..., Session], referent_a: User, school_a: Entity, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    give_key(referent_a)

    # 1. A reporter files a report through the form, as in test_reporting.
    reporter = open_session()
    code = file_report(reporter.open(french_path("reports:start")), school_a, checks=False)
    reporter.network.assert_no_third_party()
    report = Report.objects.get()
    reference = report.reference

    # 2. The référent signs in, opens "Cases": the case is there with its next deadline, the acknowledgement.
    handler = open_session()
    page = _sign_in(handler, referent_a)
    page.get_by_role("navigation", name=french("Staff area")).get_by_role("link", name=french("Cases"), exact=True).click()
    expect(page.locator("h1")).to_have_text(french("Cases"))
    row = page.locator("tbody tr", has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_have_count(1)
    expect(row.locator("td").last).to_contain_text(_day(report.ack_due))
    expect(row.locator("td").last).to_contain_text(french("Written acknowledgement"))
    _axe(page)
    row.get_by_role("link", name=reference, exact=True).click()
    expect(page.locator("h1")).to_have_text(french("Case %(reference)s") % {"reference": reference})
    expect(_case_fact(page, french("Written acknowledgement"))).to_have_text(f"{french('due by')} {_day(report.ack_due)}")
    _axe(page)

    # 3. The first message to the reporter is the written acknowledgement, and starts the feedback clock.
    # The reply box is found through its form, not its label: the internal note's textarea has the same id
    # (id_text), so the label "Message to the reporter" points at the note (see the report of this test).
    reply = page.locator("main form", has=page.get_by_role("button", name=french("Send to the reporter"), exact=True))
    reply.get_by_role("textbox").fill(FIRST_MESSAGE)
    reply.get_by_role("button", name=french("Send to the reporter"), exact=True).click()
    _success(page, french("Your message was sent to the reporter."))
    expect(page.locator(".thread-message").last).to_contain_text(FIRST_MESSAGE)
    report.refresh_from_db()
    assert report.acknowledged_at is not None and report.feedback_due is not None
    today = timezone.localdate()  # the live server runs in this process
    expect(_case_fact(page, french("Written acknowledgement"))).to_have_text(f"{french('done on')} {_day(today)}")
    expect(_case_fact(page, french("Written feedback"))).to_contain_text(f"{french('due by')} {_day(report.feedback_due)}")

    # 4. The steps, through "Record a step".
    _open_step(page, EventKind.LISTENING)
    expect(page.locator("#id_on")).to_have_value(today.isoformat())
    page.get_by_label(french("What was said and agreed")).fill(LISTENING)
    _record(page, EventKind.LISTENING)
    expect(page.locator(".timeline")).to_contain_text(LISTENING)

    _open_step(page, EventKind.SUPPORT_ORIENTATION)
    _axe(page)
    page.get_by_label(_label(Orientation.DECLINED), exact=True).check()
    page.get_by_label(french("Why (when declined or not applicable)")).fill(SUPPORT_WHY)
    _record(page, EventKind.SUPPORT_ORIENTATION)
    expect(_case_fact(page, french("Orientation to support"))).to_have_text(_label(Orientation.DECLINED))

    _open_step(page, EventKind.AUTHORITY_ORIENTATION)
    page.get_by_label(_label(Orientation.DONE), exact=True).check()
    page.get_by_label(french("Authority")).select_option(label=_label(Authority.HEAD))
    _record(page, EventKind.AUTHORITY_ORIENTATION)
    expect(_case_fact(page, french("Orientation to the competent authority"))).to_have_text(_label(Orientation.DONE))

    offence = Offence.objects.get(code=OFFENCE)
    with translation.override("fr"):
        offence_label = f"{offence.name} ({offence.source_article}) — {offence.get_nature_display()}"
    _open_step(page, EventKind.QUALIFICATION)
    page.get_by_label(offence_label, exact=True).check()
    _record(page, EventKind.QUALIFICATION)
    due = page.locator("section[aria-labelledby=due-title]")
    expect(due).to_contain_text(_label(TaskKind.PROSECUTOR))
    expect(due).to_contain_text(_day(today))  # "sans délai": due the day the offences are envisaged

    # Closing now is refused: the closure page says what stands in the way, and so does the server.
    page.get_by_role("link", name=french("Close the case"), exact=True).click()
    expect(page.locator("h1")).to_have_text(french("Close the case"))
    obstacles = page.locator("main .message.warning")
    expect(obstacles).to_contain_text(french("Decide on the notice to the public prosecutor first."))
    expect(obstacles).not_to_contain_text(french("Record a decision on the orientation to the competent authority."))
    _axe(page)
    page.get_by_label(_label(ClosureReason.TREATED), exact=True).check()
    page.get_by_label(french("Written reasons")).fill(CLOSURE_REASONS)
    page.get_by_label(french("Notice to the reporter")).fill(CLOSURE_NOTICE)
    page.locator("main form").get_by_role("button", name=french("Close the case"), exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text(french("Decide on the notice to the public prosecutor first."))
    assert Report.objects.get(pk=report.pk).status != Status.CLOSED
    page.get_by_role("link", name=french("Cancel"), exact=True).click()

    _open_step(page, EventKind.PROSECUTOR)
    page.get_by_label(_label(ProsecutorNotice.TRANSMIT), exact=True).check()
    page.get_by_label(french("Reasons")).fill(PROSECUTOR_WHY)
    page.get_by_label(french("Public prosecutor's office")).fill(PROSECUTOR_COURT)
    page.get_by_label(french("The reporter is informed")).select_option("yes")
    _record(page, EventKind.PROSECUTOR)
    expect(page.locator("section[aria-labelledby=due-title]")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(french("Decide on the notice to the public prosecutor first."))

    # 5. The notice to the public prosecutor, pre-filled with the offences envisaged, generated and downloaded.
    _open_document_form(page, TemplateKind.PROSECUTOR)
    expect(page.locator("#id_offences")).to_contain_text(offence.name)
    expect(page.locator("#id_offences")).to_contain_text(offence.source_article)
    _axe(page)
    page.locator("#id_recipient").fill(PROSECUTOR_COURT)
    document = _generate(page)
    assert reference in document
    assert PROSECUTOR_COURT in document
    assert offence.name in document

    # 6. The case is closed with its reason, written reasons and notice; the closure notice is generated.
    page.get_by_role("link", name=french("Cancel"), exact=True).click()
    _success(page, french("Document generated and kept in the case."))
    documents = page.locator("section[aria-labelledby=documents-title] ul.files li")
    expect(documents).to_have_count(1)
    expect(documents).to_contain_text(_label(TemplateKind.PROSECUTOR))
    page.get_by_role("link", name=french("Close the case"), exact=True).click()
    expect(page.locator("main .message.warning")).to_have_count(0)
    page.get_by_label(_label(ClosureReason.TREATED), exact=True).check()
    page.get_by_label(french("Written reasons")).fill(CLOSURE_REASONS)
    page.get_by_label(french("Notice to the reporter")).fill(CLOSURE_NOTICE)
    page.locator("main form").get_by_role("button", name=french("Close the case"), exact=True).click()
    _success(page, french("The case is closed."))

    _open_document_form(page, TemplateKind.CLOSURE)
    expect(page.locator("#id_reasons")).to_have_value(CLOSURE_REASONS)
    expect(page.locator("#id_closure_reason")).to_have_value(_label(ClosureReason.TREATED))
    page.locator("#id_recipient").fill("La personne ayant signalé les faits")
    document = _generate(page)
    assert reference in document
    assert CLOSURE_REASONS in document

    # 7. The case is among the closed ones, closed today with its reason and the date its content is destroyed;
    # the reporter reads the closure notice in their follow-up space.
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.retention_until is not None
    page.get_by_role("navigation", name=french("Staff area")).get_by_role("link", name=french("Cases"), exact=True).click()
    expect(page.get_by_role("link", name=reference, exact=True)).to_have_count(0)  # no longer among the open cases
    page.get_by_role("link", name=french("Closed and set aside"), exact=True).click()
    row = page.locator("tbody tr", has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text(_label(Status.CLOSED))
    row.get_by_role("link", name=reference, exact=True).click()
    status = _case_fact(page, french("Status"))
    expect(status).to_contain_text(_label(Status.CLOSED))
    expect(status).to_contain_text(f"{french('closed on')} {_day(today)} ({_label(ClosureReason.TREATED)})")
    expect(_case_fact(page, french("Retention"))).to_contain_text(
        f"{french('content destroyed on')} {_day(report.retention_until)}"
    )
    expect(documents).to_have_count(2)
    expect(documents.last).to_contain_text(_label(TemplateKind.CLOSURE))
    handler.network.assert_no_third_party()

    comeback = open_session()
    space = comeback.open(french_path("reports:follow_up"))
    space.fill("#id_code", code)
    space.locator("main form button[type=submit]").click()
    expect(space.locator(".messages-thread")).to_contain_text(FIRST_MESSAGE)
    expect(space.locator(".messages-thread")).to_contain_text(CLOSURE_NOTICE)
    expect(space.locator(".messages-thread")).to_contain_text(CLOSURE_REASONS)  # R18: with its reasons
    comeback.network.assert_no_third_party()
