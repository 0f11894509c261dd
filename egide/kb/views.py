"""Public reference pages: what the law says, straight from the reference data (R58)."""

from __future__ import annotations

import datetime
from itertools import groupby

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from egide.core.decorators import public
from egide.core.i18n import page_language
from egide.kb import assistant as orientation
from egide.kb.ical import calendar
from egide.kb.models import DiscriminationGround, Event, Offence
from egide.org.help import HELP_NUMBERS
from egide.org.models import Entity
from egide.org.selectors import public_contacts


@public
@require_safe
def offences(request: HttpRequest) -> HttpResponse:
    rows = list(Offence.objects.all())
    latest = max((row.version_date for row in rows), default=None)
    return render(request, "kb/offences.html", {"offences": rows, "version_date": latest})


@public
@require_safe
def discrimination_grounds(request: HttpRequest) -> HttpResponse:
    rows = list(DiscriminationGround.objects.all())
    groups = [(source, list(items)) for source, items in groupby(rows, key=lambda row: row.get_source_display())]
    latest = max((row.version_date for row in rows), default=None)
    return render(request, "kb/discrimination_grounds.html", {"groups": groups, "version_date": latest})


@public
@require_http_methods(["GET", "POST"])
def assistant(request: HttpRequest) -> HttpResponse:
    """The orientation assistant at /fr/aide/ and /en/help/ (stable addresses, printed on posters)."""
    data = request.POST if request.method == "POST" else None
    progress = orientation.read(data)
    error = ""
    if data is not None and data.get("action") == "back":
        progress = orientation.forget_last(progress)
    elif data is not None and data.get("asked") and data.get("asked") not in progress.answers:
        error = _("Choose one of the answers to continue.")
    context: dict[str, object] = {
        "progress": progress,
        "emergency": [number for number in HELP_NUMBERS if number.emergency],
        "error": error,
    }
    question = progress.current
    if question is None:
        return render(request, "kb/assistant_end.html", {**context, **orientation.ending(progress)})
    choices = (
        [*orientation.entity_choices(), (orientation.NO_ENTITY, _("I would rather not say"))]
        if question.asks_entity
        else [(choice.key, choice.label) for choice in question.choices.all()]
    )
    context.update(
        {
            "question": question,
            "choices": choices,
            "number": len(progress.answers) + 1,
            "count": len(progress.questions),
            "carried": list(progress.answers.items()),
        }
    )
    return render(request, "kb/assistant.html", context)


@public
@require_safe
def entity_contacts(request: HttpRequest, code: str) -> HttpResponse:
    """One entity's listening cell and public référents, from the référent network (for posters and QR codes)."""
    item = next((item for item in public_contacts() if item.entity.code == code), None)
    if item is None:
        raise Http404
    return render(request, "kb/contacts.html", {"item": item, "emergency": [n for n in HELP_NUMBERS if n.emergency]})


def _upcoming(entity: Entity | None) -> QuerySet[Event]:
    """Events not yet over: all of IMT's, plus the chosen entity's (or every entity's when none is chosen)."""
    today = timezone.localdate()
    events = Event.objects.filter(Q(ends_on__gte=today) | Q(ends_on__isnull=True, starts_on__gte=today)).select_related("entity")
    return events.filter(Q(entity__isnull=True) | Q(entity=entity)) if entity is not None else events


def _chosen_entity(request: HttpRequest) -> Entity | None:
    code = request.GET.get("entity", "")
    return Entity.objects.filter(code=code, is_active=True).first() if code else None


@public
@require_safe
def agenda(request: HttpRequest) -> HttpResponse:
    entity = _chosen_entity(request)
    context = {
        "events": list(_upcoming(entity)),
        "entity": entity,
        "entities": Entity.objects.filter(is_active=True).order_by("kind", "name_fr"),
    }
    return render(request, "kb/agenda.html", context)


@public
@require_safe
def agenda_ics(request: HttpRequest) -> HttpResponse:
    entity = _chosen_entity(request)
    body = calendar(_upcoming(entity), language=page_language(), stamp=timezone.now().astimezone(datetime.UTC))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="egide.ics"'
    return response
