from django.urls import path

from egide.cases import case_views, document_views, views

app_name = "cases"
urlpatterns = [
    path("staff/reports/", views.inbox, name="inbox"),
    path("staff/reports/new/", views.case_new, name="new"),
    path("staff/reports/set-aside/", views.set_aside, name="set_aside"),
    path("staff/reports/keys/", views.readiness, name="readiness"),
    path("staff/reports/<str:reference>/", case_views.case_page, name="report"),
    path("staff/reports/<str:reference>/step/<str:kind>/", case_views.step, name="step"),
    path("staff/reports/<str:reference>/close/", case_views.close, name="close"),
    path("staff/reports/<str:reference>/reopen/", case_views.reopen, name="reopen"),
    path("staff/reports/<str:reference>/note/", case_views.note, name="note"),
    path("staff/reports/<str:reference>/persons/", case_views.person_add, name="person_add"),
    path("staff/reports/<str:reference>/access/", case_views.access_page, name="access"),
    path("staff/reports/<str:reference>/access/<int:grant_id>/revoke/", case_views.revoke, name="revoke"),
    path("staff/reports/<str:reference>/documents/", document_views.generate, name="documents"),
    path("staff/reports/<str:reference>/documents/<str:uid>/", document_views.download, name="document"),
    path("staff/reports/<str:reference>/redacted/", document_views.redacted, name="redacted"),
    path("staff/reports/<str:reference>/restore/", case_views.restore, name="restore"),
    path("staff/reports/<str:reference>/files/<int:attachment_id>/", case_views.report_file, name="report_file"),
    path("staff/cases/register/", views.register, name="register"),
    path("staff/templates/", document_views.templates_page, name="templates"),
    path("staff/templates/<int:template_id>.docx", document_views.template_file, name="template_file"),
    path("staff/key/setup/", views.key_setup, name="key_setup"),
    path("staff/key/unlock/", views.key_unlock, name="key_unlock"),
    path("staff/key/recover/", views.key_recover, name="key_recover"),
    path("staff/key/protect/", views.key_reprotect, name="key_reprotect"),
]
