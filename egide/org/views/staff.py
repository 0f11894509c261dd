"""Staff pages of the organisation: each administrator sees and changes only their own scope."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from egide.core.indicators import ALL_ENTITIES, Period, all_indicators
from egide.org import access, services
from egide.org.forms import (
    EntityForm,
    GrantEndForm,
    GrantFilterForm,
    GrantForm,
    ImportForm,
    PeopleFilterForm,
    PersonForm,
)
from egide.org.imports import import_grants, import_people
from egide.org.models import User
from egide.org.roles import IMT_ONLY_ROLES, Role
from egide.org.selectors import people_search

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> User:
    # The access middleware lets only signed-in accounts reach these views.
    return cast(User, request.user)


def _require_admin(user: Any) -> None:
    if not access.is_org_admin(user):
        raise Http404


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    grants = access.active_grants(user)
    return render(
        request,
        "org/staff/dashboard.html",
        {"grants": grants, "is_admin": access.is_org_admin(user), "can_see_indicators": _indicator_scope(user) is not None},
    )


def _indicator_scope(user: Any) -> Any:
    """Indicators of the référent network: administrators and plan pilots, within their scope."""
    scope = access.administered_entity_ids(user)
    if scope == access.ALL or Role.PLAN_PILOT in access.user_roles(user):
        return ALL_ENTITIES
    return frozenset(scope) if scope else None


@require_safe
def indicators(request: HttpRequest) -> HttpResponse:
    scope = _indicator_scope(request.user)
    if scope is None:
        raise Http404
    today = timezone.localdate()
    period = Period(today.replace(month=1, day=1), today)
    tables = [(indicator, indicator.compute(scope, period)) for indicator in all_indicators() if not indicator.sensitive]
    return render(request, "org/staff/indicators.html", {"tables": tables, "period": period})


@require_safe
def entity_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    return render(request, "org/staff/entity_list.html", {"entities": access.entities_for_admin(request.user)})


@require_http_methods(["GET", "POST"])
def entity_edit(request: HttpRequest, code: str) -> HttpResponse:
    entity = access.access_entity_for_admin(request.user, code)
    form = EntityForm(request.POST or None, instance=entity)
    if request.method == "POST" and form.is_valid():
        # A bound ModelForm has already copied its data onto `entity`: compare against the stored row.
        stored = access.access_entity_for_admin(request.user, code)
        services.entity_update(actor=_actor(request), entity=stored, values=form.cleaned_data)
        messages.success(request, _("The entity has been saved."))
        return redirect("org:entity_list")
    return render(request, "org/staff/entity_form.html", {"form": form, "entity": entity})


@require_safe
def person_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    entities = access.entities_for_admin(request.user)
    form = PeopleFilterForm(request.GET or None, entities=entities)
    filters = form.cleaned_data if form.is_valid() else {}
    people = people_search(
        access.people_for_admin(request.user),
        q=filters.get("q", ""),
        entity=filters.get("entity"),
        population=filters.get("population", ""),
    )
    return render(
        request, "org/staff/person_list.html", {"form": form, "page": _page(request, people), "query": request.GET.copy()}
    )


@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    form = PersonForm(request.POST or None, entities=access.entities_for_admin(request.user))
    if request.method == "POST" and form.is_valid():
        person = services.person_create(actor=_actor(request), values=form.cleaned_data)
        messages.success(request, _("The person has been added."))
        return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/staff/person_form.html", {"form": form})


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person_for_admin(request.user, pk)
    grants = access.grants_for_admin(request.user).filter(person=person).order_by("-valid_from")
    account = User.objects.filter(person=person).first()
    return render(
        request,
        "org/staff/person_detail.html",
        {"person": person, "grants": grants, "account": account, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person_for_admin(request.user, pk)
    form = PersonForm(request.POST or None, instance=person, entities=access.entities_for_admin(request.user))
    if request.method == "POST" and form.is_valid():
        # A bound ModelForm has already copied its data onto `person`: compare against the stored row.
        stored = access.access_person_for_admin(request.user, pk)
        services.person_update(actor=_actor(request), person=stored, values=form.cleaned_data)
        messages.success(request, _("The person has been saved."))
        return redirect("org:person_detail", pk=pk)
    return render(request, "org/staff/person_form.html", {"form": form, "person": person})


@require_POST
def account_invite(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person_for_admin(request.user, pk)
    if not access.check_can_give_account(request.user, person):
        messages.error(request, _("This person holds a role beyond your scope: an IMT administrator must create the account."))
        return redirect("org:person_detail", pk=pk)
    try:
        services.account_invite(actor=_actor(request), person=person, base_url=request.build_absolute_uri("/"))
    except ValueError as error:
        message = {
            "no-email": _("This person has no e-mail address: add one first."),
            "exists": _("An account already exists for this person or this e-mail address."),
        }[str(error)]
        messages.error(request, message)
    else:
        messages.success(request, _("The account has been created and an e-mail sent to choose a password."))
    return redirect("org:person_detail", pk=pk)


@require_http_methods(["GET", "POST"])
def two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person_for_admin(request.user, pk)
    account = User.objects.filter(person=person).first()
    if account is None or not access.check_can_give_account(request.user, person):
        raise Http404
    form = GrantEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.two_factor_reset(actor=_actor(request), account=account, reason=form.cleaned_data["reason"])
        messages.success(request, _("Two-step verification has been reset: it will be set up again at the next sign-in."))
        return redirect("org:person_detail", pk=pk)
    return render(request, "org/staff/two_factor_reset.html", {"form": form, "person": person})


@require_safe
def grant_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    form = GrantFilterForm(request.GET or None, entities=access.entities_for_admin(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    grants = access.grants_for_admin(request.user)
    if not filters.get("include_ended"):
        grants = grants.active()
    if filters.get("role"):
        grants = grants.filter(role=filters["role"])
    if filters.get("entity"):
        grants = grants.filter(entity=filters["entity"])
    grants = grants.order_by("entity__name_fr", "role", "person__last_name")
    return render(
        request, "org/staff/grant_list.html", {"form": form, "page": _page(request, grants), "query": request.GET.copy()}
    )


@require_http_methods(["GET", "POST"])
def grant_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person_for_admin(request.user, pk)
    imt_wide = access.is_imt_admin(request.user)
    roles = [choice for choice in Role.choices if imt_wide or choice[0] not in IMT_ONLY_ROLES]
    form = GrantForm(
        request.POST or None,
        entities=access.entities_for_admin(request.user),
        allow_imt_wide=imt_wide,
        roles=roles,
        initial={"valid_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        values = {name: value for name, value in form.cleaned_data.items() if name != "reason"}
        refusal = access.check_can_grant(request.user, role=values["role"], entity=values["entity"], person=person)
        if refusal is None:
            services.grant_create(
                actor=_actor(request),
                values={**values, "person": person},
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("The role has been granted."))
            return redirect("org:person_detail", pk=person.pk)
        form.add_error(None, _("You cannot grant this role with this scope to this person."))
    return render(request, "org/staff/grant_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def grant_end(request: HttpRequest, pk: int) -> HttpResponse:
    grant = access.access_grant_for_admin(request.user, pk)
    form = GrantEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.grant_end(actor=_actor(request), grant=grant, reason=form.cleaned_data["reason"])
        messages.success(request, _("The role grant has been ended."))
        return redirect("org:person_detail", pk=grant.person_id)
    return render(request, "org/staff/grant_end.html", {"form": form, "grant": grant})


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    _require_admin(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        run = import_people if form.cleaned_data["kind"] == "people" else import_grants
        report = run(
            actor=_actor(request),
            content=form.cleaned_data["file"].read(),
            scope=access.administered_entity_ids(request.user),
            dry_run="apply" not in request.POST,
        )
    return render(request, "org/staff/import.html", {"form": form, "report": report})
