"""Forms of the organisation pages. Validation messages are translated; nothing here writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from egide.org.models import Entity, Person, Population, RoleGrant, User
from egide.org.roles import REFERENT_ROLES, Role
from egide.org.services import ENTITY_FIELDS


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class ResetForm(PasswordResetForm):
    """Also reaches accounts that never chose a password (invited people)."""

    def get_users(self, email: str) -> Any:
        return User.objects.filter(email__iexact=email, is_active=True)


class EntityForm(forms.ModelForm[Entity]):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Entity
        fields = list(ENTITY_FIELDS)
        widgets = {"cell_address": forms.Textarea(attrs={"rows": 3})}


class PersonForm(forms.ModelForm[Person]):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "population", "entity", "language", "external_id"]

    def __init__(self, *args: Any, entities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities  # type: ignore[attr-defined]


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    entity = forms.ModelChoiceField(
        label=_("Entity"), queryset=Entity.objects.none(), required=False, to_field_name="code", empty_label=_("All")
    )
    population = forms.ChoiceField(label=_("Population"), required=False, choices=[("", _("All")), *Population.choices])

    def __init__(self, *args: Any, entities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities  # type: ignore[attr-defined]


class GrantFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All")), *Role.choices])
    entity = forms.ModelChoiceField(
        label=_("Scope"), queryset=Entity.objects.none(), required=False, to_field_name="code", empty_label=_("All")
    )
    include_ended = forms.BooleanField(label=_("Include ended grants"), required=False)

    def __init__(self, *args: Any, entities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities  # type: ignore[attr-defined]


class GrantForm(forms.ModelForm[RoleGrant]):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        help_text=_("Kept in the audit log, e.g. the reference of the nomination."),
    )

    class Meta:
        model = RoleGrant
        fields = [
            "role",
            "entity",
            "valid_from",
            "valid_until",
            "nomination_date",
            "time_quota_percent",
            "languages",
            "is_public",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "nomination_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, entities: Any, allow_imt_wide: bool, roles: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entity_field = self.fields["entity"]
        entity_field.queryset = entities  # type: ignore[attr-defined]
        entity_field.required = not allow_imt_wide
        entity_field.empty_label = _("All of IMT") if allow_imt_wide else None  # type: ignore[attr-defined]
        self.fields["role"].choices = roles  # type: ignore[attr-defined]

    def clean_languages(self) -> str:
        codes = [code.strip().lower() for code in self.cleaned_data["languages"].replace(";", ",").split(",") if code.strip()]
        if any(len(code) != 2 or not code.isalpha() for code in codes):
            raise forms.ValidationError(_("Give two-letter language codes separated by commas, e.g. fr,en."))
        return ",".join(codes)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            self.add_error("valid_until", _("The end date must not be before the start date."))
        if data.get("role") not in REFERENT_ROLES:
            for name in ("nomination_date", "time_quota_percent", "languages"):
                if data.get(name):
                    self.add_error(name, _("Mission data is only for référent roles."))
            if data.get("is_public"):
                self.add_error("is_public", _("Only référents are listed on the public pages."))
        quota = data.get("time_quota_percent")
        if quota is not None and not 0 <= quota <= 100:
            self.add_error("time_quota_percent", _("Give a percentage between 0 and 100."))
        return data


class GrantEndForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, help_text=_("Kept in the audit log, e.g. end of mission or departure.")
    )


class ImportForm(forms.Form):
    KIND_CHOICES = [("people", _("People")), ("grants", _("Role grants"))]
    kind = forms.ChoiceField(label=_("What the file contains"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, comma or semicolon separated, with a header line."))

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
