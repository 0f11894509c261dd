from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "egide.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from egide.reports import checks, indicators  # noqa: F401  (registers the deployment checks and indicators)
