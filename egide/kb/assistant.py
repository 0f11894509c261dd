"""The orientation assistant: a few questions, then the right pages, contacts and next step.

Nothing is stored or logged: the answers travel with the page as hidden fields (POST, so they stay
out of addresses and browser history) and the ending is built from the reference data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from egide.kb.models import AssistantChoice, AssistantQuestion, AssistantResource, Audience
from egide.org.models import Entity
from egide.org.selectors import EntityContacts, public_contacts_of

NO_ENTITY = "none"


@dataclass
class Progress:
    questions: list[AssistantQuestion]
    answers: dict[str, str] = field(default_factory=dict)
    chosen: list[AssistantChoice] = field(default_factory=list)
    entity: Entity | None = None

    @property
    def current(self) -> AssistantQuestion | None:
        return next((question for question in self.questions if question.key not in self.answers), None)

    @property
    def urgent(self) -> bool:
        return any(choice.urgent for choice in self.chosen)


def entity_choices() -> list[tuple[str, str]]:
    return [(entity.code, entity.name) for entity in Entity.objects.filter(is_active=True).order_by("kind", "name_fr")]


def read(data: Any) -> Progress:
    """The valid answers found in the posted data, in question order, stopping at the first gap."""
    questions = list(AssistantQuestion.objects.prefetch_related("choices__resources__article"))
    progress = Progress(questions=questions)
    entities = {code for code, _name in entity_choices()}
    for question in questions:
        value = str(data.get(f"a_{question.key}", "")) if data else ""
        if question.asks_entity:
            if value not in entities and value != NO_ENTITY:
                break
            progress.entity = Entity.objects.filter(code=value).first()
        else:
            choice = next((choice for choice in question.choices.all() if choice.key == value), None)
            if choice is None:
                break
            progress.chosen.append(choice)
        progress.answers[question.key] = value
    return progress


def forget_last(progress: Progress) -> Progress:
    """One step back: the last answer is dropped."""
    if not progress.answers:
        return progress
    last = list(progress.answers)[-1]
    data = {f"a_{key}": value for key, value in progress.answers.items() if key != last}
    return read(data)


@dataclass(frozen=True)
class Link:
    title: str
    url: str


def _url(url_name: str, anchor: str = "") -> str | None:
    try:
        return reverse(url_name) + (f"#{anchor}" if anchor else "")
    except NoReverseMatch:
        return None


def _resource_url(resource: AssistantResource) -> str | None:
    """Where a resource leads: its article (when published for everyone) or its page."""
    article = resource.article
    if article is None:
        return _url(resource.url_name, resource.anchor)
    if not article.published or article.audience == Audience.REFERENTS:
        return None
    return reverse("kb:article", kwargs={"slug": article.slug})


def ending(progress: Progress) -> dict[str, Any]:
    steps = [(choice.next_step, _url(choice.next_url_name)) for choice in progress.chosen if choice.next_step]
    reading: list[Link] = []
    for choice in progress.chosen:
        for resource in choice.resources.all():
            url = _resource_url(resource)
            if url is not None and all(link.url != url for link in reading):
                reading.append(Link(resource.title, url))
    contacts: EntityContacts | None = None
    if progress.entity is not None:
        contacts = public_contacts_of(pk=progress.entity.pk)
    return {"steps": steps, "reading": reading, "contacts": contacts}
