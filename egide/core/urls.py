from django.urls import path
from django.utils.translation import gettext_lazy as _

from egide.core import views

app_name = "core"
urlpatterns = [
    path(_("legal-notice/"), views.legal_notice, name="legal_notice"),
    path(_("privacy/"), views.privacy_notice, name="privacy_notice"),
    path(_("accessibility/"), views.accessibility_statement, name="accessibility"),
]
