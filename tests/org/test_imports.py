"""CSV import of people and role grants: all or nothing, idempotent, confined to the importer's scope."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from egide.core.models import AuditEvent
from egide.org import access
from egide.org.access import ALL
from egide.org.imports import ImportReport, import_grants, import_people
from egide.org.models import Entity, Person, Population, RoleGrant, User
from egide.org.roles import Role

pytestmark = pytest.mark.django_db

PEOPLE = (
    "external_id,last_name,first_name,email,population,entity,language\n"
    "E1,Martin,Léa,Lea.Martin@Example.org,student,telecom-paris,fr\n"
    "E2,Durand,Paul,,doctoral,telecom-paris,en\n"
    "E3,Bernard,Anne,anne.bernard@example.org,staff_civil_servant,imt-mines-albi,\n"
)


def people(
    content: str | bytes, *, scope: set[int] | str = ALL, dry_run: bool = False, actor: User | None = None
) -> ImportReport:
    data = content.encode() if isinstance(content, str) else content
    return import_people(actor=actor, content=data, scope=scope, dry_run=dry_run)


def grants(content: str, *, scope: set[int] | str = ALL, dry_run: bool = False, actor: User | None = None) -> ImportReport:
    return import_grants(actor=actor, content=content.encode(), scope=scope, dry_run=dry_run)


def imports_logged(kind: str) -> int:
    return AuditEvent.objects.filter(action=f"org.import_{kind}").count()


def errors_of(report: ImportReport) -> list[tuple[int, str]]:
    return [(error.line, error.column) for error in report.errors]


# People ---------------------------------------------------------------------------------------------


def test_good_people_file_creates_people_and_one_audit_event() -> None:
    report = people(PEOPLE)

    assert report.ok and report.applied and not report.dry_run
    assert (report.kind, report.rows, report.created, report.updated, report.unchanged) == ("people", 3, 3, 0, 0)
    lea = Person.objects.get(external_id="E1")
    assert (lea.first_name, lea.email, lea.population) == ("Léa", "lea.martin@example.org", "student")
    assert lea.entity.code == "telecom-paris"
    assert Person.objects.get(external_id="E2").language == "en"
    assert Person.objects.get(external_id="E3").language == "fr"
    event = AuditEvent.objects.get(action="org.import_people")
    assert event.actor_id is None
    assert event.data == {
        "kind": "people",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "sha256": hashlib.sha256(PEOPLE.encode()).hexdigest(),
    }
    assert "Martin" not in str(event.data) and "E1" not in str(event.data)


def test_reimport_is_a_no_op() -> None:
    people(PEOPLE)
    stamps = dict(Person.objects.values_list("external_id", "updated_at"))

    report = people(PEOPLE)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert report.applied
    assert Person.objects.filter(external_id__startswith="E").count() == 3
    assert dict(Person.objects.values_list("external_id", "updated_at")) == stamps
    assert imports_logged("people") == 2  # an import is an admin action, logged even when it changes nothing


def test_update_changes_only_the_changed_people() -> None:
    people(PEOPLE)
    stamps = dict(Person.objects.values_list("external_id", "updated_at"))

    report = people(PEOPLE.replace("Durand,Paul,,doctoral", "Durand,Paul,paul@example.org,staff_contract"))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    paul = Person.objects.get(external_id="E2")
    assert (paul.email, paul.population) == ("paul@example.org", Population.STAFF_CONTRACT)
    assert paul.updated_at > stamps["E2"]
    assert Person.objects.get(external_id="E1").updated_at == stamps["E1"]


def test_optional_columns_absent_from_the_file_are_left_alone() -> None:
    people(PEOPLE)

    report = people("external_id,last_name,first_name,population,entity\nE2,Durand,Paul,doctoral,telecom-paris\n")

    assert (report.updated, report.unchanged) == (0, 1)
    assert Person.objects.get(external_id="E2").language == "en"


def test_semicolon_bom_and_french_labels() -> None:
    content = (
        "External_ID;LAST_NAME;First_Name;Email;Population;Entity\r\n"
        "F1;Lefèvre;Chloé;;Étudiante;Telecom-Paris\r\n"
        "F2;Petit;Jean;;ÉLÈVE;telecom-paris\r\n"
        "F3;Roux;Marc;;Fonctionnaire;telecom-paris\r\n"
        "F4;Blanc;Inès;;contractuel;telecom-paris\r\n"
        "F5;Noir;Théo;;Prestataire;telecom-paris\r\n"
        "F6;Gris;Zoé;;extérieur;telecom-paris\r\n"
        ";;;;;\r\n"
    ).encode("utf-8-sig")

    report = people(content)

    assert report.ok, report.errors
    assert report.rows == 6
    populations = dict(Person.objects.filter(external_id__startswith="F").values_list("external_id", "population"))
    assert populations == {
        "F1": "student",
        "F2": "student",
        "F3": "staff_civil_servant",
        "F4": "staff_contract",
        "F5": "contractor",
        "F6": "external",
    }


def test_tab_separated_file() -> None:
    report = people("external_id\tlast_name\tfirst_name\tpopulation\tentity\nT1\tSimon\tLou\tstagiaire\tdg\n")

    assert report.ok and report.created == 1
    assert Person.objects.get(external_id="T1").population == Population.INTERN


def test_dry_run_reports_counts_and_writes_nothing() -> None:
    report = people(PEOPLE, dry_run=True)

    assert report.ok and report.dry_run and not report.applied
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert not Person.objects.filter(external_id__startswith="E").exists()
    assert imports_logged("people") == 0


def test_every_bad_line_is_reported_and_nothing_is_written() -> None:
    content = (
        "external_id,last_name,first_name,email,population,entity,language\n"
        "G1,Valid,Row,,student,telecom-paris,fr\n"
        "G2,Bad,Email,not-an-address,student,telecom-paris,fr\n"
        "G3,,Nameless,,student,telecom-paris,fr\n"
        "G4,Bad,Population,,astronaut,telecom-paris,fr\n"
        "G5,Bad,Entity,,student,nowhere,de\n"
        "G1,Twice,Listed,,student,telecom-paris,fr\n"
        "G6,Too,Many,,student,telecom-paris,fr,extra\n"
    )

    report = people(content)

    assert not report.ok and not report.applied
    assert errors_of(report) == [
        (3, "email"),
        (4, "last_name"),
        (5, "population"),
        (6, "entity"),
        (6, "language"),
        (7, "external_id"),
        (8, ""),
    ]
    assert "2" in report.errors[5].message  # the duplicate names the first line
    assert "astronaut" in report.errors[2].message
    assert report.rows == 7
    assert not Person.objects.filter(external_id__startswith="G").exists()
    assert imports_logged("people") == 0


def test_unknown_and_missing_columns() -> None:
    report = people("external_id,last_name,first_name,population,shoe_size\nX1,A,B,student,42\n")

    assert not report.ok
    assert errors_of(report) == [(1, "shoe_size"), (1, "entity")]
    assert "shoe_size" in report.errors[0].message


def test_file_that_is_not_utf8() -> None:
    report = people("external_id,last_name,first_name,population,entity\nX1,Lefèvre,B,student,dg\n".encode("latin-1"))

    assert errors_of(report) == [(1, "")]
    assert "UTF-8" in report.errors[0].message


def test_quoted_cells_and_multiline_records_keep_line_numbers() -> None:
    content = (
        "external_id,last_name,first_name,population,entity\n"
        'Q1,"Dupont, dit ""Le Grand""",Luc,student,dg\n'
        'Q2,"Sur\ndeux lignes",Max,student,dg\n'
        "Q3,Faux,Max,nope,dg\n"
    )

    report = people(content)

    assert errors_of(report) == [(5, "population")]


