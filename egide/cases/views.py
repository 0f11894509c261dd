"""The handlers' side for this first version: personal keys, the inbox, a report and its messages."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from egide.cases.access import access_case, cases_for_user, is_case_worker, is_handler
from egide.cases.choices import TaskKind
from egide.cases.forms import IntakeForm, KeyProtectionForm, RecoveryForm, SetAsideForm, UnlockForm
from egide.cases.services import CaseRuleError, Intake, case_open
from egide.core.audit import audit_record
from egide.core.deadlines import deadline_status
from egide.core.throttle import throttle_is_blocked, throttle_record_failure, throttle_reset
from egide.org import access as org_access
from egide.org.models import Entity, Population
from egide.org.roles import Role
from egide.reports import choices
from egide.reports.choices import OPEN_STATUSES, Category, Status
from egide.reports.models import Report
from egide.reports.selectors import key_readiness
from egide.reports.services import (
    decrypt_content,
    reports_set_aside,
)
from egide.vault.models import HandlerKey, Wrap
from egide.vault.services import (
    NoAccess,
    WrongSecret,
    envelope_keys_for_user,
    envelope_open_for_user,
    handler_key_create,
    handler_key_recover,
    handler_key_reprotect,
    handler_key_unlock,
)
from egide.vault.session import staff_private_key, staff_unlock


def key_setup_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    view.egide_key_setup = True  # type: ignore[attr-defined]  # reachable before the key exists (see middleware)
    return view


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("cases:inbox")


def _handler_only(user: Any) -> None:
    if not is_case_worker(user):
        raise Http404


# --- Personal keys ------------------------------------------------------------------------------


@key_setup_view
@require_http_methods(["GET", "POST"])
def key_setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _handler_only(user)
    if HandlerKey.objects.filter(user=user).exists():
        return redirect("cases:inbox")
    form = KeyProtectionForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        created = handler_key_create(user=user, secret=form.secret, protection=form.cleaned_data["protection"])
        staff_unlock(request, created.private_key)
        return render(request, "cases/recovery_code.html", {"code": created.recovery_code})
    return render(request, "cases/key_setup.html", {"form": form})


@key_setup_view
@require_http_methods(["GET", "POST"])
def key_unlock(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    key = HandlerKey.objects.filter(user=user).first()
    if key is None:
        raise Http404
    form = UnlockForm(request.POST or None)
    limits = {"limit": settings.EGIDE_LOGIN_MAX_FAILURES, "window_seconds": settings.EGIDE_LOGIN_WINDOW_SECONDS}
    if request.method == "POST" and form.is_valid():
        identifier = str(user.pk)
        if throttle_is_blocked(scope="vault", identifier=identifier, **limits):
            form.add_error(
                "secret", _("Too many failed attempts. Wait %(minutes)d minutes.") % {"minutes": limits["window_seconds"] // 60}
            )
        else:
            secret = form.cleaned_data["secret"]
            try:
                staff_unlock(request, handler_key_unlock(key=key, secret=secret))
            except WrongSecret:
                throttle_record_failure(scope="vault", identifier=identifier, window_seconds=limits["window_seconds"])
                audit_record(actor=user, action="vault.unlock_failed", target=user)
                form.add_error("secret", _("This does not open your key."))
            else:
                throttle_reset(scope="vault", identifier=identifier)
                if key.protection == HandlerKey.Protection.PASSWORD and not user.check_password(secret):
                    # Opened with a previous password (after a reset): that password must stop working now.
                    context = {"form": KeyProtectionForm(user=user), "next": _next(request)}
                    return render(request, "cases/key_reprotect.html", context)
                return HttpResponseRedirect(_next(request))
    return render(request, "cases/key_unlock.html", {"form": form, "key": key, "next": _next(request)})


@key_setup_view
@require_http_methods(["GET", "POST"])
def key_recover(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    key = HandlerKey.objects.filter(user=user).first()
    if key is None:
        raise Http404
    form = RecoveryForm(request.POST or None, user=user)
    limits = {"limit": settings.EGIDE_LOGIN_MAX_FAILURES, "window_seconds": settings.EGIDE_LOGIN_WINDOW_SECONDS}
    if request.method == "POST" and form.is_valid():
        identifier = str(user.pk)
        if throttle_is_blocked(scope="vault", identifier=identifier, **limits):
            form.add_error(
                "recovery_code",
                _("Too many failed attempts. Wait %(minutes)d minutes.") % {"minutes": limits["window_seconds"] // 60},
            )
        else:
            try:
                recovered = handler_key_recover(
                    key=key,
                    recovery_code=form.cleaned_data["recovery_code"],
                    secret=form.secret,
                    protection=form.cleaned_data["protection"],
                )
            except WrongSecret:
                throttle_record_failure(scope="vault", identifier=identifier, window_seconds=limits["window_seconds"])
                audit_record(actor=user, action="vault.recovery_failed", target=user)
                form.add_error("recovery_code", _("This recovery code does not open your key."))
            else:
                staff_unlock(request, recovered.private_key)
                return render(request, "cases/recovery_code.html", {"code": recovered.recovery_code})
    return render(request, "cases/key_recover.html", {"form": form})


@key_setup_view
@require_POST
def key_reprotect(request: HttpRequest) -> HttpResponse:
    """Protect the unlocked key with the current password or a new passphrase."""
    user: Any = request.user
    key = HandlerKey.objects.filter(user=user).first()
    private_key = staff_private_key(request)
    if key is None or private_key is None:
        raise Http404
    form = KeyProtectionForm(request.POST, user=user)
    if form.is_valid():
        handler_key_reprotect(key=key, private_key=private_key, secret=form.secret, protection=form.cleaned_data["protection"])
        messages.success(request, _("Your key is now protected by what you chose; the previous password no longer opens it."))
        return HttpResponseRedirect(_next(request))
    return render(request, "cases/key_reprotect.html", {"form": form, "next": _next(request)})


def _unlocked(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Handler pages need the personal key unlocked for this session."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _handler_only(request.user)
        private_key = staff_private_key(request)
        if private_key is None and not HandlerKey.objects.filter(user=request.user).exists():  # type: ignore[misc]
            return HttpResponseRedirect(reverse("cases:key_setup"))
        if private_key is None:
            return HttpResponseRedirect(reverse("cases:key_unlock") + "?" + urlencode({"next": request.get_full_path()}))
        return view(request, private_key, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _data_key(report: Report, user: Any, private_key: bytes) -> bytes:
    try:
        return envelope_open_for_user(envelope_id=report.envelope_id, user=user, private_key=private_key)
    except NoAccess as error:
        raise Http404 from error


# --- Inbox --------------------------------------------------------------------------------------

INBOX_PAGE = 50


@require_safe
@_unlocked
def inbox(request: HttpRequest, private_key: bytes) -> HttpResponse:
    """The cases this user holds, what is due first on top (D-2 and late deadlines marked), 50 per page."""
    user: Any = request.user
    view = request.GET.get("view", "open")
    handled = cases_for_user(user)
    # Open cases, and closed ones that still have something due (check-ins against retaliation).
    in_hand = (Q(status__in=OPEN_STATUSES) | Q(next_due__isnull=False)) & ~Q(status=Status.SET_ASIDE)
    cases = handled.filter(in_hand) if view == "open" else handled.exclude(in_hand)
    ordering = [F("next_due").asc(nulls_last=True), "pk"] if view == "open" else ["-pk"]
    page = Paginator(cases.order_by(*ordering), INBOX_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    keys = envelope_keys_for_user(envelope_ids=[report.envelope_id for report in shown], user=user, private_key=private_key)
    rows = []
    categories = dict(Category.choices)
    due_labels = {
        "acknowledgement": _("Written acknowledgement"),
        "feedback": _("Feedback to the reporter"),
        **dict(TaskKind.choices),
    }
    for report in shown:
        if report.envelope_id not in keys or report.is_shredded:
            continue
        content = decrypt_content(keys[report.envelope_id], report)
        rows.append(
            {
                "report": report,
                "received_at": datetime.datetime.fromisoformat(content["received_at"]),
                "categories": [categories.get(value, value) for value in report.category_list],
                "status": Status(report.status).label,
                "deadline": deadline_status(report.next_due) if report.next_due else None,
                "due_label": due_labels.get(report.next_due_kind, ""),
                "danger": content.get("danger_now") == "yes",
            }
        )
    entity_ids = {grant.entity_id for grant in org_access.active_grants(user) if grant.entity_id is not None}
    readiness = (
        [item for item in key_readiness(list(Entity.objects.filter(pk__in=entity_ids))) if item.warning]
        if is_handler(user)
        else []
    )
    audit_record(actor=user, action="cases.inbox_listed", data={"count": len(rows), "view": view, "page": page.number})
    flooded = handled.filter(status=Status.SET_ASIDE, set_aside_at__isnull=True).count()
    context = {
        "rows": rows,
        "page": page,
        "view": view,
        "readiness": readiness,
        "set_aside_form": SetAsideForm(),
        "flooded": flooded,
        "can_open": is_handler(user),
        "query": request.GET,
    }
    return render(request, "cases/inbox.html", context)


@require_http_methods(["GET", "POST"])
@_unlocked
def case_new(request: HttpRequest, private_key: bytes) -> HttpResponse:
    """Open a case for a report received in person, by phone or by letter."""
    user: Any = request.user
    if not is_handler(user):
        raise Http404
    entity_ids = {grant.entity_id for grant in org_access.active_grants(user) if grant.entity_id is not None}
    entities = Entity.objects.filter(is_active=True)
    if not any(grant.entity_id is None for grant in org_access.active_grants(user)):
        entities = entities.filter(pk__in=entity_ids)
    form = IntakeForm(request.POST or None, entities=entities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        intake = Intake(
            entity=data["entity"],
            channel=data["channel"],
            received_on=data["received_on"],
            mode=data["mode"],
            reporter_role=data["reporter_role"],
            population=data["population"],
            categories=data["categories"],
            narrative=data["narrative"],
            reporter_name=data["reporter_name"],
            reporter_contact=data["reporter_contact"],
            consent=data["consent"],
            transcript=data["transcript"],
            approved_on=data["approved_on"],
            meeting_requested=data["meeting_requested"],
        )
        try:
            report = case_open(handler=user, intake=intake)
        except CaseRuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Case %(reference)s opened.") % {"reference": report.reference})
            return redirect("cases:report", reference=report.reference)
    return render(request, "cases/new.html", {"form": form})


@require_POST
@_unlocked
def set_aside(request: HttpRequest, private_key: bytes) -> HttpResponse:
    user: Any = request.user
    form = SetAsideForm(request.POST)
    references = request.POST.getlist("reference")
    if not form.is_valid() or not references:
        messages.error(request, _("Tick the reports to set aside and give a reason."))
        return redirect("cases:inbox")
    # Setting aside is the case team's decision: not an investigator's, who sees one part of the case.
    reports = [
        report for report in cases_for_user(user).filter(reference__in=references) if access_case(user, report.reference).full
    ]
    count = reports_set_aside(reports=reports, handler=user, reason=form.cleaned_data["reason"])
    messages.success(
        request, _("%(count)d report(s) set aside. You can find them under “Closed and set aside”.") % {"count": count}
    )
    return redirect("cases:inbox")


# --- Labels of a report's answers ---------------------------------------------------------------


def _labels(report: Report, content: dict[str, Any]) -> dict[str, Any]:
    """Readable labels for the stored codes."""

    def label(enum: Any, value: str) -> str:
        return str(dict(enum.choices).get(value, value)) if value else ""

    return {
        "mode": label(choices.Mode, report.mode),
        "role": label(choices.ReporterRole, report.reporter_role),
        "population": label(Population, report.population),
        "categories": [label(choices.Category, value) for value in report.category_list],
        "sexual_violence": [label(choices.SexualViolence, value) for value in content.get("sexual_violence", [])],
        "criteria": [label(choices.DiscriminationCriterion, value) for value in content.get("criteria", [])],
        "when": label(choices.WhenKind, content.get("when", {}).get("kind", "")),
        "where": label(choices.Place, content.get("where", {}).get("kind", "")),
        "author_relation": label(choices.AuthorRelation, content.get("authors", {}).get("relation", "")),
        "author_population": label(Population, content.get("authors", {}).get("population", "")),
        "author_named": label(choices.YesNoUnsure, content.get("authors", {}).get("named", "")),
        "witnesses": label(choices.YesNoUnsure, content.get("witnesses", {}).get("any", "")),
        "danger": label(choices.YesNoUnsure, content.get("danger_now", "")),
        "wishes": [label(choices.Wish, value) for value in content.get("wishes", [])],
        "status": label(choices.Status, report.status),
    }


# --- Key readiness for administrators -----------------------------------------------------------


@require_safe
def readiness(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    scope = org_access.administered_entity_ids(user)
    if not scope and not is_handler(user):
        raise Http404
    entities = Entity.objects.filter(is_active=True)
    if scope != org_access.ALL:
        allowed = set(scope) | {grant.entity_id for grant in org_access.active_grants(user) if grant.entity_id is not None}
        entities = entities.filter(pk__in=allowed)
    return render(request, "cases/readiness.html", {"rows": key_readiness(list(entities))})


# --- The DPO's register: metadata only ----------------------------------------------------------


@require_safe
def register(request: HttpRequest) -> HttpResponse:
    """The data protection officer sees that cases exist and where they stand, never what they hold (R59)."""
    user: Any = request.user
    grants = [grant for grant in org_access.active_grants(user) if grant.role == Role.DPO]
    if not grants:
        raise Http404
    cases = Report.objects.select_related("entity").annotate(
        steps=Count("events", distinct=True),
        holders=Count("envelope__wraps", filter=Q(envelope__wraps__kind=Wrap.Kind.HANDLER), distinct=True),
    )
    if not any(grant.entity_id is None for grant in grants):
        cases = cases.filter(entity_id__in={grant.entity_id for grant in grants})
    page = Paginator(cases.order_by("-received_month", "-pk"), INBOX_PAGE).get_page(request.GET.get("page"))
    audit_record(actor=user, action="cases.register_listed", data={"page": page.number})
    return render(request, "cases/register.html", {"page": page})
