from django.urls import path

from egide.org.views import auth, public, staff

app_name = "org"
urlpatterns = [
    path("", public.home, name="home"),
    path("staff/login/", auth.login_view, name="login"),
    path("staff/logout/", auth.logout_view, name="logout"),
    path("staff/2fa/setup/", auth.otp_setup, name="otp_setup"),
    path("staff/2fa/verify/", auth.otp_verify, name="otp_verify"),
    path("staff/password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("staff/password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("staff/password/reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("staff/password/reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("staff/password/change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("staff/", staff.dashboard, name="dashboard"),
    path("staff/indicators/", staff.indicators, name="indicators"),
    path("staff/org/entities/", staff.entity_list, name="entity_list"),
    path("staff/org/entities/<slug:code>/edit/", staff.entity_edit, name="entity_edit"),
    path("staff/org/people/", staff.person_list, name="person_list"),
    path("staff/org/people/new/", staff.person_create, name="person_create"),
    path("staff/org/people/<int:pk>/", staff.person_detail, name="person_detail"),
    path("staff/org/people/<int:pk>/edit/", staff.person_edit, name="person_edit"),
    path("staff/org/people/<int:pk>/account/", staff.account_invite, name="account_invite"),
    path("staff/org/people/<int:pk>/2fa-reset/", staff.two_factor_reset, name="two_factor_reset"),
    path("staff/org/people/<int:pk>/grants/new/", staff.grant_create, name="grant_create"),
    path("staff/org/grants/", staff.grant_list, name="grant_list"),
    path("staff/org/grants/<int:pk>/end/", staff.grant_end, name="grant_end"),
    path("staff/org/import/", staff.import_page, name="import"),
]
