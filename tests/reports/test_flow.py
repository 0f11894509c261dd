"""The reporter's and the handler's paths end to end through the test client, with the edge cases of the
flow: housekeeping, storage failure, set-aside, review and language switch on the last steps."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egide.reports import views
from egide.reports.choices import Status
from egide.reports.models import FollowUpSession, Report
from egide.reports.services import reports_set_aside
from tests.reports.conftest import CANARY, answers, code_of, give_key, handler_client, submit


def test_report_read_answer_follow_up(referent_a: Any, school_a: Any) -> None:
    give_key(referent_a)
    response = submit(Client(), school_a)
    assert response.status_code == 200, response.content.decode()[:3000]
    code = code_of(response)
    report = Report.objects.get()
    handler = handler_client(referent_a)
    page = handler.get(reverse("cases:report", args=[report.reference]))
    assert CANARY + "-narrative" in page.content.decode()
    handler.post(reverse("cases:report", args=[report.reference]), {"text": "We hear you."})
    reporter = Client()
    assert reporter.post(reverse("reports:follow_up"), {"code": code.lower().replace("-", " ")}).status_code == 302
    space = reporter.get(reverse("reports:space"))
    assert "We hear you." in space.content.decode()


def test_daily_housekeeping_removes_code_copies_and_expired_sessions(school_a: Any, referent_a: Any) -> None:
    give_key(referent_a)
    code = code_of(submit(Client(), school_a))
    Client().post(reverse("reports:follow_up"), {"code": code})
    Report.objects.update(replay_until=timezone.now() - datetime.timedelta(minutes=1))
    FollowUpSession.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    out = StringIO()
    call_command("reports_daily", stdout=out)
    assert "1 code copies, 1 follow-up sessions and" in out.getvalue()
    assert Report.objects.get().replay_box is None and not FollowUpSession.objects.exists()


def test_a_database_failure_keeps_what_was_typed(school_a: Any, referent_a: Any, monkeypatch: Any) -> None:
    def broken(**kwargs: Any) -> Any:
        raise OperationalError("disk I/O error")

    give_key(referent_a)
    monkeypatch.setattr(views, "report_submit", broken)
    response = submit(Client(), school_a)
    html = response.content.decode()
    assert response.status_code == 200 and not Report.objects.exists()
    assert ("rien n’a été conservé" in html or "nothing was stored" in html) and CANARY + "-narrative" in html


def test_a_set_aside_report_looks_received_to_its_reporter_and_their_message_restores_it(school_a: Any, referent_a: Any) -> None:
    give_key(referent_a)
    code = code_of(submit(Client(), school_a))
    report = Report.objects.get()
    reports_set_aside(reports=[report], handler=referent_a, reason="flood")
    reporter = Client()
    reporter.post(reverse("reports:follow_up"), {"code": code})
    page = reporter.get(reverse("reports:space")).content.decode()
    assert str(Status.SET_ASIDE.label) not in page and str(Status.RECEIVED.label) in page
    assert reporter.post(reverse("reports:space"), {"text": "I am a real person."}).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.RECEIVED and report.set_aside_at is None


def test_the_last_step_shows_the_answers_and_reopens_any_step(school_a: Any) -> None:
    data = answers(school_a, action="next", step="you")
    page = Client().post(reverse("reports:start"), data).content.decode()
    assert CANARY + "-narrative" in page and 'value="change:facts"' in page
    data["action"] = "change:facts"
    data["step"] = "send"
    reopened = Client().post(reverse("reports:start"), data)
    assert reopened.context["step"] == "facts"
    assert CANARY + "-narrative" in reopened.content.decode() and not Report.objects.exists()


def test_switching_language_mid_form_keeps_the_answers(school_a: Any) -> None:
    data = answers(school_a, action="stay", step="persons")
    response = Client().post("/en/report/", data)
    assert response.context["step"] == "persons" and response.content.decode().count(CANARY + "-author") == 1
    assert 'lang="en"' in response.content.decode()[:200] and not Report.objects.exists()


def test_wrong_codes_from_one_ipv6_subscriber_count_together(school_a: Any, settings: Any) -> None:
    for index in range(settings.EGIDE_FOLLOWUP_NETWORK_MAX_FAILURES):
        Client(REMOTE_ADDR=f"2001:db8:1:2::{index + 1:x}").post(reverse("reports:follow_up"), {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    blocked = Client(REMOTE_ADDR="2001:db8:1:2:ffff::1").post(reverse("reports:follow_up"), {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    elsewhere = Client(REMOTE_ADDR="2001:db8:1:3::1").post(reverse("reports:follow_up"), {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    assert "Too many wrong codes" in blocked.content.decode() or "Trop de codes erronés" in blocked.content.decode()
    assert "Too many wrong codes" not in elsewhere.content.decode() and "Trop de codes" not in elsewhere.content.decode()


def test_a_storage_failure_keeps_the_reporters_message(school_a: Any, referent_a: Any, monkeypatch: Any) -> None:
    def broken(**kwargs: Any) -> Any:
        raise OperationalError("disk I/O error")

    give_key(referent_a)
    code = code_of(submit(Client(), school_a))
    reporter = Client()
    reporter.post(reverse("reports:follow_up"), {"code": code})
    monkeypatch.setattr(views, "message_from_reporter", broken)
    response = reporter.post(reverse("reports:space"), {"text": f"{CANARY}-kept"})
    html = response.content.decode()
    assert response.status_code == 200 and f"{CANARY}-kept" in html
    assert "rien n’a été conservé" in html or "nothing was stored" in html