# Scope ----------------------------------------------------------------------------------------------


def test_entity_admin_cannot_import_people_of_another_school(admin_a: User, school_a: Entity) -> None:
    report = people(PEOPLE, scope=access.administered_entity_ids(admin_a), actor=admin_a)

    assert errors_of(report) == [(4, "entity")]
    assert not Person.objects.filter(external_id__startswith="E").exists()


def test_entity_admin_imports_people_of_their_school(admin_a: User) -> None:
    own = "\n".join(PEOPLE.splitlines()[:3])

    report = people(own, scope=access.administered_entity_ids(admin_a), actor=admin_a)

    assert report.ok and report.created == 2
    assert AuditEvent.objects.get(action="org.import_people").actor_id == admin_a.pk


def test_entity_admin_cannot_update_a_person_of_another_school(admin_a: User, school_b: Entity) -> None:
    Person.objects.create(external_id="B1", first_name="Bea", last_name="Albi", population="student", entity=school_b)

    report = people(
        "external_id,last_name,first_name,population,entity\nB1,Moved,Bea,student,telecom-paris\n",
        scope=access.administered_entity_ids(admin_a),
        actor=admin_a,
    )

    assert errors_of(report) == [(2, "external_id")]
    bea = Person.objects.get(external_id="B1")
    assert (bea.last_name, bea.entity_id) == ("Albi", school_b.pk)


# Grants ---------------------------------------------------------------------------------------------


GRANTS = (
    "external_id;role;entity;valid_from;valid_until;nomination_date;time_quota_percent;languages;public\n"
    'E1;referent_ecoute;telecom-paris;2025-09-01;;01/07/2025;12,5;"fr;en";oui\n'
    "E2;hr;telecom-paris;01/09/2025;31/08/2026;;;;non\n"
    "E3;plan_pilot;IMT;2025-01-01;;;;;\n"
)


