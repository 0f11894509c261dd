"""Indicators of the reporting channel, from the clear fields only (never the content).

Counts of reports describe people in the worst situations: they are `sensitive` and already pass
through the disclosure control here, so whatever page shows them later publishes no small cell.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, QuerySet

from egide.core.deadlines import local_date
from egide.core.disclosure import protect_counts
from egide.core.indicators import ALL_ENTITIES, EntityScope, Indicator, IndicatorRow, Period, register
from egide.org.models import Population
from egide.reports.choices import Status
from egide.reports.models import Report


def _reports(scope: EntityScope, period: Period) -> QuerySet[Report]:
    reports = Report.objects.filter(received_month__gte=period.start.replace(day=1), received_month__lte=period.end)
    reports = reports.exclude(status=Status.SET_ASIDE)
    return reports if scope == ALL_ENTITIES else reports.filter(entity_id__in=scope)


def received_by_population(scope: EntityScope, period: Period) -> list[IndicatorRow]:
    counts = dict(_reports(scope, period).values("population").annotate(n=Count("pk")).values_list("population", "n"))
    protected = protect_counts({population.value: counts.get(population.value, 0) for population in Population})
    rows = [IndicatorRow(key=p.value, label=str(p.label), value=protected.values[p.value]) for p in Population]
    return [*rows, IndicatorRow(key="total", label="Total", value=protected.total)]


def acknowledged_on_time(scope: EntityScope, period: Period) -> list[IndicatorRow]:
    """Share of the period's reports acknowledged in writing within 7 working days (R16), in percent."""
    due = list(_reports(scope, period).exclude(status=Status.WITHDRAWN).values_list("ack_due", "acknowledged_at"))
    on_time = sum(1 for ack_due, at in due if at is not None and local_date(at) <= ack_due)
    # Below the disclosure threshold a share would tell what happened to one or two known reports.
    value = round(100 * on_time / len(due), 1) if len(due) >= settings.EGIDE_DISCLOSURE_THRESHOLD else None
    return [IndicatorRow(key="on_time", label="%", value=value, meets_target=None if value is None else value == 100)]


register(
    Indicator(
        code="reports.received_by_population",
        label_fr="Signalements reçus selon le statut de la personne qui signale",
        label_en="Reports received by the reporter's status",
        unit="reports",
        compute=received_by_population,
        sensitive=True,
        requirement_ids=("R-SIG-1", "R13"),
    )
)
register(
    Indicator(
        code="reports.acknowledged_on_time",
        label_fr="Signalements ayant reçu un accusé de réception écrit sous 7 jours ouvrés",
        label_en="Reports acknowledged in writing within 7 working days",
        unit="percent",
        compute=acknowledged_on_time,
        target_fr="100 %",
        target_en="100%",
        requirement_ids=("R16",),
    )
)
