"""Reads of the organisation for pages: the public contact directory and admin lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from egide.org.models import Entity, Person, RoleGrant
from egide.org.roles import REFERENT_ROLES


@dataclass
class EntityContacts:
    entity: Entity
    referents: list[RoleGrant] = field(default_factory=list)


def public_contacts(**entity_filter: Any) -> list[EntityContacts]:
    """Each active entity (those matching `entity_filter`) with its listening cell and its public référents."""
    entities = Entity.objects.filter(is_active=True, **entity_filter)
    directory = {entity.pk: EntityContacts(entity) for entity in entities}
    grants = (
        RoleGrant.objects.active()
        .filter(role__in=REFERENT_ROLES, is_public=True, entity__in=list(directory))
        .select_related("person")
        .order_by("role", "person__last_name", "person__first_name")
    )
    for grant in grants:
        directory[grant.entity_id].referents.append(grant)  # type: ignore[index]
    return list(directory.values())


def public_contacts_of(**entity_filter: Any) -> EntityContacts | None:
    """One active entity's contacts (e.g. `code=…` or `pk=…`), or None when it is not shown publicly."""
    found = public_contacts(**entity_filter)
    return found[0] if len(found) == 1 else None


def people_search(
    people: QuerySet[Person], *, q: str = "", entity: Entity | None = None, population: str = ""
) -> QuerySet[Person]:
    if q:
        terms = Q()
        for word in q.split()[:4]:
            terms &= (
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(email__icontains=word)
                | Q(external_id__iexact=word)
            )
        people = people.filter(terms)
    if entity is not None:
        people = people.filter(entity=entity)
    if population:
        people = people.filter(population=population)
    return people.order_by("last_name", "first_name", "pk")
