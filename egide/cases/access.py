"""Who may open a case on the staff side, and which part of it (R5, R59).

A case is open to a user who holds a wrap of its data key and, either, still holds a handler role for its
entity (or IMT-wide: the pooled unit), or has an active grant from a holder while still holding a role that
such a grant needs. Missing and forbidden look the same (404); the lists are filtered by the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from egide.cases.choices import GrantScope
from egide.cases.models import CaseGrant
from egide.org.models import EntityKind, RoleGrant, User
from egide.org.roles import CASE_FULL_ROLES, CASE_INVESTIGATION_ROLES, CASE_ROLES, HANDLER_ROLES
from egide.reports.models import Report
from egide.vault.models import Wrap

SCOPE_ROLES: dict[str, frozenset[str]] = {GrantScope.FULL: CASE_FULL_ROLES, GrantScope.INVESTIGATION: CASE_INVESTIGATION_ROLES}


def _grants(user: Any, roles: frozenset[str]) -> list[RoleGrant]:
    if not getattr(user, "is_authenticated", False) or user.person_id is None:
        return []
    cached = user.__dict__.setdefault("_egide_case_grants", {})  # memoised for the request, like org.access
    if roles not in cached:
        cached[roles] = list(RoleGrant.objects.active().filter(person_id=user.person_id, role__in=roles).select_related("entity"))
    return list(cached[roles])


def is_handler(user: Any) -> bool:
    """Receives reports for an entity (référent écoute or signalement)."""
    return bool(_grants(user, HANDLER_ROLES))


def is_case_worker(user: Any) -> bool:
    """May hold cases (handlers, legal direction, HR, investigators): needs a personal key."""
    return bool(_grants(user, CASE_ROLES))


def _entity_scope(grants: list[RoleGrant]) -> Q:
    """The cases of the entities these role grants cover; an IMT-wide or head-office grant covers the pooled cases."""
    entity_ids = {grant.entity_id for grant in grants if grant.entity_id is not None}
    pooled = any(grant.entity is None or grant.entity.kind == EntityKind.HEAD_OFFICE for grant in grants)
    scope = Q(entity_id__in=entity_ids)
    if pooled:
        scope |= Q(pooled=True)
    return scope


def _covers(grants: list[RoleGrant], report: Report) -> bool:
    return any(grant.entity_id is None or grant.entity_id == report.entity_id for grant in grants) or (
        report.pooled and any(grant.entity is not None and grant.entity.kind == EntityKind.HEAD_OFFICE for grant in grants)
    )


def cases_for_user(user: Any) -> QuerySet[Report]:
    """Every case this user may open, whatever the part."""
    case_grants = _grants(user, CASE_ROLES)
    if not case_grants:
        return Report.objects.none()
    wrapped = Exists(Wrap.objects.filter(envelope_id=OuterRef("envelope_id"), user=user, kind=Wrap.Kind.HANDLER))
    handler_grants = [grant for grant in case_grants if grant.role in HANDLER_ROLES]
    scope = _entity_scope(handler_grants) if handler_grants else Q(pk__in=[])
    granted_scopes = [scope_name for scope_name, roles in SCOPE_ROLES.items() if any(g.role in roles for g in case_grants)]
    granted = list(
        CaseGrant.objects.filter(user=user, revoked_on__isnull=True, scope__in=granted_scopes).values_list("report_id", flat=True)
    )
    return Report.objects.filter(scope | Q(pk__in=granted), wrapped).select_related("entity")


@dataclass(frozen=True)
class CaseAccess:
    report: Report
    scope: str  # GrantScope: what part of the case the user sees

    @property
    def full(self) -> bool:
        return self.scope == GrantScope.FULL


def access_case(user: Any, reference: str) -> CaseAccess:
    report = cases_for_user(user).filter(reference=reference).first()
    if report is None:
        raise Http404
    handler_grants = _grants(user, HANDLER_ROLES)
    if handler_grants and _covers(handler_grants, report):
        return CaseAccess(report, GrantScope.FULL)
    scopes = set(CaseGrant.objects.filter(report=report, user=user, revoked_on__isnull=True).values_list("scope", flat=True))
    return CaseAccess(report, GrantScope.FULL if GrantScope.FULL in scopes else GrantScope.INVESTIGATION)


def access_full_case(user: Any, reference: str) -> CaseAccess:
    """For what only the case team does (messages to the reporter, grants, closure): 404 for an investigator."""
    access = access_case(user, reference)
    if not access.full:
        raise Http404
    return access


def eligible_grantees(report: Report, scope: str) -> QuerySet[User]:
    """Who may be given this part of the case: a keyed user holding a role for it, for its entity or IMT-wide."""
    roles = SCOPE_ROLES.get(scope, frozenset())
    grants = (
        RoleGrant.objects.active()
        .filter(role__in=roles)
        .filter(Q(entity_id=report.entity_id) | Q(entity__isnull=True) | Q(entity__kind=EntityKind.HEAD_OFFICE))
    )
    return User.objects.filter(person_id__in=grants.values("person_id"), is_active=True, vault_key__isnull=False).order_by(
        "email"
    )
