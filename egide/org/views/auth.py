"""Staff sign-in: e-mail and password, then TOTP where the account's roles require it."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egide.core.audit import audit_record
from egide.core.decorators import public, signed_in_only
from egide.core.throttle import throttle_is_blocked, throttle_record_failure, throttle_reset
from egide.org.forms import LoginForm, ResetForm, TokenForm
from egide.org.signals import password_changed, password_verified

BACKUP_CODE_COUNT = 10


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _throttle(scope: str) -> dict[str, Any]:
    return {"scope": scope, "limit": settings.EGIDE_LOGIN_MAX_FAILURES, "window_seconds": settings.EGIDE_LOGIN_WINDOW_SECONDS}


@public
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        limits = _throttle("login")
        if throttle_is_blocked(identifier=email, **limits):
            audit_record(action="auth.login_throttled", data={"email": email})
            form.add_error(
                None,
                _("Too many failed attempts for this account. Wait %(minutes)d minutes and try again.")
                % {"minutes": settings.EGIDE_LOGIN_WINDOW_SECONDS // 60},
            )
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                throttle_record_failure(scope="login", identifier=email, window_seconds=limits["window_seconds"])
                audit_record(action="auth.login_failed", data={"email": email})
                form.add_error(None, _("The e-mail address or the password is wrong."))
            else:
                throttle_reset(scope="login", identifier=email)
                login(request, user)
                password_verified.send(sender=type(user), request=request, user=user, password=form.cleaned_data["password"])
                audit_record(actor=user, action="auth.login", target=user)
                return HttpResponseRedirect(_safe_next(request, reverse("org:dashboard")))
    return render(request, "org/auth/login.html", {"form": form, "next": _safe_next(request, "")})


@signed_in_only
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    audit_record(actor=request.user, action="auth.logout", target=request.user)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("org:home")


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]


@signed_in_only
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("org:otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            backup = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
            codes = [StaticToken.random_token() for _index in range(BACKUP_CODE_COUNT)]
            StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
            otp_login(request, device)
            audit_record(actor=user, action="auth.2fa_enrolled", target=user)
            return render(
                request, "org/auth/backup_codes.html", {"codes": codes, "next": _safe_next(request, reverse("org:dashboard"))}
            )
        form.add_error("token", _("This code is not valid. Check the time on your phone and try the next code."))
    b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308  (SVG generated by us, no user input)
        "secret_groups": [b32[i : i + 4] for i in range(0, len(b32), 4)],
        "next": _safe_next(request, ""),
    }
    return render(request, "org/auth/otp_setup.html", context)


@signed_in_only
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("org:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limits = _throttle("otp")
        identifier = str(user.pk)
        if throttle_is_blocked(identifier=identifier, **limits):
            form.add_error(
                "token",
                _("Too many wrong codes. Wait %(minutes)d minutes and try again.")
                % {"minutes": settings.EGIDE_LOGIN_WINDOW_SECONDS // 60},
            )
        else:
            token = form.cleaned_data["token"]
            devices = [
                *TOTPDevice.objects.filter(user=user, confirmed=True),
                *StaticDevice.objects.filter(user=user, confirmed=True),
            ]
            device = next((candidate for candidate in devices if candidate.verify_token(token)), None)
            if device is not None:
                throttle_reset(scope="otp", identifier=identifier)
                otp_login(request, device)
                audit_record(
                    actor=user,
                    action="auth.2fa_verified",
                    target=user,
                    data={"method": "backup_code" if isinstance(device, StaticDevice) else "totp"},
                )
                return HttpResponseRedirect(_safe_next(request, reverse("org:dashboard")))
            throttle_record_failure(scope="otp", identifier=identifier, window_seconds=limits["window_seconds"])
            audit_record(actor=user, action="auth.2fa_failed", target=user)
            form.add_error("token", _("This code is not valid."))
    return render(request, "org/auth/otp_verify.html", {"form": form, "next": _safe_next(request, "")})


@public
class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    template_name = "org/auth/password_reset.html"
    email_template_name = "org/email/reset.txt"
    subject_template_name = "org/email/reset_subject.txt"
    success_url = reverse_lazy("org:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].lower()
        # Limit mail bombing: the page answers the same way whether or not a mail was sent.
        if throttle_record_failure(scope="reset", identifier=email, window_seconds=3600) <= 3:
            audit_record(action="auth.password_reset_requested", data={"email": email})
            self.extra_email_context = {"site_name": settings.EGIDE_SITE_NAME, "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


@public
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "org/auth/password_reset_done.html"


@public
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "org/auth/password_reset_confirm.html"
    success_url = reverse_lazy("org:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.user, action="auth.password_set", target=form.user)
        return response


@public
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "org/auth/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "org/auth/password_change.html"
    success_url = reverse_lazy("org:dashboard")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed.send(
            sender=type(form.user), request=self.request, user=form.user, password=form.cleaned_data["new_password1"]
        )
        audit_record(actor=form.user, action="auth.password_changed", target=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response
