"""Indicators of the référent network (R-ENG-3)."""

from __future__ import annotations

from django.db.models import Count, Q

from egide.core.indicators import ALL_ENTITIES, EntityScope, Indicator, IndicatorRow, Period, register
from egide.org.models import Entity, EntityKind, RoleGrant
from egide.org.roles import STAFF_REFERENT_ROLES, Role

STAFF_REFERENT_TARGET = 2


def _grants_in(scope: EntityScope, period: Period) -> Q:
    """Grants active at the end of the period, within the scope."""
    active = Q(valid_from__lte=period.end) & (Q(valid_until__isnull=True) | Q(valid_until__gte=period.end))
    return active if scope == ALL_ENTITIES else active & Q(entity_id__in=scope)


def staff_referents_per_entity(scope: EntityScope, period: Period) -> list[IndicatorRow]:
    entities = Entity.objects.filter(is_active=True)
    if scope != ALL_ENTITIES:
        entities = entities.filter(pk__in=scope)
    grant_filter = _grants_in(scope, period) & Q(role__in=STAFF_REFERENT_ROLES)
    counts = dict(
        RoleGrant.objects.filter(grant_filter)
        .values("entity_id")
        .annotate(n=Count("person", distinct=True))
        .values_list("entity_id", "n")
    )
    rows = []
    for entity in entities:
        value = counts.get(entity.pk, 0)
        meets = value >= STAFF_REFERENT_TARGET if entity.kind == EntityKind.SCHOOL else None
        rows.append(IndicatorRow(key=entity.code, label=entity.name, value=value, meets_target=meets))
    return rows


def active_grants_per_role(scope: EntityScope, period: Period) -> list[IndicatorRow]:
    counts = dict(
        RoleGrant.objects.filter(_grants_in(scope, period)).values("role").annotate(n=Count("pk")).values_list("role", "n")
    )
    return [IndicatorRow(key=role.value, label=str(role.label), value=counts.get(role.value, 0)) for role in Role]


register(
    Indicator(
        code="org.staff_referents_per_entity",
        label_fr="Référents (personnels) par entité",
        label_en="Staff référents per entity",
        unit="people",
        compute=staff_referents_per_entity,
        target_fr="Au moins 2 référents personnels par école",
        target_en="At least 2 staff référents per school",
        requirement_ids=("R-ENG-3",),
    )
)
register(
    Indicator(
        code="org.active_grants_per_role",
        label_fr="Attributions de rôle actives par rôle",
        label_en="Active role grants per role",
        unit="grants",
        compute=active_grants_per_role,
        requirement_ids=("R-ENG-3",),
    )
)
