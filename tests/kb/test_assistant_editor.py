"""The communication and legal teams edit the orientation assistant's wording, answers and pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from egide.core.models import AuditEvent
from egide.kb.models import Article, AssistantChoice, AssistantQuestion, AssistantResource
from egide.org.models import Entity
from egide.org.roles import Role
from tests.conftest import make_user
from tests.kb.test_assistant import FULL, _walk


@pytest.fixture
def editor(school_a: Entity) -> Any:
    return make_user("camille.comm@example.org", school_a, (Role.COMMUNICATION, None))


def _question_data(question: AssistantQuestion, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(question, name) for name in ("text_fr", "text_en", "help_fr", "help_en")}
    choices = list(question.choices.all())
    data.update({
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(choices)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    })  # fmt: skip
    for index, choice in enumerate(choices):
        for name in ("key", "position", "label_fr", "label_en", "next_step_fr", "next_step_en", "next_url_name"):
            data[f"choices-{index}-{name}"] = getattr(choice, name)
        if choice.urgent:
            data[f"choices-{index}-urgent"] = "on"
        data[f"choices-{index}-id"] = choice.pk
        data[f"choices-{index}-question"] = question.pk
    data.update(changes)
    return data


def test_only_the_editors_reach_the_assistants_editor(as_user: Any, editor: Any, admin_a: Any, pilot: Any) -> None:
    question = AssistantQuestion.objects.get(key="what")
    for path in (reverse("kb:assistant_tree"), reverse("kb:assistant_question", kwargs={"pk": question.pk})):
        assert as_user(admin_a).get(path).status_code == 403
        assert as_user(pilot).get(path).status_code == 403
        assert Client().get(path).status_code == 302
    page = as_user(editor).get(reverse("kb:assistant_tree")).content.decode()
    for each in AssistantQuestion.objects.all():
        assert escape(each.text_fr) in page


def test_a_question_reworded_and_an_answer_added_reach_the_public_assistant(as_user: Any, editor: Any) -> None:
    question = AssistantQuestion.objects.get(key="what")
    count = question.choices.count()
    data = _question_data(question, text_fr="Que s'est-il passé, en quelques mots ?")
    data.update({
        "choices-TOTAL_FORMS": str(count + 1),
        f"choices-{count}-key": "bizutage",
        f"choices-{count}-position": "95",
        f"choices-{count}-label_fr": "Un bizutage",
        f"choices-{count}-label_en": "Hazing",
        f"choices-{count}-question": question.pk,
    })  # fmt: skip
    response = as_user(editor).post(reverse("kb:assistant_question", kwargs={"pk": question.pk}), data)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="kb.assistant_saved", object_id=str(question.pk)).exists()
    page = _walk({"danger": "no", "who": "victim"}).content.decode()
    assert "Que s&#x27;est-il passé, en quelques mots ?" in page and "Un bizutage" in page


def test_a_wrong_page_name_or_a_duplicate_key_changes_nothing(as_user: Any, editor: Any) -> None:
    question = AssistantQuestion.objects.get(key="wish")
    before = list(question.choices.values_list("key", "label_fr", "next_url_name"))
    first_key = before[0][0]
    for bad in ({"choices-0-next_url_name": "reports:nowhere"}, {"choices-1-key": first_key}, {"text_fr": ""}):
        response = as_user(editor).post(
            reverse("kb:assistant_question", kwargs={"pk": question.pk}), _question_data(question, **bad)
        )
        assert response.status_code == 200 and 'class="error' in response.content.decode()
    assert list(question.choices.values_list("key", "label_fr", "next_url_name")) == before


def _resource_data(choice: AssistantChoice, extra: dict[str, Any]) -> dict[str, Any]:
    resources = list(choice.resources.all())
    data: dict[str, Any] = {
        "resources-TOTAL_FORMS": str(len(resources) + 1),
        "resources-INITIAL_FORMS": str(len(resources)),
        "resources-MIN_NUM_FORMS": "0",
        "resources-MAX_NUM_FORMS": "1000",
    }
    for index, resource in enumerate(resources):
        for name in ("position", "title_fr", "title_en", "url_name", "anchor"):
            data[f"resources-{index}-{name}"] = getattr(resource, name)
        data[f"resources-{index}-article"] = resource.article_id or ""
        data[f"resources-{index}-id"] = resource.pk
        data[f"resources-{index}-choice"] = choice.pk
    new = len(resources)
    data.update({f"resources-{new}-{name}": value for name, value in extra.items()})
    data[f"resources-{new}-choice"] = choice.pk
    return data


def test_an_answer_offers_a_sheet_chosen_by_the_editor(as_user: Any, editor: Any) -> None:
    choice = AssistantChoice.objects.get(question__key="who", key="victim")
    sheet = Article.objects.get(slug_fr="protection-fonctionnelle")
    response = as_user(editor).post(
        reverse("kb:assistant_choice", kwargs={"pk": choice.pk}), _resource_data(choice, {"position": "5", "article": sheet.pk})
    )
    assert response.status_code == 302
    assert "/fr/aide/fiches/protection-fonctionnelle/" in _walk(FULL).content.decode()


def test_a_page_without_article_needs_a_valid_name_and_both_titles(as_user: Any, editor: Any) -> None:
    choice = AssistantChoice.objects.get(question__key="who", key="victim")
    before = AssistantResource.objects.count()
    for extra in (
        {"position": "5", "url_name": "kb:offences"},  # no titles
        {"position": "5", "url_name": "kb:nowhere", "title_fr": "X", "title_en": "X"},
        {"position": "5", "title_fr": "X", "title_en": "X"},  # neither an article nor a page
    ):
        response = as_user(editor).post(reverse("kb:assistant_choice", kwargs={"pk": choice.pk}), _resource_data(choice, extra))
        assert response.status_code == 200 and 'class="error' in response.content.decode()
    assert AssistantResource.objects.count() == before
