"""Public reference pages: what the law says, straight from the reference data (R58)."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from egide.core.decorators import public
from egide.kb.models import DiscriminationGround, Offence


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
