"""The directories: support resources, partner lawyers, investigators and professionals.

Who reads and who edits each one is decided here. Editing is scoped: a grant for one entity edits
that entity's rows (and its sub-units'); a grant for all of IMT also edits the IMT-wide rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from egide.kb.articles import INTERNAL_READER_ROLES
from egide.kb.models import Event, Investigator, PartnerLawyer, Professional, SupportResource
from egide.org.access import ALL, active_grants, descendant_ids, user_roles
from egide.org.roles import HANDLER_ROLES, Role


@dataclass(frozen=True)
class Directory:
    key: str
    model: type[Model]
    title: Promise
    intro: Promise
    readers: frozenset[str]
    editors: frozenset[str]
    fields: tuple[str, ...]
    columns: tuple[tuple[Promise, str], ...]  # (heading, attribute or get_*_display)
    sourced: bool = True  # a DirectoryRow: contact details, active flag, source and confidence


COMMON = ("entity", "phone", "email", "website", "address", "active", "source", "version_date", "confidence")

DIRECTORIES = {
    directory.key: directory
    for directory in (
        Directory(
            key="support",
            model=SupportResource,
            title=_("Support resources"),
            intro=_(
                "Medical, psychological, social and legal support for each entity and population. The public ones "
                "appear on the entity's contacts page; handlers propose them when they orient a person."
            ),
            readers=INTERNAL_READER_ROLES | {Role.IMT_ADMIN, Role.ENTITY_ADMIN, Role.HR},
            editors=frozenset({Role.IMT_ADMIN, Role.ENTITY_ADMIN, Role.COMMUNICATION, Role.LEGAL}) | HANDLER_ROLES,
            fields=(
                "kind",
                "name_fr",
                "name_en",
                "description_fr",
                "description_en",
                "hours_fr",
                "hours_en",
                "populations",
                "public",
                *COMMON,
            ),
            columns=((_("Name"), "name"), (_("Kind"), "get_kind_display"), (_("Entity"), "entity"), (_("Phone"), "phone")),
        ),
        Directory(
            key="lawyers",
            model=PartnerLawyer,
            title=_("Partner lawyers"),
            intro=_("Lawyers of each site's bar partnership, who can be proposed to the people concerned."),
            readers=INTERNAL_READER_ROLES | {Role.HR},
            editors=frozenset({Role.LEGAL}),
            fields=("name", "firm", "bar", "specialities", "languages", *COMMON),
            columns=((_("Name"), "name"), (_("Bar"), "bar"), (_("Entity"), "entity"), (_("Phone"), "phone")),
        ),
        Directory(
            key="investigators",
            model=Investigator,
            title=_("Investigators"),
            intro=_("People who can be called on to investigate, with the criteria they meet. For référents only."),
            readers=INTERNAL_READER_ROLES,
            editors=frozenset({Role.LEGAL}),
            fields=("name", "organisation", "internal", "gender", "languages", "criteria", "notes", *COMMON),
            columns=(
                (_("Name"), "name"),
                (_("Organisation"), "organisation"),
                (_("Gender"), "get_gender_display"),
                (_("Languages"), "languages"),
            ),
        ),
        Directory(
            key="professionals",
            model=Professional,
            title=_("Professionals"),
            intro=_("Internal and external professionals référents can turn to. For référents only."),
            readers=INTERNAL_READER_ROLES,
            editors=frozenset({Role.LEGAL}) | HANDLER_ROLES,
            fields=("name", "profession", "organisation", "internal", "languages", "notes", *COMMON),
            columns=((_("Name"), "name"), (_("Profession"), "get_profession_display"), (_("Organisation"), "organisation")),
        ),
        Directory(
            key="events",
            model=Event,
            title=_("Calendar"),
            intro=_(
                "The key dates of the public calendar and its iCalendar feed: each entity's events, awareness weeks "
                "and survey windows, and IMT's inter-school dates (no entity)."
            ),
            readers=frozenset({Role.IMT_ADMIN, Role.ENTITY_ADMIN}),
            editors=frozenset({Role.COMMUNICATION, Role.LEGAL}),
            fields=("title_fr", "title_en", "kind", "starts_on", "ends_on", "entity", "description_fr", "description_en"),
            columns=(
                (_("Title"), "title"),
                (_("Kind"), "get_kind_display"),
                (_("Starts on"), "starts_on"),
                (_("Ends on"), "ends_on"),
                (_("Entity"), "entity"),
            ),
            sourced=False,
        ),
    )
}


def can_read(user: Any, directory: Directory) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user_roles(user) & (directory.readers | directory.editors))


def edit_scope(user: Any, directory: Directory) -> set[int] | str:
    """ALL, or the ids of the entities whose rows this user may edit in this directory (maybe none)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return ALL
    direct: set[int] = set()
    for grant in active_grants(user):
        if grant.role in directory.editors:
            if grant.entity_id is None:
                return ALL
            direct.add(grant.entity_id)
    return descendant_ids(direct) if direct else set()


def editable(user: Any, directory: Directory, queryset: QuerySet[Any]) -> QuerySet[Any]:
    scope = edit_scope(user, directory)
    if scope == ALL:
        return queryset
    return queryset.filter(entity_id__in=scope) if scope else queryset.none()


def readable_directories(user: Any) -> list[Directory]:
    return [directory for directory in DIRECTORIES.values() if can_read(user, directory)]


def public_support(entity: Any) -> QuerySet[SupportResource]:
    """The public support resources of an entity's contacts page: its own and IMT-wide ones."""
    return SupportResource.objects.filter(Q(entity=entity) | Q(entity__isnull=True), public=True, active=True)
