"""Shared personas: an administrator and a référent of school A and of school B, an IMT
administrator, a plan pilot and a student, each with a signed-in client helper."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from egide.org.models import Entity, Person, Population, RoleGrant, User
from egide.org.roles import Role

SCHOOL_A = "telecom-paris"
SCHOOL_B = "imt-mines-albi"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_guards() -> Iterator[None]:
    """Transactional tests end with `flush`, which the append-only triggers refuse: lift them for it only."""
    from django.core.management.commands import flush
    from django.db import connections

    migration = importlib.import_module("egide.core.migrations.0002_audit_append_only")
    original = flush.Command.handle

    def handle(self: Any, **options: Any) -> None:
        connection = connections[options.get("database") or "default"]
        with connection.schema_editor() as editor:
            migration.drop_triggers(None, editor)
        try:
            original(self, **options)
        finally:
            with connection.schema_editor() as editor:
                migration.create_triggers(None, editor)

    flush.Command.handle = handle  # type: ignore[method-assign]
    yield
    flush.Command.handle = original  # type: ignore[method-assign]


def load_migrated_reference_data() -> None:
    """What the data migrations load that every page relies on (the IMT entities, the statutory delays, the
    measure types, the document templates): a transactional test ends with a flush that empties every table,
    the migrated data included, so transactional tests load it again first."""
    from django.apps import apps

    for module in (
        "egide.org.migrations.0002_imt_entities",
        "egide.core.migrations.0004_statutory_delays",
        "egide.cases.migrations.0002_measure_types",
        "egide.cases.migrations.0003_document_templates",
    ):
        importlib.import_module(module).load(apps, None)


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def weak_key_derivation(settings: Any) -> None:
    """The vault's Argon2id at its minimum, for speed: production defaults are checked in tests/vault."""
    settings.EGIDE_VAULT_ARGON2_OPSLIMIT = 1
    settings.EGIDE_VAULT_ARGON2_MEMLIMIT = 8192
    settings.EGIDE_REPORT_POW_BITS = 4


@pytest.fixture
def school_a(db: Any) -> Entity:
    return Entity.objects.get(code=SCHOOL_A)


@pytest.fixture
def school_b(db: Any) -> Entity:
    return Entity.objects.get(code=SCHOOL_B)


def make_user(
    email: str, entity: Entity, *roles: tuple[str, Entity | None], population: str = Population.STAFF_CONTRACT, **grant_extra: Any
) -> User:
    first, _sep, last = email.split("@")[0].partition(".")
    person = Person.objects.create(
        first_name=first.title(), last_name=(last or "Test").title(), email=email, population=population, entity=entity
    )
    for role, scope in roles:
        RoleGrant.objects.create(person=person, role=role, entity=scope, valid_from=datetime.date(2024, 1, 1), **grant_extra)
    return User.objects.create_user(email, PASSWORD, person=person)


@pytest.fixture
def imt_admin(db: Any) -> User:
    return make_user("ines.imtadmin@example.org", Entity.objects.get(code="dg"), (Role.IMT_ADMIN, None))


@pytest.fixture
def admin_a(school_a: Entity) -> User:
    return make_user("alice.admin@example.org", school_a, (Role.ENTITY_ADMIN, school_a))


@pytest.fixture
def admin_b(school_b: Entity) -> User:
    return make_user("bruno.admin@example.org", school_b, (Role.ENTITY_ADMIN, school_b))


@pytest.fixture
def referent_a(school_a: Entity) -> User:
    return make_user("rachel.referent@example.org", school_a, (Role.REFERENT_ECOUTE, school_a), is_public=True)


@pytest.fixture
def referent_b(school_b: Entity) -> User:
    return make_user("remi.referent@example.org", school_b, (Role.REFERENT_ECOUTE, school_b), is_public=True)


@pytest.fixture
def pilot(db: Any) -> User:
    return make_user("paula.pilot@example.org", Entity.objects.get(code="dg"), (Role.PLAN_PILOT, None))


@pytest.fixture
def student(school_a: Entity) -> User:
    return make_user("sam.student@example.org", school_a, population=Population.STUDENT)


def verified_client(user: User) -> Client:
    """A client signed in with a verified second factor, as after a full sign-in."""
    client = Client()
    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def as_user() -> Callable[[User], Client]:
    return verified_client
