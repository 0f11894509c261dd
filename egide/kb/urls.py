from django.urls import path
from django.utils.translation import gettext_lazy as _

from egide.kb import views

app_name = "kb"
urlpatterns = [
    path(_("help/"), views.assistant, name="assistant"),
    path(_("help/contacts/<slug:code>/"), views.entity_contacts, name="contacts"),
    path(_("help/calendar/"), views.agenda, name="agenda"),
    path(_("help/calendar.ics"), views.agenda_ics, name="agenda_ics"),
    path(_("help/offences/"), views.offences, name="offences"),
    path(_("help/discrimination-grounds/"), views.discrimination_grounds, name="discrimination_grounds"),
]
