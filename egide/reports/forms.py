"""The report form, in short steps. Each step is its own form; the answers of the other steps
travel with the page as hidden fields (nothing is stored before the final submit), and the final
submit validates every step again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from egide.org.models import Entity, Population
from egide.reports.choices import (
    AuthorRelation,
    Category,
    DiscriminationCriterion,
    Mode,
    Place,
    ReporterRole,
    SexualViolence,
    WhenKind,
    Wish,
    YesNoUnsure,
)

NARRATIVE_MAX = 20000
SHORT_MAX = 2000


def _text(label: Any, *, help_text: Any = "", max_length: int = SHORT_MAX, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


class AboutStep(forms.Form):
    danger_now = forms.ChoiceField(
        label=_("Are you or someone else in danger right now?"), choices=YesNoUnsure.choices, widget=forms.RadioSelect
    )
    entity = forms.ModelChoiceField(
        label=_("Which school or entity is concerned?"),
        queryset=Entity.objects.filter(is_active=True).order_by("kind", "name_fr"),
        empty_label=_("Choose…"),
        help_text=_("The référents of this entity will receive your report."),
    )
    reporter_role = forms.ChoiceField(
        label=_("Who are you in this situation?"), choices=ReporterRole.choices, widget=forms.RadioSelect
    )
    population = forms.ChoiceField(
        label=_("Your status"),
        choices=Population.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Every status can report: students, doctoral candidates, staff, interns, apprentices, contractors, visitors."
        ),
    )


class FactsStep(forms.Form):
    narrative = forms.CharField(
        label=_("What happened? Tell it in your own words."),
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Only what is needed to understand the facts. Avoid health details unless they matter."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Which of these words fit? (optional, tick all that apply)"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("If you are not sure, leave them empty: the référents will help."),
    )
    sexual_violence = forms.MultipleChoiceField(
        label=_("If it was sexual or sexist, which of these? (optional)"),
        choices=SexualViolence.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    criteria = forms.MultipleChoiceField(
        label=_("If it was discrimination, because of what? (optional)"),
        choices=DiscriminationCriterion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    when_kind = forms.ChoiceField(label=_("When did it happen?"), choices=WhenKind.choices, widget=forms.RadioSelect)
    when_start = forms.DateField(
        label=_("Date, or start of the period"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    when_end = forms.DateField(label=_("End of the period"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    where = forms.ChoiceField(label=_("Where did it happen?"), choices=Place.choices, widget=forms.RadioSelect)
    where_detail = forms.CharField(label=_("Details on the place (optional)"), required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, kind = data.get("when_start"), data.get("when_end"), data.get("when_kind")
        if kind == WhenKind.DATE and not start:
            self.add_error("when_start", _("Give the date, or choose “I do not remember exactly”."))
        if start and end and end < start:
            self.add_error("when_end", _("The end of the period is before its start."))
        return data


class PersonsStep(forms.Form):
    author_relation = forms.ChoiceField(
        label=_("Who is the person (or are the persons) who did it, for you?"),
        choices=AuthorRelation.choices,
        widget=forms.RadioSelect,
    )
    author_population = forms.ChoiceField(
        label=_("Their status, if you know it"),
        choices=[("", _("I do not know")), *Population.choices],
        required=False,
    )
    author_named = forms.ChoiceField(
        label=_("Do you want to name them?"), choices=YesNoUnsure.choices, widget=forms.RadioSelect, initial=YesNoUnsure.NO
    )
    author_names = _text(_("Their name(s), or how to recognise them (optional)"))
    witnesses = forms.ChoiceField(label=_("Were there witnesses?"), choices=YesNoUnsure.choices, widget=forms.RadioSelect)
    witnesses_detail = _text(_("Who, if you want to say (optional)"))


class YouStep(forms.Form):
    wishes = forms.MultipleChoiceField(label=_("What would you like?"), choices=Wish.choices, widget=forms.CheckboxSelectMultiple)
    mode = forms.ChoiceField(label=_("How do you want to report?"), choices=Mode.choices, widget=forms.RadioSelect)
    full_name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    contact = forms.CharField(
        label=_("How to reach you (phone or e-mail, optional)"),
        required=False,
        max_length=300,
        help_text=_("Known only to the référents who handle your report."),
    )
    notify_email = forms.EmailField(
        label=_("E-mail for notifications (optional)"),
        required=False,
        help_text=_(
            "Stored encrypted. The notices say only “you have a new message”, never what it says. If you report "
            "anonymously, leave it empty to stay fully anonymous: the mail servers' records could link this address "
            "to your report."
        ),
    )
    excluded = forms.MultipleChoiceField(
        label=_("Référents who must not receive your report (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For example if one of them is involved or close to the people involved."),
    )

    def __init__(self, *args: Any, handlers: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["excluded"])
        field.choices = [(str(person.pk), person.full_name) for person in handlers or []]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("mode")
        if mode == Mode.ANONYMOUS and (data.get("full_name") or data.get("contact")):
            self.add_error(
                "full_name",
                _("You chose to report anonymously: leave your name and contact empty, or choose “Confidentially”."),
            )
        if mode in {Mode.CONFIDENTIAL, Mode.NAMED} and not data.get("full_name"):
            self.add_error("full_name", _("Give your name, or choose “Anonymously”."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class SendStep(forms.Form):
    attachments = MultipleFileField(
        label=_("Documents, photos or recordings (optional)"),
        required=False,
        help_text=_("Location and author details are removed from photos, PDF and Word files before they are stored."),
    )
    notice_read = forms.BooleanField(label=_("I have read the information notice."))


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your message"), max_length=NARRATIVE_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("Add documents (optional)"), required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your follow-up code"),
        max_length=40,
        help_text=_("16 letters and digits, as shown when you reported. Spaces, dashes and lower case are fine."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class WithdrawForm(forms.Form):
    reason = _text(_("Why are you withdrawing? (optional)"))
    confirm = forms.BooleanField(label=_("I want to withdraw my report."))


STEPS: list[tuple[str, type[forms.Form], Any]] = [
    ("about", AboutStep, _("You and the situation")),
    ("facts", FactsStep, _("What happened")),
    ("persons", PersonsStep, _("The people involved")),
    ("you", YouStep, _("What you would like")),
    ("send", SendStep, _("Documents and sending")),
]
STEP_NAMES = [name for name, _form, _title in STEPS]
STEP_TITLES = {name: title for name, _form, title in STEPS}
