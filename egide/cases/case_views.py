"""One case on the staff side: its page, the steps of the procedure, persons, notes, access, closure.

Every view fetches the case through cases.access (404 for missing and forbidden alike), opens its data
key with the user's unlocked personal key, calls one service and audits what it read.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from egide.cases import services, timeline
from egide.cases.access import CaseAccess, access_case, access_full_case, eligible_grantees
from egide.cases.choices import EventKind, GrantScope, Part
from egide.cases.forms import ReplyForm
from egide.cases.models import CaseGrant
from egide.cases.step_forms import STEP_FORMS, ClosureForm, GrantForm, NoteForm, PersonForm, ReopenForm, RevokeForm
from egide.cases.views import _labels, _unlocked
from egide.core.audit import audit_record
from egide.core.deadlines import deadline_status
from egide.org.models import User
from egide.reports.choices import Status
from egide.reports.models import Attachment, Report
from egide.reports.services import decrypt_content, open_thread, report_restore
from egide.reports.views import file_response
from egide.vault.services import NoAccess, envelope_open_for_user


def _open(request: HttpRequest, private_key: bytes, reference: str, *, full: bool = False) -> tuple[CaseAccess, bytes]:
    user: Any = request.user
    access = access_full_case(user, reference) if full else access_case(user, reference)
    try:
        data_key = envelope_open_for_user(envelope_id=access.report.envelope_id, user=user, private_key=private_key)
    except NoAccess as error:
        raise Http404 from error
    if access.report.is_shredded:
        raise Http404
    return access, data_key


def _audit_read(user: Any, report: Report, action: str, **data: Any) -> None:
    audit_record(actor=user, action=action, object_type="reports.report", object_id=report.reference, data=data)


def _rule_error(request: HttpRequest, form: Any, error: services.CaseRuleError) -> None:
    form.add_error(None, error.message)


# --- The case page ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_unlocked
def case_page(request: HttpRequest, private_key: bytes, reference: str) -> HttpResponse:
    user: Any = request.user
    access, data_key = _open(request, private_key, reference)
    report = access.report
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        if not access.full:
            raise Http404
        if report.receipt_id is None:
            form.add_error(None, _("This case was opened by a handler: the reporter has no follow-up space."))
        elif form.is_valid() and report.is_open:
            services.case_reply(report=report, data_key=data_key, handler=user, text=form.cleaned_data["text"])
            messages.success(request, _("Your message was sent to the reporter."))
            return redirect("cases:report", reference=report.reference)
        elif not report.is_open:
            form.add_error(None, _("This report is no longer open: no message can be sent."))
    return _case_page(request, access, data_key, reply_form=form)


def _case_page(request: HttpRequest, access: CaseAccess, data_key: bytes, **forms: Any) -> HttpResponse:
    """The case page (an audited read); a form given here is shown bound, so that a refused note, person or
    reopening keeps what was typed."""
    _audit_read(request.user, access.report, "report.read", part=access.scope)
    context = _case_context(access, data_key, whole=request.GET.get("timeline") == "all")
    context.update({name: form for name, form in forms.items() if name != "reply_form"})
    if access.full:
        context["form"] = forms.get("reply_form", ReplyForm())
    return render(request, "cases/case.html", context)


# A long case shows its latest steps first; the whole timeline is one link away.
TIMELINE_LATEST = 50


def _case_context(access: CaseAccess, data_key: bytes, *, whole: bool = False) -> dict[str, Any]:
    report = access.report
    people = timeline.persons(report, data_key)
    names = {str(view.person.uid): view.name for view in people}
    context: dict[str, Any] = {
        "report": report,
        "access": access,
        "persons": people,
        "events": timeline.timeline(
            report, data_key, scope=access.scope, persons=names, latest=None if whole else TIMELINE_LATEST
        ),
        "events_total": report.events.filter(**({} if access.full else {"part": Part.INVESTIGATION})).count(),
        "tasks": timeline.open_tasks(report),
        "documents": (report.documents.all() if access.full else report.documents.filter(part=Part.INVESTIGATION)).defer(
            "content"
        ),
        "steps": [(kind.value, kind.label) for kind in EventKind if kind in STEP_FORMS and _step_allowed(access, kind)],
        "person_form": PersonForm(),
        "note_form": NoteForm(prefix="note"),  # its field must not share the reply's id
        "reopen_form": ReopenForm(prefix="reopen"),
    }
    if access.full:
        content = decrypt_content(data_key, report)
        thread = open_thread(data_key, report, with_handlers=True)
        context.update(
            content=content,
            labels=_labels(report, content),
            received_at=datetime.datetime.fromisoformat(content["received_at"]),
            thread=thread.messages,
            first_attachments=thread.first_attachments,
            deadline=deadline_status(report.next_due) if report.next_due else None,
            closure_problems=services.closure_problems(report) if report.is_open else [],
            feedback_status=deadline_status(report.feedback_due) if report.feedback_due and not report.feedback_on else None,
        )
    return context


def _step_allowed(access: CaseAccess, kind: str) -> bool:
    spec = services.SPECS[kind]
    if access.report.status == Status.CLOSED and not spec.allowed_when_closed:
        return False
    return access.full or spec.part == Part.INVESTIGATION


# --- Steps of the procedure ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_unlocked
def step(request: HttpRequest, private_key: bytes, reference: str, kind: str) -> HttpResponse:
    user: Any = request.user
    access, data_key = _open(request, private_key, reference)
    report = access.report
    form_class = STEP_FORMS.get(kind)
    if form_class is None or not _step_allowed(access, kind):
        raise Http404
    extra: dict[str, Any] = {}
    if kind in {EventKind.PERSON_INFORMED, EventKind.INFORMATION_DEFERRED}:
        extra["persons"] = {str(view.person.uid): view.name for view in timeline.persons(report, data_key)}
    form = form_class(request.POST or None, report=report, **extra)
    if request.method == "GET" and extra:
        _audit_read(user, report, "report.read", part="step_form", kind=kind)  # it lists the persons' names
    if request.method == "POST" and form.is_valid():
        try:
            event = services.case_record(report=report, data_key=data_key, actor=user, step=form.step(kind))
        except services.CaseRuleError as error:
            _rule_error(request, form, error)
        else:
            if kind == EventKind.FEEDBACK and form.cleaned_data.get("send") and report.receipt_id is not None:
                text = form.cleaned_data["measures"] + "\n\n" + form.cleaned_data["reasons"]
                services.case_reply(report=report, data_key=data_key, handler=user, text=text)
            if kind == EventKind.COMMISSION and event.codes.get("mixed") is False:
                messages.warning(request, _("This commission is not a mixed pair (a woman and a man): say why in a note."))
            messages.success(request, _("Recorded: %(step)s.") % {"step": EventKind(kind).label})
            return redirect("cases:report", reference=report.reference)
    return render(request, "cases/step.html", {"report": report, "form": form, "kind_label": EventKind(kind).label, "kind": kind})


@require_http_methods(["GET", "POST"])
@_unlocked
def close(request: HttpRequest, private_key: bytes, reference: str) -> HttpResponse:
    user: Any = request.user
    access, data_key = _open(request, private_key, reference, full=True)
    report = access.report
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        closure = services.Closure(**form.cleaned_data)
        try:
            services.case_close(report=report, data_key=data_key, actor=user, closure=closure)
        except services.CaseRuleError as error:
            _rule_error(request, form, error)
        else:
            messages.success(request, _("The case is closed."))
            return redirect("cases:report", reference=report.reference)
    context = {
        "report": report,
        "form": form,
        "problems": services.closure_problems(report),
        "measures": services.open_measures(report, timezone.localdate()),
    }
    return render(request, "cases/close.html", context)


@require_POST
@_unlocked
def reopen(request: HttpRequest, private_key: bytes, reference: str) -> HttpResponse:
    access, data_key = _open(request, private_key, reference, full=True)
    form = ReopenForm(request.POST, prefix="reopen")
    if form.is_valid():
        try:
            services.case_reopen(report=access.report, data_key=data_key, actor=request.user, reason=form.cleaned_data["reason"])
        except services.CaseRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The case is reopened."))
            return redirect("cases:report", reference=reference)
    return _case_page(request, access, data_key, reopen_form=form)


@require_POST
@_unlocked
def note(request: HttpRequest, private_key: bytes, reference: str) -> HttpResponse:
    access, data_key = _open(request, private_key, reference, full=True)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            services.case_note(report=access.report, data_key=data_key, actor=request.user, text=form.cleaned_data["text"])
        except services.CaseRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Note added."))
            return redirect("cases:report", reference=reference)
    return _case_page(request, access, data_key, note_form=form)


@require_POST
@_unlocked
def person_add(request: HttpRequest, private_key: bytes, reference: str) -> HttpResponse:
    access, data_key = _open(request, private_key, reference, full=True)
    form = PersonForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        identity = {"name": data["name"], "contact": data["contact"], "notes": data["notes"]}
        try:
            services.case_person_add(
                report=access.report, data_key=data_key, actor=request.user, role=data["role"], identity=identity
            )
        except services.CaseRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Person added."))
            return redirect("cases:report", reference=reference)
    return _case_page(request, access, data_key, person_form=form)


# --- Access -------------------------------------------------------------------------------------------------


def _candidates(report: Report) -> list[tuple[str, str]]:
    holders = set(services.holder_ids(report))
    seen: dict[int, str] = {}
    for scope in GrantScope:
        for user in eligible_grantees(report, scope).select_related("person"):
            if user.pk not in holders:
                seen[user.pk] = user.get_full_name() or user.email
    return [(str(pk), name) for pk, name in sorted(seen.items(), key=lambda item: item[1])]


@require_http_methods(["GET", "POST"])
@_unlocked
def access_page(request: HttpRequest, private_key: bytes, reference: str) -> HttpResponse:
    user: Any = request.user
    access, data_key = _open(request, private_key, reference, full=True)
    report = access.report
    form = GrantForm(request.POST or None, candidates=_candidates(report))
    if request.method == "POST" and form.is_valid():
        grantee = eligible_grantees(report, form.cleaned_data["scope"]).filter(pk=form.cleaned_data["user"]).first()
        if grantee is None:
            form.add_error("user", _("This person cannot be given this access."))
        else:
            try:
                services.case_grant(
                    report=report,
                    data_key=data_key,
                    granter=user,
                    user=grantee,
                    scope=form.cleaned_data["scope"],
                    reason=form.cleaned_data["reason"],
                )
            except services.CaseRuleError as error:
                _rule_error(request, form, error)
            else:
                messages.success(request, _("Access given."))
                return redirect("cases:access", reference=reference)
    holders = services.holder_ids(report)
    context = {
        "report": report,
        "form": form,
        "grants": timeline.grants(report, data_key),
        "holders": User.objects.filter(pk__in=holders).select_related("person").order_by("email"),
        "revoke_form": RevokeForm(),
    }
    _audit_read(user, report, "case.access_listed")
    return render(request, "cases/access.html", context)


@require_POST
@_unlocked
def revoke(request: HttpRequest, private_key: bytes, reference: str, grant_id: int) -> HttpResponse:
    access, data_key = _open(request, private_key, reference, full=True)
    grant = CaseGrant.objects.filter(pk=grant_id, report=access.report).first()
    if grant is None:
        raise Http404
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.case_revoke(
                report=access.report, data_key=data_key, grant=grant, revoker=request.user, reason=form.cleaned_data["reason"]
            )
        except services.CaseRuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Access ended."))
    else:
        messages.error(request, _("Say why the access ends."))
    return redirect("cases:access", reference=reference)


# --- Files and set-aside reports (from the first version) ---------------------------------------------------------


@require_safe
@_unlocked
def report_file(request: HttpRequest, private_key: bytes, reference: str, attachment_id: int) -> HttpResponseBase:
    access, data_key = _open(request, private_key, reference, full=True)
    attachment = Attachment.objects.filter(pk=attachment_id, report=access.report).first()
    if attachment is None:
        raise Http404
    _audit_read(request.user, access.report, "report.file_downloaded", attachment=attachment.pk)
    return file_response(data_key, attachment)


@require_POST
@_unlocked
def restore(request: HttpRequest, private_key: bytes, reference: str) -> HttpResponse:
    access, _data_key = _open(request, private_key, reference, full=True)
    report_restore(report=access.report, handler=request.user)
    return redirect("cases:report", reference=reference)
