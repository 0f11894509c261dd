"""The editor of the help articles, for the communication and legal teams (with a preview and a history)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from egide.core.audit import audit_record
from egide.kb.articles import StaleArticle, article_save, can_edit, can_validate
from egide.kb.forms import ArticleForm, AssistantQuestionForm, ChoiceFormSet, ResourceFormSet
from egide.kb.markdown import render as render_markdown
from egide.kb.models import Article, ArticleVersion, AssistantChoice, AssistantQuestion

REVIEW_AFTER_DAYS = 365


def _editor(request: HttpRequest) -> None:
    if not can_edit(request.user):
        raise PermissionDenied


@require_safe
def editor_list(request: HttpRequest) -> HttpResponse:
    _editor(request)
    articles = Article.objects.select_related("owner")
    today = timezone.localdate()
    rows = [(article, (today - article.last_reviewed).days > REVIEW_AFTER_DAYS) for article in articles]
    return render(request, "kb/editor/list.html", {"rows": rows})


def _previews(form: ArticleForm) -> dict[str, Any]:
    return {language: render_markdown(str(form.data.get(f"body_{language}", ""))).html for language in ("fr", "en")}


@require_http_methods(["GET", "POST"])
def editor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Edit (or create) an article. "Preview" shows both languages as published, without saving."""
    _editor(request)
    article = get_object_or_404(Article, pk=pk) if pk is not None else None
    validator = can_validate(request.user)
    initial = {"expected_version": article.version} if article else {"last_reviewed": timezone.localdate()}
    form = ArticleForm(request.POST or None, instance=article, initial=initial, can_validate=validator)
    previews: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "preview":
            previews = _previews(form)
        else:
            target = article or Article()
            content = {name: value for name, value in form.cleaned_data.items() if name not in ("note", "expected_version")}
            try:
                saved = article_save(
                    article=target,
                    content=content,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["expected_version"] if article else None,
                )
            except StaleArticle as stale:
                form.add_error(
                    None,
                    _(
                        "Someone saved a newer version (%(version)s) while you were editing. Your text is still "
                        "here: copy it, open the article again and apply your changes."
                    )
                    % {"version": stale.current},
                )
            else:
                messages.success(request, _("Saved as version %(number)s.") % {"number": saved.number})
                return redirect("kb:editor_edit", pk=saved.article_id)
    return render(request, "kb/editor/edit.html", {"form": form, "article": article, "previews": previews})


@require_safe
def editor_versions(request: HttpRequest, pk: int) -> HttpResponse:
    _editor(request)
    article = get_object_or_404(Article, pk=pk)
    versions = article.versions.select_related("saved_by")
    return render(request, "kb/editor/versions.html", {"article": article, "versions": versions})


@require_safe
def editor_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    _editor(request)
    version = get_object_or_404(ArticleVersion.objects.select_related("article", "saved_by"), article_id=pk, number=number)
    context = {
        "version": version,
        "article": version.article,
        "bodies": [(_("French"), render_markdown(version.body_fr).html), (_("English"), render_markdown(version.body_en).html)],
    }
    return render(request, "kb/editor/version.html", context)


@require_POST
def editor_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Save an older version's content as the newest version (nothing in the history is lost)."""
    _editor(request)
    version = get_object_or_404(ArticleVersion, article_id=pk, number=number)
    saved = article_save(
        article=version.article,
        content=version.content(),
        actor=request.user,
        note=_("Restored version %(number)s") % {"number": number},
    )
    messages.success(request, _("Version %(old)s restored as version %(number)s.") % {"old": number, "number": saved.number})
    return redirect("kb:editor_edit", pk=pk)


# --- the orientation assistant's tree ------------------------------------------------------------


@require_safe
def assistant_tree(request: HttpRequest) -> HttpResponse:
    """The assistant's questions, their answers and the pages each answer offers at the end."""
    _editor(request)
    questions = AssistantQuestion.objects.prefetch_related("choices__resources__article")
    return render(request, "kb/editor/assistant.html", {"questions": questions})


@require_http_methods(["GET", "POST"])
def assistant_question(request: HttpRequest, pk: int) -> HttpResponse:
    """A question's wording and its answers (the entity question's answers are the entities)."""
    _editor(request)
    question = get_object_or_404(AssistantQuestion, pk=pk)
    form = AssistantQuestionForm(request.POST or None, instance=question)
    choices = None if question.asks_entity else ChoiceFormSet(request.POST or None, instance=question, prefix="choices")
    if request.method == "POST" and form.is_valid() and (choices is None or choices.is_valid()):
        with transaction.atomic():
            form.save()
            if choices is not None:
                choices.save()
            audit_record(actor=request.user, action="kb.assistant_saved", target=question)
        messages.success(request, _("Saved."))
        return redirect("kb:assistant_tree")
    return render(request, "kb/editor/assistant_question.html", {"question": question, "form": form, "choices": choices})


@require_http_methods(["GET", "POST"])
def assistant_choice(request: HttpRequest, pk: int) -> HttpResponse:
    """The pages an answer offers at the end of the assistant."""
    _editor(request)
    choice = get_object_or_404(AssistantChoice.objects.select_related("question"), pk=pk)
    resources = ResourceFormSet(request.POST or None, instance=choice, prefix="resources")
    if request.method == "POST" and resources.is_valid():
        with transaction.atomic():
            resources.save()
            audit_record(actor=request.user, action="kb.assistant_saved", target=choice)
        messages.success(request, _("Saved."))
        return redirect("kb:assistant_tree")
    return render(request, "kb/editor/assistant_choice.html", {"choice": choice, "resources": resources})
