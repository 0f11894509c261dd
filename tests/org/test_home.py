"""The public home page: help first, contacts generated from role grants, no query per entity."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egide.org.models import Entity, Person, Population, RoleGrant
from egide.org.roles import Role

NUMBERS = ["17", "112", "15", "114", "3919", "119", "3018", "3928"]


def _referent(entity: Entity, last_name: str, role: str = Role.REFERENT_ECOUTE, **extra: Any) -> RoleGrant:
    person = Person.objects.create(
        first_name="Test",
        last_name=last_name,
        email=f"{last_name.lower()}@example.org",
        population=Population.STAFF_CONTRACT,
        entity=entity,
    )
    return RoleGrant.objects.create(person=person, role=role, entity=entity, valid_from=datetime.date(2024, 1, 1), **extra)


def test_home_in_both_languages_with_all_help_numbers(db: Any) -> None:
    for path, heading in (("/fr/", "Besoin d’aide maintenant"), ("/en/", "Need help now?")):
        html = Client().get(path).content.decode()
        assert heading in html
        for number in NUMBERS:
            assert f">{number}</a>" in html
        assert 'id="quick-exit"' in html


def test_root_redirects_by_browser_language(db: Any) -> None:
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en")["Location"] == "/en/"
    assert Client().get("/", HTTP_ACCEPT_LANGUAGE="fr-FR")["Location"] == "/fr/"


def test_contacts_come_from_public_active_referent_grants(school_a: Entity) -> None:
    _referent(school_a, "Publique", is_public=True, languages="fr,en")
    _referent(school_a, "Discrete", is_public=False)
    _referent(school_a, "Partie", is_public=True, valid_until=datetime.date(2024, 6, 30))
    _referent(school_a, "Enqueteur", role=Role.INVESTIGATOR)
    html = Client().get("/fr/").content.decode()
    assert "Publique" in html and "FR, EN" in html
    assert "Discrete" not in html and "Partie" not in html and "Enqueteur" not in html


def test_missing_contact_points_are_shown_as_to_be_completed(school_a: Entity) -> None:
    html = Client().get("/en/").content.decode()
    assert "have not been entered yet" in html


def test_home_query_count_does_not_grow_with_referents(db: Any) -> None:
    for entity in Entity.objects.all():
        _referent(entity, f"Ref{entity.pk}", is_public=True)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/fr/").status_code == 200
    assert len(queries) <= 3


def test_home_refuses_post(db: Any) -> None:
    assert Client().post("/fr/").status_code == 405
