"""A filed case and its data key, opened as its handler would."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from egide.kb.models import Investigator, SupportResource
from egide.org.models import Entity, User
from egide.reports.models import Report
from egide.vault.services import envelope_open_for_user, handler_key_unlock
from tests.conftest import PASSWORD
from tests.reports.conftest import give_key, submit


@dataclass
class OpenCase:
    report: Report
    key: bytes
    handler: User

    def refresh(self) -> Report:
        self.report.refresh_from_db()
        return self.report


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def data_key_of(report: Report, user: User) -> bytes:
    private = handler_key_unlock(key=user.vault_key, secret=PASSWORD)
    return envelope_open_for_user(envelope_id=report.envelope_id, user=user, private_key=private)


def file_case(entity: Entity, handler: User, **overrides: Any) -> OpenCase:
    if not hasattr(handler, "vault_key"):
        give_key(handler)
        handler.refresh_from_db()
    response = submit(Client(), entity, **overrides)
    assert response.status_code == 200, response.content.decode()[:2000]
    report = Report.objects.get(reference=response.context["ack"].reference)
    return OpenCase(report=report, key=data_key_of(report, handler), handler=handler)


@pytest.fixture
def case(referent_a: User, school_a: Entity) -> OpenCase:
    return file_case(school_a, referent_a)


@pytest.fixture
def resource(school_a: Entity) -> SupportResource:
    return SupportResource.objects.create(
        entity=school_a,
        kind=SupportResource.Kind.PSYCHOLOGIST,
        name_fr="Psychologue du campus",
        name_en="Campus psychologist",
        source="Convention 2026",
        version_date=datetime.date(2026, 1, 1),
    )


@pytest.fixture
def investigators(school_a: Entity) -> list[Investigator]:
    common = {"entity": school_a, "source": "Décision 2026", "version_date": datetime.date(2026, 1, 1)}
    return [
        Investigator.objects.create(name="Anne Enquête", gender=Investigator.Gender.WOMAN, **common),
        Investigator.objects.create(name="Bruno Enquête", gender=Investigator.Gender.MAN, **common),
        Investigator.objects.create(name="Claire Enquête", gender=Investigator.Gender.WOMAN, **common),
    ]
