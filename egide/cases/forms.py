from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from egide.org.models import Entity, Population
from egide.reports.choices import Category, Channel, Mode, ReporterRole
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


class IntakeForm(forms.Form):
    """A report received in person, by phone or by letter (R21 for the oral ones)."""

    entity = forms.ModelChoiceField(label=_("Entity"), queryset=Entity.objects.none())
    channel = forms.ChoiceField(
        label=_("Received"), choices=[c for c in Channel.choices if c[0] != Channel.ONLINE], widget=forms.RadioSelect
    )
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    mode = forms.ChoiceField(label=_("The reporter chose to report"), choices=Mode.choices, widget=forms.RadioSelect)
    reporter_role = forms.ChoiceField(label=_("The reporter"), choices=ReporterRole.choices, widget=forms.RadioSelect)
    population = forms.ChoiceField(label=_("Population"), choices=Population.choices)
    categories = forms.MultipleChoiceField(
        label=_("What happened"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    narrative = forms.CharField(label=_("The facts as reported"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    reporter_name = forms.CharField(label=_("Reporter's name"), required=False, max_length=200)
    reporter_contact = forms.CharField(label=_("How to reach them"), required=False, max_length=300)
    consent = forms.ChoiceField(
        label=_("Oral report: the person agreed to a recording"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        required=False,
    )
    transcript = forms.CharField(
        label=_("Oral report: transcript or precise minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50000,
    )
    approved_on = forms.DateField(
        label=_("The person approved the transcript or minutes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    meeting_requested = forms.BooleanField(label=_("The person asked for a meeting (within 20 working days)"), required=False)

    def __init__(self, *args: Any, entities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["entity"]
        field.queryset = entities

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("mode") != Mode.ANONYMOUS and not (data.get("reporter_name") or "").strip():
            self.add_error("reporter_name", _("Give the reporter's name, or choose an anonymous report."))
        if data.get("channel") in {Channel.IN_PERSON, Channel.PHONE}:
            if not data.get("consent"):
                self.add_error("consent", _("Say whether the person agreed to a recording."))
            if not (data.get("transcript") or "").strip():
                self.add_error("transcript", _("Write the transcript or the minutes of what the person said."))
        return data
