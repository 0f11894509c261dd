from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from egide.core.indicators import ALL_ENTITIES, Period, get_indicator
from egide.reports.models import Report
from tests.reports.conftest import give_key, submit, token_for


def _period() -> Period:
    today = timezone.localdate()
    return Period(today.replace(month=1, day=1), today.replace(month=12, day=31))


def test_reports_by_population_suppress_small_counts(school_a: Any, referent_a: Any) -> None:
    give_key(referent_a)
    for index in range(6):
        submit(Client(), school_a, submission_token=token_for(index))
    submit(Client(), school_a, submission_token=token_for(99), population="doctoral")
    rows = {row.key: row.value for row in get_indicator("reports.received_by_population").compute(ALL_ENTITIES, _period())}
    assert rows["doctoral"] is None  # 1 is below the threshold
    # ...and it cannot be recomputed: another number is withheld with it (complementary suppression).
    assert sum(value is None for key, value in rows.items() if key != "total") >= 2 or rows["total"] is None


def test_acknowledged_on_time_share(school_a: Any, referent_a: Any, settings: Any) -> None:
    settings.EGIDE_DISCLOSURE_THRESHOLD = 2
    give_key(referent_a)
    for index in range(2):
        submit(Client(), school_a, submission_token=token_for(index))
    first, second = Report.objects.order_by("pk")
    Report.objects.filter(pk=first.pk).update(acknowledged_at=timezone.now())
    Report.objects.filter(pk=second.pk).update(acknowledged_at=timezone.now() + datetime.timedelta(days=30))
    rows = get_indicator("reports.acknowledged_on_time").compute(ALL_ENTITIES, _period())
    assert rows[0].value == 50.0 and rows[0].meets_target is False


def test_acknowledged_on_time_is_withheld_below_the_disclosure_threshold(school_a: Any, referent_a: Any) -> None:
    give_key(referent_a)
    submit(Client(), school_a, submission_token=token_for(1))
    rows = get_indicator("reports.acknowledged_on_time").compute(ALL_ENTITIES, _period())
    assert rows[0].value is None
