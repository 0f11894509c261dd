from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "egide.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from egide.cases import signals  # noqa: F401  (connects the vault unlock at sign-in)
