from django.urls import path
from django.utils.translation import gettext_lazy as _

from egide.kb import directory_views, editor_views, kit_views, views

app_name = "kb"
urlpatterns = [
    path(_("help/"), views.assistant, name="assistant"),
    path(_("help/contacts/<slug:code>/"), views.entity_contacts, name="contacts"),
    path(_("help/kit/<slug:code>/"), kit_views.kit, name="kit"),
    path(_("help/kit/<slug:code>/<str:kind>-<str:language>.pdf"), kit_views.kit_pdf, name="kit_pdf"),
    path(_("help/calendar/"), views.agenda, name="agenda"),
    path(_("help/calendar.ics"), views.agenda_ics, name="agenda_ics"),
    path(_("help/sheets/"), views.article_index, name="articles"),
    path(_("help/sheets/<slug:slug>/"), views.article, name="article"),
    path(_("help/search/"), views.search_page, name="search"),
    path(_("hvssd/"), views.hvssd, name="hvssd"),
    path(_("help/offences/"), views.offences, name="offences"),
    path(_("help/discrimination-grounds/"), views.discrimination_grounds, name="discrimination_grounds"),
    path("staff/help/", editor_views.editor_list, name="editor_list"),
    path("staff/help/new/", editor_views.editor_edit, name="editor_new"),
    path("staff/help/<int:pk>/", editor_views.editor_edit, name="editor_edit"),
    path("staff/help/<int:pk>/versions/", editor_views.editor_versions, name="editor_versions"),
    path("staff/help/<int:pk>/versions/<int:number>/", editor_views.editor_version, name="editor_version"),
    path("staff/help/<int:pk>/versions/<int:number>/restore/", editor_views.editor_restore, name="editor_restore"),
    path("staff/help/assistant/", editor_views.assistant_tree, name="assistant_tree"),
    path("staff/help/assistant/questions/<int:pk>/", editor_views.assistant_question, name="assistant_question"),
    path("staff/help/assistant/answers/<int:pk>/", editor_views.assistant_choice, name="assistant_choice"),
    path("staff/directory/", directory_views.directory_index, name="directories"),
    path("staff/directory/<slug:key>/", directory_views.directory, name="directory"),
    path("staff/directory/<slug:key>/new/", directory_views.directory_edit, name="directory_new"),
    path("staff/directory/<slug:key>/<int:pk>/", directory_views.directory_edit, name="directory_edit"),
]
