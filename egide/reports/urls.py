"""Stable public addresses (printed on posters): /fr/signaler/, /en/report/, /fr/suivi/, /en/follow-up/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from egide.reports import views

app_name = "reports"
urlpatterns = [
    path(_("report/"), views.report_form, name="start"),
    path(_("report/how-it-works/"), views.how, name="how"),
    path(_("report/information-notice/"), views.notice, name="notice"),
    path(_("report/other-channels/"), views.channels, name="channels"),
    path(_("follow-up/"), views.follow_up, name="follow_up"),
    path(_("follow-up/my-report/"), views.space, name="space"),
    path(_("follow-up/my-report/files/<int:attachment_id>/"), views.space_file, name="space_file"),
    path(_("follow-up/my-report/withdraw/"), views.withdraw, name="withdraw"),
    path(_("follow-up/leave/"), views.leave, name="leave"),
]
