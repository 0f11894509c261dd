from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "egide.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from egide.org import indicators, signals  # noqa: F401  (registration side effects)
