"""Each entity's "who to contact" page comes from the référent network: never typed twice."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from egide.org.models import Entity, RoleGrant
from egide.org.roles import Role
from tests.conftest import SCHOOL_A, make_user


def test_every_active_entity_has_a_page(db: Any) -> None:
    for entity in Entity.objects.filter(is_active=True):
        assert Client().get(reverse("kb:contacts", args=[entity.code])).status_code == 200


def test_an_unknown_or_inactive_entity_is_not_found(db: Any) -> None:
    assert Client().get(reverse("kb:contacts", args=["nowhere"])).status_code == 404
    Entity.objects.filter(code=SCHOOL_A).update(is_active=False)
    assert Client().get(reverse("kb:contacts", args=[SCHOOL_A])).status_code == 404


def test_the_page_shows_the_cell_and_only_the_public_referents(db: Any, school_a: Entity, referent_a: Any) -> None:
    Entity.objects.filter(pk=school_a.pk).update(cell_email="ecoute@telecom-paris.example", cell_phone="01 23 45 67 89")
    hidden = make_user("henri.hidden@example.org", school_a, (Role.REFERENT_SIGNALEMENT, school_a))
    assert not RoleGrant.objects.get(person=hidden.person).is_public
    html = Client().get(reverse("kb:contacts", args=[SCHOOL_A])).content.decode()
    assert "ecoute@telecom-paris.example" in html and 'href="tel:0123456789"' in html
    assert referent_a.person.full_name in html
    assert hidden.person is not None and hidden.person.full_name not in html


def test_the_home_page_links_to_each_entity_page(db: Any) -> None:
    html = Client().get(reverse("org:home")).content.decode()
    for entity in Entity.objects.filter(is_active=True):
        assert reverse("kb:contacts", args=[entity.code]) in html
