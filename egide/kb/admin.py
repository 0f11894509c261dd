"""Until the communication team's editor exists, super-administrators keep the calendar here."""

from __future__ import annotations

from django.contrib import admin

from egide.kb.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ["starts_on", "ends_on", "title_fr", "kind", "entity"]
    list_filter = ["kind", "entity"]
    search_fields = ["title_fr", "title_en"]
