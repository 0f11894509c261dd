"""Who may open a report on the staff side: a handler holding a wrap of its key, while they still
hold a handler role for its entity or IMT-wide. Missing and forbidden look the same (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from egide.org.models import EntityKind, RoleGrant
from egide.org.roles import HANDLER_ROLES
from egide.reports.models import Report
from egide.vault.models import Wrap


def is_handler(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or user.person_id is None:
        return False
    return RoleGrant.objects.active().filter(person_id=user.person_id, role__in=HANDLER_ROLES).exists()


def _handled_entities(user: Any) -> tuple[set[int], bool]:
    """(entity ids the user handles, whether they belong to the IMT-level pooled unit)."""
    grants = RoleGrant.objects.active().filter(person_id=user.person_id, role__in=HANDLER_ROLES).select_related("entity")
    entity_ids, pooled = set(), False
    for grant in grants:
        if grant.entity is None or grant.entity.kind == EntityKind.HEAD_OFFICE:
            pooled = True
        if grant.entity_id is not None:
            entity_ids.add(grant.entity_id)
    return entity_ids, pooled


def reports_for_handler(user: Any) -> QuerySet[Report]:
    """The reports this handler received (or was granted), within the entities they still handle."""
    if not getattr(user, "is_authenticated", False) or user.person_id is None:
        return Report.objects.none()
    entity_ids, pooled = _handled_entities(user)
    if not entity_ids and not pooled:
        return Report.objects.none()
    wrapped = Wrap.objects.filter(user=user, kind=Wrap.Kind.HANDLER).values("envelope_id")
    scope = Q(entity_id__in=entity_ids) | (Q(pooled=True) if pooled else Q(pk__in=[]))
    return Report.objects.filter(scope, envelope_id__in=wrapped).select_related("entity")


def access_report_for_handler(user: Any, reference: str) -> Report:
    report = reports_for_handler(user).filter(reference=reference).first()
    if report is None:
        raise Http404
    return report
