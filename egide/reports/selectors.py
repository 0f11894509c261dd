"""Who receives a report: the handlers of the chosen entity who have a key, minus those the
reporter excluded; the IMT-level pooled unit as well when none of them has a key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from egide.org.models import Entity, EntityKind, Person, RoleGrant, User
from egide.org.roles import ADMIN_ROLES, HANDLER_ROLES, Role


def _handler_grants() -> Q:
    return Q(role__in=HANDLER_ROLES)


def entity_handlers(entity: Entity) -> list[Person]:
    """The people who would receive a report for this entity (offered for exclusion on the form):
    its handlers, and the IMT-level pooled unit too when none of them can receive it yet."""
    person_ids = set(RoleGrant.objects.active().filter(_handler_grants(), entity=entity).values_list("person_id", flat=True))
    if not User.objects.filter(person_id__in=person_ids, is_active=True, vault_key__isnull=False).exists():
        person_ids |= {user.person_id for user in _keyed_users(pooled_unit_filter(), []) if user.person_id is not None}
    return list(Person.objects.filter(pk__in=person_ids).order_by("last_name", "first_name"))


def _keyed_users(grants: Q, excluded_person_ids: list[int]) -> list[User]:
    person_ids = RoleGrant.objects.active().filter(grants).values_list("person_id", flat=True)
    return list(
        User.objects.filter(person_id__in=person_ids, is_active=True, vault_key__isnull=False)
        .exclude(person_id__in=excluded_person_ids)
        .select_related("vault_key")
        .order_by("pk")
    )


def pooled_unit_filter() -> Q:
    """Handler grants that cover all of IMT: no entity, or the head office."""
    return _handler_grants() & (Q(entity__isnull=True) | Q(entity__kind=EntityKind.HEAD_OFFICE))


def recipients_for(entity: Entity, *, excluded_person_ids: list[int]) -> tuple[list[User], bool]:
    """(handlers to wrap the key to, whether the pooled unit had to be added)."""
    handlers = _keyed_users(_handler_grants() & Q(entity=entity), excluded_person_ids)
    if handlers:
        return handlers, False
    pooled = _keyed_users(pooled_unit_filter(), excluded_person_ids)
    return pooled, True


def entity_admin_emails(entity: Entity) -> list[str]:
    person_ids = (
        RoleGrant.objects.active()
        .filter(Q(role=Role.ENTITY_ADMIN, entity=entity) | Q(role=Role.IMT_ADMIN))
        .filter(role__in=ADMIN_ROLES)
        .values_list("person_id", flat=True)
    )
    return list(User.objects.filter(person_id__in=person_ids, is_active=True).values_list("email", flat=True))


@dataclass(frozen=True)
class Readiness:
    entity: Entity
    handlers: int
    keyed: int
    has_escrow: bool

    @property
    def warning(self) -> bool:
        return self.keyed < 2 or not self.has_escrow


def key_readiness(entities: list[Entity]) -> list[Readiness]:
    """Per entity: its handlers, how many have a key, whether an escrow key exists (warn below two)."""
    from egide.vault.models import EscrowKey

    escrowed = set(EscrowKey.objects.filter(retired_at__isnull=True).values_list("entity_id", flat=True))
    head_offices = set(Entity.objects.filter(kind=EntityKind.HEAD_OFFICE).values_list("pk", flat=True))
    result = []
    for entity in entities:
        person_ids = RoleGrant.objects.active().filter(_handler_grants(), entity=entity).values_list("person_id", flat=True)
        users = User.objects.filter(person_id__in=person_ids, is_active=True)
        result.append(
            Readiness(
                entity=entity,
                handlers=len(set(person_ids)),
                keyed=users.filter(vault_key__isnull=False).count(),
                has_escrow=bool({entity.pk, entity.parent_id, *head_offices} & escrowed),
            )
        )
    return result