def test_grants_file_creates_grants_and_is_idempotent() -> None:
    people(PEOPLE)

    report = grants(GRANTS)

    assert report.ok, report.errors
    assert (report.kind, report.rows, report.created) == ("grants", 3, 3)
    referent = RoleGrant.objects.get(person__external_id="E1")
    assert (referent.role, referent.entity.code if referent.entity else None) == (Role.REFERENT_ECOUTE, "telecom-paris")
    assert (referent.nomination_date, referent.time_quota_percent) == (datetime.date(2025, 7, 1), Decimal("12.5"))
    assert (referent.languages, referent.is_public) == ("fr,en", True)
    hr = RoleGrant.objects.get(person__external_id="E2")
    assert (hr.valid_from, hr.valid_until) == (datetime.date(2025, 9, 1), datetime.date(2026, 8, 31))
    assert RoleGrant.objects.get(person__external_id="E3").entity is None
    assert imports_logged("grants") == 1

    again = grants(GRANTS)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert RoleGrant.objects.filter(person__external_id__startswith="E").count() == 3


def test_grant_reimport_updates_end_date_and_mission_data() -> None:
    people(PEOPLE)
    grants(GRANTS)

    report = grants(GRANTS.replace("2025-09-01;;01/07/2025;12,5", "2025-09-01;2026-06-30;01/07/2025;20"))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    referent = RoleGrant.objects.get(person__external_id="E1")
    assert (referent.valid_until, referent.time_quota_percent) == (datetime.date(2026, 6, 30), Decimal("20"))


def test_grants_refuse_mission_data_on_other_roles_and_bad_cells() -> None:
    people(PEOPLE)
    content = (
        "external_id,role,entity,valid_from,valid_until,time_quota_percent,public\n"
        "E2,hr,telecom-paris,2025-09-01,,50,\n"
        "E2,legal,telecom-paris,2025-09-01,,,oui\n"
        "E2,dpo,telecom-paris,2025-09-01,,0,non\n"
        "E1,referent_ecoute,telecom-paris,2025-09-01,2025-01-01,150,peut-être\n"
        "NOBODY,wizard,telecom-paris,31/02/2025,,,\n"
    )

    report = grants(content)

    assert errors_of(report) == [
        (2, "time_quota_percent"),
        (3, "public"),
        (4, "time_quota_percent"),
        (5, "valid_until"),
        (5, "time_quota_percent"),
        (5, "public"),
        (6, "external_id"),
        (6, "role"),
        (6, "valid_from"),
    ]
    assert not RoleGrant.objects.filter(person__external_id__startswith="E").exists()


def test_grant_key_duplicated_in_the_file() -> None:
    people(PEOPLE)

    report = grants("external_id,role,entity,valid_from\nE2,hr,telecom-paris,2025-09-01\nE2,hr,Telecom-Paris,01/09/2025\n")

    assert errors_of(report) == [(3, "external_id")]
    assert "2" in report.errors[0].message


def test_entity_admin_cannot_grant_imt_wide_or_imt_only_roles(admin_a: User) -> None:
    people(PEOPLE)
    content = (
        "external_id,role,entity,valid_from\n"
        "E1,plan_pilot,,2025-09-01\n"
        "E1,plan_pilot,IMT,2025-09-01\n"
        "E1,imt_admin,telecom-paris,2025-09-01\n"
        "E1,hr,imt-mines-albi,2025-09-01\n"
        "E3,hr,telecom-paris,2025-09-01\n"
        "E2,hr,telecom-paris,2025-09-01\n"
    )

    report = grants(content, scope=access.administered_entity_ids(admin_a), actor=admin_a)

    assert errors_of(report) == [(2, "entity"), (3, "entity"), (4, "role"), (5, "entity"), (6, "external_id")]
    assert not RoleGrant.objects.filter(person__external_id__startswith="E").exists()
    assert (
        grants(
            "external_id,role,entity,valid_from\nE2,hr,telecom-paris,2025-09-01\n",
            scope=access.administered_entity_ids(admin_a),
            actor=admin_a,
        ).created
        == 1
    )
    assert RoleGrant.objects.get(person__external_id="E2").created_by == admin_a


# The management command ------------------------------------------------------------------------------


def run_command(*args: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_org", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_a_file(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")

    out, _err = run_command("people", str(path), "--dry-run")
    assert "3" in out and not Person.objects.filter(external_id__startswith="E").exists()

    run_command("people", str(path))
    assert Person.objects.filter(external_id__startswith="E").count() == 3
    assert AuditEvent.objects.get(action="org.import_people").actor_id is None


def test_command_reports_errors_and_exits_with_status_1(tmp_path: Path) -> None:
    path = tmp_path / "grants.csv"
    path.write_text("external_id,role,entity,valid_from\nNOBODY,hr,telecom-paris,2025-09-01\n", encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_org", "grants", str(path), stdout=StringIO(), stderr=err)

    assert raised.value.returncode == 1
    assert err.getvalue().startswith("line 2, external_id: ")
    assert imports_logged("grants") == 0


def test_moving_a_person_to_another_entity() -> None:
    people(PEOPLE)

    report = people(PEOPLE.replace("Durand,Paul,,doctoral,telecom-paris", "Durand,Paul,,doctoral,imt-bs"))

    assert report.updated == 1
    assert Person.objects.get(external_id="E2").entity.code == "imt-bs"
