"""The orientation assistant: every path ends with real pages and contacts, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from egide.kb.models import AssistantChoice, AssistantResource, Offence
from egide.org.models import Entity
from tests.conftest import SCHOOL_A


def _path(language: str = "fr") -> str:
    with translation.override(language):
        return reverse("kb:assistant")


def _walk(answers: dict[str, str], language: str = "fr") -> Any:
    client = Client()
    data: dict[str, str] = {}
    response = client.get(_path(language))
    for key, value in answers.items():
        assert response.context["question"].key == key
        data[f"a_{key}"] = value
        response = client.post(_path(language), {**data, "asked": key, "action": "next"})
        assert response.status_code == 200
    return response


FULL = {"danger": "no", "who": "victim", "what": "sexist", "wish": "report", "entity": SCHOOL_A}


def test_a_full_path_ends_with_the_next_step_the_pages_and_the_contacts(db: Any, referent_a: Any) -> None:
    school = Entity.objects.get(code=SCHOOL_A)
    Entity.objects.filter(pk=school.pk).update(cell_email="ecoute@telecom-paris.example")
    end = _walk(FULL)
    html = end.content.decode()
    assert "question" not in end.context and end.context["contacts"].entity == school
    assert reverse("reports:start") in html and f"{reverse('kb:offences')}#hs" in html
    assert "ecoute@telecom-paris.example" in html and referent_a.person.full_name in html
    assert not end.context["progress"].urgent and 'class="urgent"' not in html


def test_danger_brings_the_emergency_numbers_first_on_every_following_page(db: Any) -> None:
    response = _walk({"danger": "yes"})
    assert response.context["question"].key == "who" and 'class="urgent"' in response.content.decode()
    end = _walk({**FULL, "danger": "unsure"})
    assert 'class="urgent"' in end.content.decode() and "tel:17" in end.content.decode()


def test_no_answer_or_a_forged_one_keeps_the_question_with_a_message(db: Any) -> None:
    response = Client().post(_path(), {"asked": "danger", "a_danger": "maybe", "action": "next"})
    assert response.context["question"].key == "danger" and response.context["error"]


def test_back_removes_the_last_answer(db: Any) -> None:
    response = Client().post(_path(), {"a_danger": "no", "a_who": "witness", "action": "back"})
    assert response.context["question"].key == "who"


def test_the_entity_can_be_withheld(db: Any) -> None:
    end = _walk({**FULL, "entity": "none"})
    assert end.context["contacts"] is None and reverse("org:home") in end.content.decode()


def test_the_assistant_writes_nothing(db: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        _walk(FULL)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


@pytest.mark.parametrize(
    ("language", "question", "ending"),
    [
        ("fr", "Quelqu’un est-il en danger", "Vous pouvez signaler en ligne"),
        ("en", "Is anyone in danger", "You can report online"),
    ],
)
def test_the_questions_and_the_ending_speak_the_page_language(db: Any, language: str, question: str, ending: str) -> None:
    assert question in Client().get(_path(language)).content.decode()
    assert ending in _walk(FULL, language).content.decode()


def test_every_page_the_assistant_points_to_exists(db: Any) -> None:
    names = {resource.url_name for resource in AssistantResource.objects.filter(article__isnull=True)}
    names |= {choice.next_url_name for choice in AssistantChoice.objects.exclude(next_url_name="")}
    for name in names:
        reverse(name)
    anchors = {resource.anchor for resource in AssistantResource.objects.filter(url_name="kb:offences").exclude(anchor="")}
    assert anchors <= set(Offence.objects.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("answers", "sheets"),
    [
        ({"what": "moral", "wish": "talk"}, ["/fr/aide/fiches/harcelement/", "/fr/aide/fiches/besoin-d-en-parler/"]),
        ({"what": "online", "wish": "complaint"}, ["/fr/aide/fiches/cyberharcelement/", "/fr/aide/fiches/article-40/"]),
        (
            {"who": "confidant", "what": "discrimination"},
            ["/fr/aide/fiches/besoin-d-en-parler/", "/fr/aide/fiches/discrimination/"],
        ),
    ],
)
def test_the_ending_offers_the_reference_sheets_of_the_answers(db: Any, answers: dict[str, str], sheets: list[str]) -> None:
    html = _walk({**FULL, **answers}).content.decode()
    for sheet in sheets:
        assert f'href="{sheet}"' in html


def test_a_sheet_that_is_unpublished_or_internal_is_not_offered(db: Any) -> None:
    from egide.kb.models import Article, Audience

    Article.objects.filter(slug_fr="harcelement").update(published=False)
    Article.objects.filter(slug_fr="besoin-d-en-parler").update(audience=Audience.REFERENTS)
    html = _walk({**FULL, "what": "moral", "wish": "talk"}).content.decode()
    assert "/fr/aide/fiches/harcelement/" not in html and "/fr/aide/fiches/besoin-d-en-parler/" not in html
