from django.urls import path

from egide.cases import views

app_name = "cases"
urlpatterns = [
    path("staff/reports/", views.inbox, name="inbox"),
    path("staff/reports/set-aside/", views.set_aside, name="set_aside"),
    path("staff/reports/keys/", views.readiness, name="readiness"),
    path("staff/reports/<str:reference>/", views.report_detail, name="report"),
    path("staff/reports/<str:reference>/restore/", views.restore, name="restore"),
    path("staff/reports/<str:reference>/files/<int:attachment_id>/", views.report_file, name="report_file"),
    path("staff/key/setup/", views.key_setup, name="key_setup"),
    path("staff/key/unlock/", views.key_unlock, name="key_unlock"),
    path("staff/key/recover/", views.key_recover, name="key_recover"),
    path("staff/key/protect/", views.key_reprotect, name="key_reprotect"),
]
