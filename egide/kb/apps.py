from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "egide.kb"
    verbose_name = _("Help and knowledge")

    def ready(self) -> None:
        from egide.kb import signals

        signals.connect(self)
