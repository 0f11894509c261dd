"""Helpers to file a report as a reporter would, and handlers with an unlocked personal key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egide.org.models import Entity, User
from egide.reports import proof
from egide.vault.models import HandlerKey
from egide.vault.services import handler_key_create
from tests.conftest import PASSWORD, verified_client

CANARY = "CANARY-7f3a9c"


def answers(entity: Entity, **overrides: Any) -> dict[str, Any]:
    """Every step's answers at once: the last step validates them all."""
    data: dict[str, Any] = {
        "step": "send",
        "action": "send",
        "submission_token": "token-" + "a" * 30,
        "danger_now": "no",
        "entity": str(entity.pk),
        "reporter_role": "victim",
        "population": "student",
        "narrative": f"My teacher keeps commenting on my body. {CANARY}-narrative",
        "categories": ["sexual_harassment", "sexist_behaviour"],
        "when_kind": "period",
        "when_start": "2026-09-01",
        "when_end": "",
        "where": "campus",
        "where_detail": f"{CANARY}-place",
        "author_relation": "teacher",
        "author_population": "staff_civil_servant",
        "author_named": "yes",
        "author_names": f"{CANARY}-author",
        "witnesses": "yes",
        "witnesses_detail": f"{CANARY}-witness",
        "wishes": ["talk", "report"],
        "mode": "anonymous",
        "full_name": "",
        "contact": "",
        "notify_email": "",
        "notice_read": "on",
    }
    data.update(overrides)
    if "pow_nonce" not in data:
        data["pow_challenge"] = proof.new_challenge(data["submission_token"])
        data["pow_nonce"] = proof.solve(data["pow_challenge"], 4)
    return data


def submit(client: Client, entity: Entity, **overrides: Any) -> Any:
    return client.post(reverse("reports:start"), answers(entity, **overrides))


def code_of(response: Any) -> str:
    return str(response.context["ack"].code)


def give_key(user: User) -> HandlerKey:
    handler_key_create(user=user, secret=PASSWORD, protection=HandlerKey.Protection.PASSWORD)
    return HandlerKey.objects.get(user=user)


def handler_client(user: User) -> Client:
    """Signed in, second factor verified, personal key unlocked for the session."""
    client = verified_client(user)
    response = client.post(reverse("cases:key_unlock"), {"secret": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def as_handler() -> Callable[[User], Client]:
    return handler_client


def token_for(index: int) -> str:
    return f"token-{index:04d}-" + "b" * 30
