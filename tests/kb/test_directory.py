"""The directories: who reads them, who edits which rows, and what reaches the public contacts page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from egide.core.models import AuditEvent
from egide.kb.models import Investigator, InvestigatorCriterion, PartnerLawyer, Professional, SupportResource
from egide.org.models import Entity, Population
from egide.org.roles import Role
from tests.conftest import make_user
from tests.reports.conftest import give_key

KEYS = ("support", "lawyers", "investigators", "professionals")


def _resource(entity: Entity | None, name: str, **extra: Any) -> SupportResource:
    return SupportResource.objects.create(
        entity=entity,
        kind=SupportResource.Kind.PSYCHOLOGIST,
        name_fr=name,
        name_en=f"{name} (en)",
        phone="01 02 03 04 05",
        source="Convention 2026",
        version_date=datetime.date(2026, 9, 1),
        **extra,
    )


def _data(entity: Entity | None, **changes: Any) -> dict[str, Any]:
    data = {
        "kind": "psychologist",
        "name_fr": "Cabinet de psychologie",
        "name_en": "Psychology practice",
        "entity": entity.pk if entity else "",
        "phone": "01 02 03 04 05",
        "public": "on",
        "active": "on",
        "populations": [Population.STUDENT],
        "source": "Site de l'école",
        "version_date": "2026-11-01",
        "confidence": "S",
        "action": "save",
    }
    data.update(changes)
    return data


@pytest.fixture
def equality_a(school_a: Entity) -> Any:
    return make_user("eve.egalite@example.org", school_a, (Role.REFERENT_EGALITE, school_a))


@pytest.fixture
def legal(db: Any) -> Any:
    return make_user("lea.legal@example.org", Entity.objects.get(code="dg"), (Role.LEGAL, None))


def test_referents_read_every_directory_and_others_none(
    as_user: Any, equality_a: Any, pilot: Any, student: Any, admin_a: Any
) -> None:
    for key in KEYS:
        path = reverse("kb:directory", kwargs={"key": key})
        assert as_user(equality_a).get(path).status_code == 200
        assert as_user(pilot).get(path).status_code == 403
        assert as_user(student).get(path).status_code == 403
        assert Client().get(path).status_code == 302
    # An entity administrator reads (and edits) the support resources, not the investigators.
    assert as_user(admin_a).get(reverse("kb:directory", kwargs={"key": "support"})).status_code == 200
    assert as_user(admin_a).get(reverse("kb:directory", kwargs={"key": "investigators"})).status_code == 403
    assert as_user(admin_a).get(reverse("kb:directory", kwargs={"key": "nope"})).status_code == 404


def test_an_entity_grant_edits_its_own_rows_only(as_user: Any, admin_a: Any, school_a: Entity, school_b: Entity) -> None:
    client = as_user(admin_a)
    response = client.post(reverse("kb:directory_new", kwargs={"key": "support"}), _data(school_a))
    assert response.status_code == 302
    created = SupportResource.objects.get(name_fr="Cabinet de psychologie")
    assert created.entity == school_a and created.populations == [Population.STUDENT]
    assert AuditEvent.objects.filter(action="kb.directory_saved", object_id=str(created.pk)).exists()
    # Another school's row, or an IMT-wide one: neither reachable nor creatable.
    other, national = _resource(school_b, "Autre école"), _resource(None, "Ligne nationale")
    for row in (other, national):
        assert client.get(reverse("kb:directory_edit", kwargs={"key": "support", "pk": row.pk})).status_code == 404
    for entity in (school_b, None):
        response = client.post(reverse("kb:directory_new", kwargs={"key": "support"}), _data(entity, name_fr="Intrus"))
        assert response.status_code == 200 and 'class="error' in response.content.decode()
    assert not SupportResource.objects.filter(name_fr="Intrus").exists()


def test_a_handler_edits_the_support_resources_and_professionals_not_the_investigators(
    as_user: Any, referent_a: Any, school_a: Entity
) -> None:
    give_key(referent_a)
    client = as_user(referent_a)
    assert client.get(reverse("kb:directory_new", kwargs={"key": "support"})).status_code == 200
    assert client.get(reverse("kb:directory_new", kwargs={"key": "professionals"})).status_code == 200
    assert client.get(reverse("kb:directory_new", kwargs={"key": "investigators"})).status_code == 403
    assert client.get(reverse("kb:directory_new", kwargs={"key": "lawyers"})).status_code == 403


def test_the_legal_direction_keeps_the_investigators_with_their_criteria(as_user: Any, legal: Any, school_a: Entity) -> None:
    criteria = list(InvestigatorCriterion.objects.values_list("pk", flat=True)[:2])
    assert criteria, "the first criteria come from a data migration"
    data = {
        "name": "Nadia Enquêtrice",
        "organisation": "IMT",
        "internal": "on",
        "gender": "woman",
        "languages": "fr, en",
        "criteria": criteria,
        "entity": "",
        "active": "on",
        "source": "Note de la direction juridique",
        "version_date": "2026-11-01",
        "confidence": "V",
        "action": "save",
    }
    assert as_user(legal).post(reverse("kb:directory_new", kwargs={"key": "investigators"}), data).status_code == 302
    investigator = Investigator.objects.get(name="Nadia Enquêtrice")
    assert investigator.entity is None and set(investigator.criteria.values_list("pk", flat=True)) == set(criteria)
    page = as_user(legal).get(reverse("kb:directory", kwargs={"key": "investigators"})).content.decode()
    assert "Nadia Enquêtrice" in page and escape(InvestigatorCriterion.objects.get(pk=criteria[0]).label_fr) in page
    response = as_user(legal).post(
        reverse("kb:directory_edit", kwargs={"key": "investigators", "pk": investigator.pk}), {"action": "delete"}
    )
    assert response.status_code == 302 and not Investigator.objects.exists()
    assert AuditEvent.objects.filter(action="kb.directory_deleted").exists()


def test_bad_input_is_refused_and_changes_nothing(as_user: Any, legal: Any) -> None:
    before = PartnerLawyer.objects.count()
    bad = {"name": "", "bar": "Paris", "email": "pas-un-courriel", "version_date": "hier", "source": "", "action": "save"}
    response = as_user(legal).post(reverse("kb:directory_new", kwargs={"key": "lawyers"}), bad)
    assert response.status_code == 200 and response.content.decode().count('class="error') >= 1
    assert PartnerLawyer.objects.count() == before and not Professional.objects.exists()


def test_public_support_resources_reach_the_entitys_contacts_page(school_a: Entity, school_b: Entity) -> None:
    _resource(school_a, "Psychologue de l'école A", populations=[Population.STUDENT])
    _resource(None, "Association nationale")
    _resource(school_b, "Psychologue de l'école B")
    _resource(school_a, "Réservé aux référents", public=False)
    _resource(school_a, "Ancien partenaire", active=False)
    with translation.override("fr"):
        html = Client().get(reverse("kb:contacts", kwargs={"code": school_a.code})).content.decode()
    assert "Psychologue de l&#x27;école A" in html and "Association nationale" in html and "Étudiant" in html
    for absent in ("école B", "Réservé aux référents", "Ancien partenaire"):
        assert absent not in html


def _event(entity: Entity | None, **changes: Any) -> dict[str, Any]:
    data = {
        "title_fr": "Semaine de l'égalité",
        "title_en": "Equality week",
        "kind": "week",
        "starts_on": "2027-03-08",
        "ends_on": "2027-03-12",
        "entity": entity.pk if entity else "",
        "description_fr": "",
        "description_en": "",
        "action": "save",
    }
    data.update(changes)
    return data


def test_the_communication_team_keeps_its_entitys_calendar(as_user: Any, school_a: Entity, school_b: Entity) -> None:
    from egide.kb.models import Event

    team = make_user("cora.comm@example.org", school_a, (Role.COMMUNICATION, school_a))
    client = as_user(team)
    form = client.get(reverse("kb:directory_new", kwargs={"key": "events"})).content.decode()
    assert "Titre (français)" in form and "Date de début" in form  # the labels speak the page's language
    assert client.post(reverse("kb:directory_new", kwargs={"key": "events"}), _event(school_a)).status_code == 302
    event = Event.objects.get(title_en="Equality week")
    assert event.entity == school_a
    assert AuditEvent.objects.filter(action="kb.directory_saved", object_id=str(event.pk)).exists()
    with translation.override("en"):
        assert "Equality week" in Client().get(reverse("kb:agenda") + f"?entity={school_a.code}").content.decode()
    # Not another school's calendar, not the inter-school one; an end before the start is refused.
    for bad in (
        _event(school_b, title_en="Intrusion"),
        _event(None, title_en="Intrusion"),
        _event(school_a, title_en="Intrusion", ends_on="2027-03-01"),
    ):
        response = client.post(reverse("kb:directory_new", kwargs={"key": "events"}), bad)
        assert response.status_code == 200 and 'class="error' in response.content.decode()
    assert not Event.objects.filter(title_en="Intrusion").exists()


def test_an_imt_wide_grant_keeps_the_inter_school_dates(as_user: Any, legal: Any) -> None:
    from egide.kb.models import Event

    assert as_user(legal).post(reverse("kb:directory_new", kwargs={"key": "events"}), _event(None)).status_code == 302
    assert Event.objects.get(title_en="Equality week").entity is None
