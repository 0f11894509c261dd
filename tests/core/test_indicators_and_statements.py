"""Indicator registry, the référent-network indicators, and the accessibility statement data."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from egide.core.accessibility import STATEMENT
from egide.core.indicators import ALL_ENTITIES, Indicator, Period, all_indicators, get_indicator, register
from egide.org.models import Entity, Person, Population, RoleGrant
from egide.org.roles import Role


def _grant(entity: Entity, role: str, **extra: Any) -> RoleGrant:
    person = Person.objects.create(first_name="A", last_name="B", population=Population.STAFF_CONTRACT, entity=entity)
    return RoleGrant.objects.create(person=person, role=role, entity=entity, valid_from=datetime.date(2024, 1, 1), **extra)


def test_indicators_are_registered_with_both_labels() -> None:
    codes = {indicator.code for indicator in all_indicators()}
    assert {"org.staff_referents_per_entity", "org.active_grants_per_role"} <= codes
    for indicator in all_indicators():
        assert indicator.label_fr and indicator.label_en and indicator.unit


def test_registering_a_different_indicator_under_a_taken_code_fails() -> None:
    existing = get_indicator("org.active_grants_per_role")
    with pytest.raises(ValueError, match="already registered"):
        register(Indicator(code=existing.code, label_fr="x", label_en="x", unit="x", compute=existing.compute))


def test_staff_referents_per_entity_against_the_target(school_a: Entity, school_b: Entity) -> None:
    _grant(school_a, Role.REFERENT_ECOUTE)
    _grant(school_a, Role.REFERENT_SIGNALEMENT)
    _grant(school_a, Role.STUDENT_REFERENT)  # students do not count toward the staff target
    _grant(school_b, Role.REFERENT_EGALITE)
    _grant(school_b, Role.REFERENT_LAICITE, valid_until=datetime.date(2024, 3, 1))  # ended before the period
    rows = {row.key: row for row in get_indicator("org.staff_referents_per_entity").compute(ALL_ENTITIES, Period.year(2025))}
    assert rows["telecom-paris"].value == 2 and rows["telecom-paris"].meets_target is True
    assert rows["imt-mines-albi"].value == 1 and rows["imt-mines-albi"].meets_target is False
    assert rows["dg"].meets_target is None  # the target is for schools
    scoped = get_indicator("org.staff_referents_per_entity").compute(frozenset({school_b.pk}), Period.year(2025))
    assert [row.key for row in scoped] == ["imt-mines-albi"]


def test_active_grants_per_role(school_a: Entity) -> None:
    _grant(school_a, Role.INVESTIGATOR)
    _grant(school_a, Role.INVESTIGATOR)
    rows = {row.key: row.value for row in get_indicator("org.active_grants_per_role").compute(ALL_ENTITIES, Period.year(2025))}
    assert rows["investigator"] == 2 and rows["hr"] == 0


def test_accessibility_audit_is_not_older_than_three_years() -> None:
    reference = STATEMENT.audit_date or STATEMENT.statement_date
    assert timezone.localdate() - reference <= datetime.timedelta(days=3 * 365 + 1)


def test_footer_shows_compliance_status_on_every_public_page(db: Any) -> None:
    for path in ("/fr/", "/en/", "/fr/staff/login/"):
        html = Client().get(path).content.decode()
        assert str(STATEMENT.status_label) in html or "non conforme" in html


def test_accessibility_statement_has_required_sections(db: Any) -> None:
    html = Client().get("/en/accessibility/").content.decode()
    for needle in ("RGAA", "not compliant", "Défenseur des droits"):
        assert needle in html
