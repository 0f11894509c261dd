"""Demo data for IMT: invented people with obviously fictitious names, and one account per role.

Used by `make run` (through the `egide_demo` command) on the embedded default only; idempotent.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

from django.db import transaction

from egide.org.models import Entity, Person, Population, RoleGrant, User
from egide.org.roles import Role

DEMO_PASSWORD = "demo-egide-2026"  # noqa: S105  (demo accounts only; the command refuses production)
DEMO_DOMAIN = "demo.invalid"
FIRST_NAMES = ["Camille", "Dominique", "Claude", "Alix", "Sacha", "Maxime", "Lou", "Noa", "Eden", "Charlie", "Yanis", "Inès"]
LAST_NAMES = ["Fictif", "Exemple", "Imaginaire", "Démo", "Essai", "Échantillon", "Modèle", "Prête-Nom"]
PEOPLE_PER_ENTITY = 24
START = datetime.date(2024, 9, 1)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    scope: str


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def _person(code: str, entity: Entity, index: int, population: str, external_prefix: str = "DEMO") -> Person:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES) + sum(map(ord, code))) % len(LAST_NAMES)]
    person, _created = Person.objects.get_or_create(
        external_id=f"{external_prefix}-{code}-{index:03d}",
        defaults={
            "first_name": first,
            "last_name": last,
            "population": population,
            "entity": entity,
            "email": f"{_ascii(first)}.{index:03d}.{code}@{DEMO_DOMAIN}",
        },
    )
    return person


def _account(person: Person, email: str, role: str, entity: Entity | None, **mission: object) -> DemoAccount:
    RoleGrant.objects.get_or_create(person=person, role=role, entity=entity, valid_from=START, defaults=mission)
    if not User.objects.filter(email=email).exists():
        User.objects.create_user(email, DEMO_PASSWORD, person=person)
    return DemoAccount(email=email, role=str(Role(role).label), scope=entity.name_fr if entity else "IMT")


def _population(index: int) -> str:
    cycle = [Population.STUDENT] * 5 + [
        Population.DOCTORAL,
        Population.STAFF_CIVIL_SERVANT,
        Population.STAFF_CONTRACT,
        Population.INTERN,
        Population.APPRENTICE,
        Population.CONTRACTOR,
        Population.EXTERNAL,
    ]
    return cycle[index % len(cycle)]


@transaction.atomic
def load_demo() -> list[DemoAccount]:
    accounts: list[DemoAccount] = []
    head_office = Entity.objects.get(code="dg")
    for entity in Entity.objects.filter(is_active=True).order_by("pk"):
        people = [_person(entity.code, entity, index, _population(index)) for index in range(PEOPLE_PER_ENTITY)]
        if entity.code == "dg":
            continue
        mission = {"nomination_date": START, "languages": "fr,en", "is_public": True}
        accounts.append(_account(people[6], f"admin.{entity.code}@{DEMO_DOMAIN}", Role.ENTITY_ADMIN, entity))
        accounts.append(
            _account(
                people[7], f"ecoute.{entity.code}@{DEMO_DOMAIN}", Role.REFERENT_ECOUTE, entity, time_quota_percent=10, **mission
            )
        )
        accounts.append(
            _account(
                people[8],
                f"signalement.{entity.code}@{DEMO_DOMAIN}",
                Role.REFERENT_SIGNALEMENT,
                entity,
                time_quota_percent=10,
                **mission,
            )
        )
        accounts.append(_account(people[0], f"etudiant.{entity.code}@{DEMO_DOMAIN}", Role.STUDENT_REFERENT, entity, **mission))
    imt_people = list(Person.objects.filter(entity=head_office).order_by("external_id"))
    accounts.append(_account(imt_people[6], f"admin.imt@{DEMO_DOMAIN}", Role.IMT_ADMIN, None))
    accounts.append(_account(imt_people[7], f"pilote@{DEMO_DOMAIN}", Role.PLAN_PILOT, None))
    accounts.append(_account(imt_people[8], f"juridique@{DEMO_DOMAIN}", Role.LEGAL, None))
    accounts.append(_account(imt_people[9], f"dpo@{DEMO_DOMAIN}", Role.DPO, None))
    student = Person.objects.get(external_id="DEMO-telecom-paris-001")
    if not User.objects.filter(email=f"etudiante@{DEMO_DOMAIN}").exists():
        User.objects.create_user(f"etudiante@{DEMO_DOMAIN}", DEMO_PASSWORD, person=student)
    accounts.append(DemoAccount(email=f"etudiante@{DEMO_DOMAIN}", role="—", scope=student.entity.name_fr))
    return accounts
