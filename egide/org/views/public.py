"""The public home page: help first, then who to contact in each entity, then how to report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from egide.core.decorators import public
from egide.org.help import HELP_NUMBERS
from egide.org.selectors import public_contacts


@public
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "emergency_numbers": [number for number in HELP_NUMBERS if number.emergency],
        "help_numbers": [number for number in HELP_NUMBERS if not number.emergency],
        "directory": public_contacts(),
    }
    return render(request, "org/home.html", context)
