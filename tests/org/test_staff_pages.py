"""Organisation pages: each administrator sees and changes only their scope; every view has its
negative tests (anonymous, wrong role, other entity, wrong method)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from egide.core.models import AuditEvent
from egide.org.models import Entity, Person, Population, RoleGrant, User
from egide.org.roles import Role
from tests.reports.conftest import give_key

ClientFor = Callable[[User], Client]


@pytest.fixture
def person_a(school_a: Entity) -> Person:
    return Person.objects.create(
        first_name="Zoé", last_name="Fictive", email="zoe@example.org", population=Population.STUDENT, entity=school_a
    )


@pytest.fixture
def person_b(school_b: Entity) -> Person:
    return Person.objects.create(
        first_name="Yves", last_name="Inventé", email="yves@example.org", population=Population.STUDENT, entity=school_b
    )


def _pages(person_pk: int, grant_pk: int, entity_code: str) -> list[str]:
    return [
        "/fr/staff/org/entities/",
        f"/fr/staff/org/entities/{entity_code}/edit/",
        "/fr/staff/org/people/",
        "/fr/staff/org/people/new/",
        f"/fr/staff/org/people/{person_pk}/",
        f"/fr/staff/org/people/{person_pk}/edit/",
        f"/fr/staff/org/people/{person_pk}/grants/new/",
        "/fr/staff/org/grants/",
        f"/fr/staff/org/grants/{grant_pk}/end/",
        "/fr/staff/org/import/",
    ]


def test_anonymous_is_sent_to_sign_in_everywhere(person_a: Person, referent_a: User) -> None:
    grant = RoleGrant.objects.get(person=referent_a.person)
    for path in [*_pages(person_a.pk, grant.pk, "telecom-paris"), "/fr/staff/", "/fr/staff/indicators/"]:
        response = Client().get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/fr/staff/login/?next="), path


def test_roles_without_administration_get_404(
    person_a: Person, referent_a: User, student: User, pilot: User, as_user: ClientFor
) -> None:
    grant = RoleGrant.objects.get(person=referent_a.person)
    give_key(referent_a)  # a handler without a personal key is first sent to create one
    for user in (referent_a, student, pilot):
        client = as_user(user)
        for path in _pages(person_a.pk, grant.pk, "telecom-paris"):
            assert client.get(path).status_code == 404, (user.email, path)


def test_entity_admin_sees_only_own_entity(
    admin_a: User, person_a: Person, person_b: Person, referent_b: User, as_user: ClientFor
) -> None:
    client = as_user(admin_a)
    entities = client.get("/fr/staff/org/entities/").content.decode()
    assert "Télécom Paris" in entities and "IMT Mines Albi" not in entities
    people = client.get("/fr/staff/org/people/").content.decode()
    assert "Fictive" in people and "Inventé" not in people
    grant_b = RoleGrant.objects.get(person=referent_b.person)
    for path in _pages(person_b.pk, grant_b.pk, "imt-mines-albi"):
        if "{" in path or path.endswith(("/entities/", "/people/", "/people/new/", "/grants/", "/import/")):
            continue
        assert client.get(path).status_code == 404, path
    assert client.post(f"/fr/staff/org/people/{person_b.pk}/edit/", {"first_name": "X"}).status_code == 404
    assert client.post(f"/fr/staff/org/grants/{grant_b.pk}/end/", {"reason": "x"}).status_code == 404
    grants = client.get("/fr/staff/org/grants/").content.decode()
    assert referent_b.person.last_name not in grants  # type: ignore[union-attr]


def test_entity_filter_cannot_reach_other_entity(admin_a: User, person_b: Person, as_user: ClientFor) -> None:
    response = as_user(admin_a).get("/fr/staff/org/people/?entity=imt-mines-albi")
    assert "Inventé" not in response.content.decode()


def test_imt_admin_sees_everything(imt_admin: User, person_a: Person, person_b: Person, as_user: ClientFor) -> None:
    people = as_user(imt_admin).get("/fr/staff/org/people/?q=example.org").content.decode()
    assert "Fictive" in people and "Inventé" in people


def test_entity_admin_edits_contact_points_and_it_is_audited(admin_a: User, school_a: Entity, as_user: ClientFor) -> None:
    client = as_user(admin_a)
    data = {
        "name_fr": school_a.name_fr,
        "name_en": school_a.name_en,
        "city": school_a.city,
        "website": school_a.website,
        "cell_address": "Bâtiment A, bureau 12",
        "cell_email": "ecoute@example.org",
        "cell_phone": "01 00 00 00 00",
        "cell_hours_fr": "Lundi–vendredi 9h–17h",
        "cell_hours_en": "Monday–Friday 9am–5pm",
        "is_active": "on",
    }
    response = client.post(f"/fr/staff/org/entities/{school_a.code}/edit/", data)
    assert response.status_code == 302
    school_a.refresh_from_db()
    assert school_a.cell_email == "ecoute@example.org"
    event = AuditEvent.objects.get(action="org.entity_updated")
    assert event.actor_id == admin_a.pk and "cell_email" in event.data["fields"]
    home = Client().get("/fr/").content.decode()
    assert "ecoute@example.org" in home


def test_invalid_entity_form_changes_nothing(admin_a: User, school_a: Entity, as_user: ClientFor) -> None:
    response = as_user(admin_a).post(f"/fr/staff/org/entities/{school_a.code}/edit/", {"name_fr": "", "cell_email": "nope"})
    assert response.status_code == 200
    school_a.refresh_from_db()
    assert school_a.name_fr == "Télécom Paris"
    assert not AuditEvent.objects.filter(action="org.entity_updated").exists()


def test_create_person_only_in_own_entity(admin_a: User, school_b: Entity, school_a: Entity, as_user: ClientFor) -> None:
    client = as_user(admin_a)
    data = {
        "first_name": "Léa",
        "last_name": "Nouvelle",
        "email": "lea@example.org",
        "population": "student",
        "language": "fr",
        "external_id": "",
    }
    assert client.post("/fr/staff/org/people/new/", {**data, "entity": school_b.pk}).status_code == 200
    assert not Person.objects.filter(last_name="Nouvelle").exists()
    response = client.post("/fr/staff/org/people/new/", {**data, "entity": school_a.pk})
    assert response.status_code == 302
    person = Person.objects.get(last_name="Nouvelle")
    assert AuditEvent.objects.filter(action="org.person_created", object_id=str(person.pk)).exists()


def test_edit_person_records_changed_fields(admin_a: User, person_a: Person, as_user: ClientFor) -> None:
    data = {
        "first_name": "Zoé",
        "last_name": "Renommée",
        "email": "zoe@example.org",
        "population": "doctoral",
        "language": "en",
        "external_id": "",
        "entity": person_a.entity_id,
    }
    assert as_user(admin_a).post(f"/fr/staff/org/people/{person_a.pk}/edit/", data).status_code == 302
    event = AuditEvent.objects.get(action="org.person_updated")
    assert set(event.data["fields"]) == {"last_name", "population", "language"}


def test_grant_referent_role_with_mission_and_end_it(
    admin_a: User, person_a: Person, school_a: Entity, as_user: ClientFor
) -> None:
    client = as_user(admin_a)
    data = {
        "role": Role.REFERENT_SIGNALEMENT,
        "entity": school_a.pk,
        "valid_from": "2025-01-01",
        "valid_until": "",
        "nomination_date": "2024-12-15",
        "time_quota_percent": "20",
        "languages": "fr, en",
        "is_public": "on",
        "reason": "Décision du directeur n° 12",
    }
    response = client.post(f"/fr/staff/org/people/{person_a.pk}/grants/new/", data)
    assert response.status_code == 302
    grant = RoleGrant.objects.get(person=person_a)
    assert grant.languages == "fr,en" and grant.is_public
    assert AuditEvent.objects.get(action="org.grant_created").reason == "Décision du directeur n° 12"
    assert "Fictive" in Client().get("/fr/").content.decode()
    assert client.get(f"/fr/staff/org/grants/{grant.pk}/end/").status_code == 200
    assert client.post(f"/fr/staff/org/grants/{grant.pk}/end/", {"reason": ""}).status_code == 200  # reason required
    assert client.post(f"/fr/staff/org/grants/{grant.pk}/end/", {"reason": "Fin de mission"}).status_code == 302
    grant.refresh_from_db()
    assert grant.valid_until == timezone.localdate() - datetime.timedelta(days=1)
    assert "Fictive" not in Client().get("/fr/").content.decode()


def test_entity_admin_cannot_grant_imt_admin_or_imt_wide(
    admin_a: User, person_a: Person, school_a: Entity, school_b: Entity, as_user: ClientFor
) -> None:
    client = as_user(admin_a)
    base = {"valid_from": "2025-01-01", "reason": "x"}
    for data in (
        {"role": Role.IMT_ADMIN, "entity": school_a.pk},
        {"role": Role.INVESTIGATOR, "entity": ""},
        {"role": Role.INVESTIGATOR, "entity": school_b.pk},
    ):
        assert client.post(f"/fr/staff/org/people/{person_a.pk}/grants/new/", {**base, **data}).status_code == 200
    assert not RoleGrant.objects.filter(person=person_a).exists()


def test_mission_data_refused_for_non_referent_roles(
    admin_a: User, person_a: Person, school_a: Entity, as_user: ClientFor
) -> None:
    data = {"role": Role.INVESTIGATOR, "entity": school_a.pk, "valid_from": "2025-01-01", "time_quota_percent": "10"}
    response = as_user(admin_a).post(f"/fr/staff/org/people/{person_a.pk}/grants/new/", data)
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(person=person_a).exists()


def test_account_invitation_sends_a_password_link(
    admin_a: User, person_a: Person, as_user: ClientFor, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = as_user(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/fr/staff/org/people/{person_a.pk}/account/")
    assert response.status_code == 302
    assert User.objects.filter(person=person_a, email="zoe@example.org").exists()
    assert len(mail.outbox) == 1 and "/staff/password/reset/" in mail.outbox[0].body
    assert "Zoé" not in mail.outbox[0].subject
    assert client.post(f"/fr/staff/org/people/{person_a.pk}/account/").status_code == 302
    assert User.objects.filter(person=person_a).count() == 1


@pytest.mark.parametrize("path", ["/fr/staff/org/people/{pk}/account/", "/fr/staff/logout/"])
def test_state_changing_urls_refuse_get(path: str, admin_a: User, person_a: Person, as_user: ClientFor) -> None:
    assert as_user(admin_a).get(path.format(pk=person_a.pk)).status_code == 405


@pytest.mark.parametrize("path", ["/fr/staff/org/people/", "/fr/staff/org/grants/", "/fr/staff/org/entities/", "/fr/staff/"])
def test_list_pages_refuse_post(path: str, admin_a: User, as_user: ClientFor) -> None:
    assert as_user(admin_a).post(path).status_code == 405


def test_people_list_is_paginated_and_searchable(admin_a: User, school_a: Entity, as_user: ClientFor) -> None:
    Person.objects.bulk_create(
        Person(first_name=f"P{i}", last_name=f"Nom{i:03d}", population=Population.STUDENT, entity=school_a) for i in range(120)
    )
    client = as_user(admin_a)
    page = client.get("/fr/staff/org/people/?page=3").content.decode()
    assert "Nom119" in page and "Nom000" not in page
    assert "Nom042" in client.get("/fr/staff/org/people/?q=Nom042").content.decode()
    assert client.get("/fr/staff/org/people/?page=999").status_code == 200


def test_import_page_checks_then_applies(admin_a: User, school_a: Entity, as_user: ClientFor) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    header = b"external_id;last_name;first_name;email;population;entity;language\n"
    content = header + b"E1;Durand;Ana;ana@example.org;student;telecom-paris;fr\n"
    client = as_user(admin_a)
    response = client.post(
        "/fr/staff/org/import/", {"kind": "people", "file": SimpleUploadedFile("p.csv", content), "check": "1"}
    )
    assert response.status_code == 200 and not Person.objects.filter(external_id="E1").exists()
    response = client.post(
        "/fr/staff/org/import/", {"kind": "people", "file": SimpleUploadedFile("p.csv", content), "apply": "1"}
    )
    assert response.status_code == 200 and Person.objects.filter(external_id="E1").exists()
    bad = header + b"E2;X;Y;;student;imt-mines-albi;fr\n"
    response = client.post("/fr/staff/org/import/", {"kind": "people", "file": SimpleUploadedFile("p.csv", bad), "apply": "1"})
    assert not Person.objects.filter(external_id="E2").exists()
    assert '<td class="num">2</td>' in response.content.decode()


def test_indicators_page_for_admins_and_pilots(
    admin_a: User, pilot: User, referent_a: User, student: User, as_user: ClientFor
) -> None:
    page = as_user(pilot).get("/fr/staff/indicators/").content.decode()
    assert "IMT Mines Albi" in page and "Télécom Paris" in page
    own = as_user(admin_a).get("/fr/staff/indicators/").content.decode()
    assert "Télécom Paris" in own and "IMT Mines Albi" not in own
    assert as_user(student).get("/fr/staff/indicators/").status_code == 404


def test_entity_admin_cannot_create_an_account_that_would_carry_wider_roles(
    school_a: Entity, as_user: ClientFor, settings: Any
) -> None:
    from tests.conftest import make_user

    head_office = Entity.objects.get(code="dg")
    admin_dg = make_user("dana.admin@example.org", head_office, (Role.ENTITY_ADMIN, head_office))
    head = Person.objects.create(
        first_name="Ivo", last_name="Wide", email="ivo@example.org", population=Population.STAFF_CONTRACT, entity=head_office
    )
    RoleGrant.objects.create(person=head, role=Role.IMT_ADMIN, entity=None, valid_from=datetime.date(2024, 1, 1))
    response = as_user(admin_dg).post(f"/fr/staff/org/people/{head.pk}/account/")
    assert response.status_code == 302
    assert not User.objects.filter(person=head).exists()


def test_entity_admin_resets_two_factor_of_own_people_only(
    admin_a: User, referent_a: User, referent_b: User, as_user: ClientFor
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=referent_a, name="authenticator", confirmed=True)
    TOTPDevice.objects.create(user=referent_b, name="authenticator", confirmed=True)
    client = as_user(admin_a)
    path_a = f"/fr/staff/org/people/{referent_a.person_id}/2fa-reset/"
    assert client.get(path_a).status_code == 200
    assert client.post(path_a, {"reason": ""}).status_code == 200
    assert TOTPDevice.objects.filter(user=referent_a).exists()
    assert client.post(path_a, {"reason": "Téléphone perdu, identité vérifiée"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=referent_a).exists()
    assert AuditEvent.objects.filter(action="auth.2fa_reset", object_id=str(referent_a.pk)).exists()
    assert client.post(f"/fr/staff/org/people/{referent_b.person_id}/2fa-reset/", {"reason": "x"}).status_code == 404
    assert TOTPDevice.objects.filter(user=referent_b).exists()
    assert Client().get(path_a).status_code == 302
