"""Django's admin, for super-administrators only, behind a verified second factor."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from egide.org.models import Entity, Person, RoleGrant, User


def _superuser_verified(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_superuser and user.is_verified())


def _login_elsewhere(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    return redirect("org:login")


admin.site.has_permission = _superuser_verified  # type: ignore[method-assign]
admin.site.login = _login_elsewhere  # type: ignore[method-assign]
admin.site.site_header = "Égide"


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin[Entity]):
    list_display = ["code", "name_fr", "kind", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["last_name", "first_name", "email", "population", "entity"]
    list_filter = ["entity", "population"]
    search_fields = ["last_name", "first_name", "email", "external_id"]
    list_select_related = ["entity"]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin[RoleGrant]):
    list_display = ["person", "role", "entity", "valid_from", "valid_until", "is_public"]
    list_filter = ["role", "entity"]
    raw_id_fields = ["person", "created_by"]
    list_select_related = ["person", "entity"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ["email", "person", "is_active", "is_superuser", "last_login"]
    search_fields = ["email"]
    raw_id_fields = ["person"]
    exclude = ["password", "groups", "user_permissions"]
