"""Who may see and change what in the organisation. Every org view goes through these functions.

A role never reaches outside its scope: an entity administrator administers their entity and its
sub-units, an IMT administrator (or an IMT-wide entity administrator) all of them. Missing and
forbidden objects look the same (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from egide.org.models import Entity, EntityKind, Person, RoleGrant, RoleGrantQuerySet
from egide.org.roles import HANDLER_ROLES, IMT_ONLY_ROLES, TWO_FACTOR_ROLES, Role

ALL = "all"


def _active_grants(user: Any) -> list[RoleGrant]:
    """The user's active grants, memoised on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.person_id is None:
        return []
    cached = getattr(user, "_egide_grants", None)
    if cached is None:
        cached = list(RoleGrant.objects.active().filter(person_id=user.person_id))
        user._egide_grants = cached
    return cached


def active_grants(user: Any) -> list[RoleGrant]:
    return list(_active_grants(user))


def user_roles(user: Any) -> set[str]:
    return {grant.role for grant in _active_grants(user)}


def user_requires_two_factor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.is_staff or user_roles(user) & TWO_FACTOR_ROLES)


def descendant_ids(entity_ids: set[int]) -> set[int]:
    """Entity ids with all their sub-units (the tree is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Entity.objects.order_by().values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    result, stack = set(), list(entity_ids)
    while stack:
        current = stack.pop()
        if current not in result:
            result.add(current)
            stack.extend(children.get(current, []))
    return result


def administered_entity_ids(user: Any) -> set[int] | str:
    """ALL, or the ids of the entities the user administers (possibly empty); memoised per request."""
    cached = getattr(user, "_egide_admin_scope", None)
    if cached is None:
        cached = _administered_entity_ids(user)
        if getattr(user, "is_authenticated", False):
            user._egide_admin_scope = cached
    return cached


def _administered_entity_ids(user: Any) -> set[int] | str:
    if getattr(user, "is_superuser", False) and user.is_active:
        return ALL
    direct: set[int] = set()
    for grant in _active_grants(user):
        if grant.role == Role.IMT_ADMIN or (grant.role == Role.ENTITY_ADMIN and grant.entity_id is None):
            return ALL
        if grant.role == Role.ENTITY_ADMIN and grant.entity_id is not None:
            direct.add(grant.entity_id)
    return descendant_ids(direct) if direct else set()


def is_org_admin(user: Any) -> bool:
    scope = administered_entity_ids(user)
    return scope == ALL or bool(scope)


def is_imt_admin(user: Any) -> bool:
    return administered_entity_ids(user) == ALL


def entities_for_admin(user: Any) -> QuerySet[Entity]:
    scope = administered_entity_ids(user)
    if scope == ALL:
        return Entity.objects.all()
    return Entity.objects.filter(pk__in=scope)


def access_entity_for_admin(user: Any, code: str) -> Entity:
    try:
        return entities_for_admin(user).get(code=code)
    except Entity.DoesNotExist:
        raise Http404 from None


def people_for_admin(user: Any) -> QuerySet[Person]:
    scope = administered_entity_ids(user)
    queryset = Person.objects.select_related("entity")
    if scope == ALL:
        return queryset
    return queryset.filter(entity_id__in=scope)


def access_person_for_admin(user: Any, pk: int) -> Person:
    try:
        return people_for_admin(user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def grants_for_admin(user: Any) -> RoleGrantQuerySet:
    """Grants whose scope the user administers. IMT-wide grants are seen by IMT administrators only."""
    scope = administered_entity_ids(user)
    queryset = RoleGrant.objects.select_related("person", "person__entity", "entity")
    if scope == ALL:
        return queryset
    return queryset.filter(entity_id__in=scope)


def access_grant_for_admin(user: Any, pk: int) -> RoleGrant:
    try:
        return grants_for_admin(user).get(pk=pk)
    except RoleGrant.DoesNotExist:
        raise Http404 from None


def check_can_give_account(user: Any, person: Person) -> bool:
    """An account inherits the person's roles: only someone who could grant all of them may create it."""
    grants = RoleGrant.objects.filter(person=person).select_related("entity")
    return all(check_can_grant(user, role=grant.role, entity=grant.entity, person=person) is None for grant in grants)


def check_can_grant(user: Any, *, role: str, entity: Entity | None, person: Person) -> str | None:
    """Why the user may not create this grant, or None when they may."""
    scope = administered_entity_ids(user)
    if scope != ALL:
        if entity is None:
            return "scope"
        if entity.pk not in scope:
            return "scope"
        if role in IMT_ONLY_ROLES:
            return "role"
        if role in HANDLER_ROLES and entity.kind == EntityKind.HEAD_OFFICE:
            return "role"  # handlers of the head office are the IMT-wide pooled unit: only IMT administrators appoint them
        if person.entity_id not in scope:
            return "person"
    return None
