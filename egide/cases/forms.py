from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from egide.vault.models import HandlerKey

PASSPHRASE_MIN = 12


class KeyProtectionForm(forms.Form):
    """How the personal key is protected: the sign-in password (proved again here) or a passphrase."""

    protection = forms.ChoiceField(
        label=_("Protect my key with"), choices=HandlerKey.Protection.choices, widget=forms.RadioSelect, initial="password"
    )
    password = forms.CharField(
        label=_("Your sign-in password"), required=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    passphrase = forms.CharField(
        label=_("New vault passphrase"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, different from your password. Needed at each sign-in."),
    )
    passphrase_again = forms.CharField(
        label=_("The passphrase again"), required=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("protection") == HandlerKey.Protection.PASSWORD:
            if not self.user.check_password(data.get("password") or ""):
                self.add_error("password", _("This is not your sign-in password."))
        elif data.get("protection") == HandlerKey.Protection.PASSPHRASE:
            passphrase = data.get("passphrase") or ""
            if len(passphrase) < PASSPHRASE_MIN:
                self.add_error("passphrase", _("Use at least 12 characters."))
            elif passphrase != data.get("passphrase_again"):
                self.add_error("passphrase_again", _("The two passphrases differ."))
            elif self.user.check_password(passphrase):
                self.add_error("passphrase", _("Choose a passphrase different from your password."))
            else:
                validate_password(passphrase, self.user)
        return data

    @property
    def secret(self) -> str:
        field = "password" if self.cleaned_data["protection"] == HandlerKey.Protection.PASSWORD else "passphrase"
        return str(self.cleaned_data[field])


class UnlockForm(forms.Form):
    secret = forms.CharField(
        label=_("Password or vault passphrase"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class RecoveryForm(KeyProtectionForm):
    recovery_code = forms.CharField(
        label=_("Recovery code"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    field_order = ["recovery_code", "protection", "password", "passphrase", "passphrase_again"]


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Message to the reporter"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


class SetAsideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
