"""Documents of a case: generated from the legal direction's DOCX templates, stored encrypted in the case,
downloaded with an audit event; redacted copies for deciders; the templates' own page for the legal direction."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from egide.cases import documents, services, timeline
from egide.cases.case_views import _audit_read, _open
from egide.cases.choices import ClosureReason, EventKind, Part, TemplateKind
from egide.cases.models import DocumentTemplate
from egide.cases.redaction import pseudonyms, redact
from egide.cases.views import _unlocked
from egide.kb.models import Offence
from egide.org import access as org_access
from egide.org.roles import Role
from egide.reports.models import Report
from egide.reports.services import decrypt_content

LANGUAGES = [("fr", "Français"), ("en", "English")]
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _fields_form(kind: str, data: Any = None, initial: dict[str, Any] | None = None) -> forms.Form:
    form = forms.Form(data, initial=initial)
    form.fields["language"] = forms.ChoiceField(label=gettext_lazy("Language of the document"), choices=LANGUAGES)
    for spec in documents.FIELDS[kind]:
        if spec.choices:
            form.fields[spec.name] = forms.ChoiceField(label=spec.label, required=spec.required, choices=spec.choices)
            continue
        widget = forms.Textarea(attrs={"rows": 4}) if spec.multiline else forms.TextInput()
        form.fields[spec.name] = forms.CharField(label=spec.label, required=spec.required, widget=widget, max_length=50000)
    return form


def _kinds(full: bool) -> list[tuple[str, str]]:
    kinds = [kind for kind in TemplateKind if kind != TemplateKind.REDACTED]
    if not full:
        kinds = [kind for kind in kinds if kind in services.INVESTIGATION_DOCUMENTS]
    return [(kind.value, str(kind.label)) for kind in kinds]


def _prefill(report: Report, data_key: bytes, kind: str, full: bool) -> dict[str, str]:
    """What the case already says, so that the handler only checks and completes."""
    initial: dict[str, str] = {"language": translation.get_language() or "fr"}
    names = {name.name for name in documents.FIELDS[kind]}
    latest = {event.kind: event for event in report.events.order_by("on", "pk")}
    if "offences" in names and EventKind.QUALIFICATION in latest:
        codes = latest[EventKind.QUALIFICATION].codes.get("offences", [])
        initial["offences"] = "\n".join(
            f"{o.name} ({o.source_article}) — {o.penalty}" for o in Offence.objects.filter(code__in=codes)
        )
    if full and "facts" in names:
        initial["facts"] = decrypt_content(data_key, report).get("narrative", "")
    for event_kind, fields in (
        (EventKind.FEEDBACK, ("measures", "reasons")),
        (EventKind.PROSECUTOR, ("recipient", "documents_sent")),
        (EventKind.CLOSURE, ("reasons",)),
        (EventKind.INVESTIGATION_REPORT, ("findings", "conclusions")),
    ):
        if event_kind in latest:
            payload = services.open_event(data_key, latest[event_kind])
            initial.update({name: payload[name] for name in fields if name in names and payload.get(name)})
    if "closure_reason" in names and report.closure_reason:
        initial["closure_reason"] = str(dict(ClosureReason.choices).get(report.closure_reason, ""))
    return initial


def _common(report: Report, user: Any, language: str) -> dict[str, str]:
    with translation.override(language):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    return {
        "reference": report.reference,
        "entity": report.entity.name,
        "today": today,
        "author": user.get_full_name() or user.email,
        "author_role": ", ".join(sorted({grant.get_role_display() for grant in org_access.active_grants(user)})),
    }


def _generate(report: Report, data_key: bytes, user: Any, form: forms.Form, *, kind: str, fields: dict[str, Any]) -> Any:
    """Fill the current template of this kind in the form's language and keep the document in the case; None,
    with the reason added to the form, when there is no template or it cannot be filled in."""
    language = form.cleaned_data["language"]
    template = documents.template_current(kind, language)
    if template is None:
        form.add_error(None, _("No template of this kind exists in this language yet."))
        return None
    try:
        content = documents.render(template, {**_common(report, user, language), **fields})
    except documents.TemplateProblem as problem:
        form.add_error(None, problem.message)
        return None
    return services.case_document_store(
        report=report, data_key=data_key, actor=user, kind=kind, language=language, content=content, template=template
    )


@require_http_methods(["GET", "POST"])
@_unlocked
def generate(request: HttpRequest, private_key: bytes, reference: str) -> HttpResponse:
    user: Any = request.user
    access, data_key = _open(request, private_key, reference)
    report = access.report
    kinds = _kinds(access.full)
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    if kind not in dict(kinds):
        return render(request, "cases/documents.html", {"report": report, "kinds": kinds})
    if request.method == "POST":
        form = _fields_form(kind, request.POST)
        if form.is_valid():
            fields = {name: value for name, value in form.cleaned_data.items() if name != "language"}
            document = _generate(report, data_key, user, form, kind=kind, fields=fields)
            if document is not None:
                messages.success(request, _("Document generated and kept in the case."))
                return redirect("cases:document", reference=report.reference, uid=document.uid)
    else:
        form = _fields_form(kind, initial=_prefill(report, data_key, kind, access.full))
        _audit_read(user, report, "report.read", part="document_form", kind=kind)  # pre-filled from the case
    label = TemplateKind(kind).label
    return render(request, "cases/document_form.html", {"report": report, "form": form, "kind": kind, "kind_label": label})


@require_safe
@_unlocked
def download(request: HttpRequest, private_key: bytes, reference: str, uid: str) -> HttpResponse:
    access, data_key = _open(request, private_key, reference)
    documents_seen = access.report.documents.all() if access.full else access.report.documents.filter(part=Part.INVESTIGATION)
    document = documents_seen.filter(uid=services._uuid(uid)).first()
    if document is None:
        raise Http404
    content = services.open_document(data_key, document)
    _audit_read(request.user, access.report, "case.document_downloaded", document=document.pk)
    response = HttpResponse(content, content_type=DOCX)
    name = f"{access.report.reference}-{document.kind}-{document.pk}.{document.language}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Redacted copy ---------------------------------------------------------------------------------------------


class RedactedForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of the document"), choices=LANGUAGES)
    parts = forms.MultipleChoiceField(
        label=gettext_lazy("Parts to include"),
        choices=[
            ("facts", gettext_lazy("The facts as reported")),
            ("timeline", gettext_lazy("The steps of the procedure (without internal notes)")),
            ("persons", gettext_lazy("The persons involved (by role)")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    also_mask = forms.CharField(
        label=gettext_lazy("Other words to mask"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line: places, nicknames, anything that could identify someone."),
        max_length=5000,
    )


def _redacted_text(report: Report, data_key: bytes, parts: list[str], extra: list[str]) -> str:
    content = decrypt_content(data_key, report)
    people = timeline.persons(report, data_key)
    names = [view.name for view in people]
    names += [content.get("identity", {}).get("name", ""), content.get("authors", {}).get("names", ""), *extra]
    labels = pseudonyms(names)
    sections = []
    if "facts" in parts:
        sections.append(_("The facts as reported") + "\n" + content.get("narrative", ""))
    if "timeline" in parts:
        lines = []
        for item in reversed(timeline.timeline(report, data_key, scope="full", persons={})):
            if item.event.kind == EventKind.NOTE:
                continue
            details = "; ".join(f"{label}: {value}" for label, value in item.facts if label != _("Person targeted"))
            lines.append(f"{item.event.on.strftime('%d/%m/%Y')} — {item.label}" + (f" ({details})" if details else ""))
        sections.append(_("Steps of the procedure") + "\n" + "\n".join(lines))
    if "persons" in parts:
        sections.append(
            _("Persons involved") + "\n" + "\n".join(f"{labels.get(view.name.strip(), '—')}: {view.role}" for view in people)
        )
    return redact("\n\n".join(sections), labels)


@require_http_methods(["GET", "POST"])
@_unlocked
def redacted(request: HttpRequest, private_key: bytes, reference: str) -> HttpResponse:
    user: Any = request.user
    access, data_key = _open(request, private_key, reference, full=True)
    report = access.report
    form = RedactedForm(request.POST or None, initial={"language": translation.get_language() or "fr", "parts": ["timeline"]})
    if request.method == "POST" and form.is_valid():
        extra = [line.strip() for line in form.cleaned_data["also_mask"].splitlines() if line.strip()]
        text = _redacted_text(report, data_key, form.cleaned_data["parts"], extra)
        document = _generate(report, data_key, user, form, kind=TemplateKind.REDACTED, fields={"sections": text})
        if document is not None:
            messages.success(request, _("Redacted copy generated: check it before sharing it."))
            return redirect("cases:document", reference=report.reference, uid=document.uid)
    return render(request, "cases/redacted.html", {"report": report, "form": form})


# --- Templates (legal direction) -----------------------------------------------------------------------------------


class TemplateUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Document"), choices=TemplateKind.choices)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=LANGUAGES)
    file = forms.FileField(label=gettext_lazy("DOCX file"))
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=DocumentTemplate.State.choices)


def _legal_only(user: Any) -> None:
    if Role.LEGAL not in org_access.user_roles(user):
        raise Http404


@require_http_methods(["GET", "POST"])
def templates_page(request: HttpRequest) -> HttpResponse:
    """The legal direction's page: every template, its versions, and the upload of a new version."""
    user: Any = request.user
    _legal_only(user)
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise documents.TemplateProblem(_("This file is too large for a template."))
            template = documents.template_upload(
                kind=form.cleaned_data["kind"],
                language=form.cleaned_data["language"],
                content=upload.read(),
                user=user,
                state=form.cleaned_data["state"],
            )
        except documents.TemplateProblem as problem:
            form.add_error("file", problem.message)
        else:
            messages.success(request, _("Version %(version)d saved.") % {"version": template.version})
            return redirect("cases:templates")
    rows = DocumentTemplate.objects.select_related("uploaded_by").order_by("kind", "language", "-version")
    return render(request, "cases/templates.html", {"form": form, "rows": rows})


@require_safe
def template_file(request: HttpRequest, template_id: int) -> HttpResponse:
    _legal_only(request.user)
    template = DocumentTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise Http404
    response = HttpResponse(bytes(template.content), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{template.kind}.{template.language}.v{template.version}.docx"'
    return response
