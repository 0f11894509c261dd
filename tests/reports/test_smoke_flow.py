from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from egide.reports.models import Report
from tests.reports.conftest import CANARY, code_of, give_key, handler_client, submit


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
