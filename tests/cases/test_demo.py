"""`make run` loads the demo: a report and a case under way, idempotently."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management import call_command

from egide.cases.choices import EventKind, TaskKind
from egide.reports.models import Report


def test_the_demo_loads_a_report_and_a_case_under_way_once(db: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    call_command("egide_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("cases_demo", stdout=out)
    call_command("cases_demo", stdout=io.StringIO())
    assert Report.objects.count() == 2
    case = Report.objects.get(channel="in_person")
    kinds = set(case.events.values_list("kind", flat=True))
    assert {EventKind.OPENED, EventKind.ACKNOWLEDGEMENT, EventKind.LISTENING, EventKind.PROTECTIVE_MEASURE} <= kinds
    assert set(case.tasks.filter(done_on__isnull=True).values_list("kind", flat=True)) == {
        TaskKind.INFORM_TARGETED,
        TaskKind.MEASURE_REVIEW,
    }
    assert case.reference in out.getvalue()
