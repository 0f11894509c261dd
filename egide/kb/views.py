"""Public reference pages: what the law says, straight from the reference data (R58)."""

from __future__ import annotations

import datetime
from itertools import groupby

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from egide.core.decorators import public
from egide.core.i18n import page_language
from egide.kb import assistant as orientation
from egide.kb import search
from egide.kb.articles import can_edit, can_read, reads_internal
from egide.kb.directory import public_support
from egide.kb.ical import calendar
from egide.kb.markdown import render as render_markdown
from egide.kb.models import Article, ArticleKind, Audience, DiscriminationGround, Event, Offence
from egide.org.help import HELP_NUMBERS
from egide.org.models import Entity
from egide.org.selectors import public_contacts, public_contacts_of


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
    item = public_contacts_of(code=code)
    if item is None:
        raise Http404
    context = {
        "item": item,
        "support": list(public_support(item.entity)),
        "emergency": [number for number in HELP_NUMBERS if number.emergency],
    }
    return render(request, "kb/contacts.html", context)


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


# --- articles, the HVSSD section and search ------------------------------------------------------


def _readable_articles(request: HttpRequest) -> QuerySet[Article]:
    articles = Article.objects.filter(published=True)
    if not reads_internal(request.user):
        articles = articles.exclude(audience=Audience.REFERENTS)
    return articles


@public
@require_safe
def article_index(request: HttpRequest) -> HttpResponse:
    """Every article: the reference sheets, the FAQs, the HVSSD section."""
    groups = [
        (kind.label, [article for article in _readable_articles(request) if article.kind == kind.value]) for kind in ArticleKind
    ]
    return render(request, "kb/article_index.html", {"groups": [(label, items) for label, items in groups if items]})


@public
@require_safe
def article(request: HttpRequest, slug: str) -> HttpResponse:
    """An article at its address in the page's language; the other language's address redirects here."""
    language = page_language()
    found = Article.objects.filter(Q(slug_fr=slug) | Q(slug_en=slug), published=True).select_related("owner").first()
    if found is None or not can_read(found, request.user):
        raise Http404
    if found.slug != slug:
        return redirect("kb:article", slug=found.slug, permanent=True)
    rendered = render_markdown(getattr(found, f"body_{language}"))
    context = {
        "article": found,
        "body": rendered.html,
        "headings": rendered.headings if len(rendered.headings) >= 3 else (),
        "related": _readable_articles(request).filter(kind=found.kind).exclude(pk=found.pk),
        "can_edit": can_edit(request.user),
    }
    return render(request, "kb/article.html", context)


@public
@require_safe
def hvssd(request: HttpRequest) -> HttpResponse:
    """The HVSSD section (R-COM-1): the plan and its axes, and the coming dates."""
    articles = list(_readable_articles(request).filter(kind=ArticleKind.HVSSD))
    context = {"articles": articles, "events": list(_upcoming(None)[:6])}
    return render(request, "kb/hvssd.html", context)


@public
@require_http_methods(["GET", "POST"])
def search_page(request: HttpRequest) -> HttpResponse:
    """Search. The query is sent by POST so it stays out of addresses, history and logs."""
    query = request.POST.get("q", "").strip()[: search.MAX_QUERY_LENGTH] if request.method == "POST" else ""
    results = None
    if query:
        referents = reads_internal(request.user)
        language = search.query_language(query, page_language())
        results = search.search(query, language, referents=referents)
        if not results.hits and not results.references:
            other = "en" if language == "fr" else "fr"
            elsewhere = search.search(query, other, referents=referents)
            if elsewhere.hits or elsewhere.references:
                results = elsewhere
    context = {
        "query": query,
        "results": results,
        "emergency": [number for number in HELP_NUMBERS if number.emergency],
        "contacts": public_contacts() if results is not None and not (results.hits or results.references) else [],
    }
    return render(request, "kb/search.html", context)
