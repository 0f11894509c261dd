"""Deployment checks of the reporting side (run by `manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def reporting_configuration(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if not settings.EGIDE_REPORTING_ACT.get("reference"):
        errors.append(
            Error(
                "The reference of the act that set up the reporting procedure is not configured (R6).",
                hint="Set EGIDE_REPORTING_ACT_REFERENCE (and _DATE, _URL): the information notice must cite it.",
                id="egide.E101",
            )
        )
    if not settings.EGIDE_CLIENT_ADDRESS_HEADER:
        errors.append(
            Error(
                "EGIDE_CLIENT_ADDRESS_HEADER is not set: behind the reverse proxy, wrong follow-up codes of all "
                "visitors would be counted together.",
                hint="Set EGIDE_CLIENT_ADDRESS_HEADER=HTTP_X_EGIDE_CLIENT with deploy/nginx/egide.conf.",
                id="egide.E102",
            )
        )
    return errors
