"""One form per step of the procedure. Each declares which fields are codes (closed vocabularies,
dates of measures: kept in clear for deadlines and indicators) and which are texts (encrypted)."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egide.cases.choices import (
    AcknowledgementMeans,
    Authority,
    ClosureReason,
    DisciplinaryPath,
    EventKind,
    GrantScope,
    LegalHold,
    Orientation,
    Outcome,
    PersonRole,
    ProsecutorNotice,
    ProtectionDecision,
)
from egide.cases.models import CaseEvent, CasePerson, MeasureType
from egide.cases.services import Step
from egide.kb.models import Investigator, Offence, SupportResource
from egide.reports.models import Report

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": 4}), help_text=help_text, max_length=20000
    )


def _line(label: Any, *, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=300)


class StepForm(forms.Form):
    codes: ClassVar[tuple[str, ...]] = ()
    texts: ClassVar[tuple[str, ...]] = ()

    on = forms.DateField(label=_("Date"), widget=_date_input(), help_text=_("The day it happened."))

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.report = report

    def clean_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def code_value(self, name: str) -> Any:
        value: Any = self.cleaned_data.get(name)
        if isinstance(value, datetime.date):
            return value.isoformat()
        if hasattr(value, "pk"):
            return value.pk
        if hasattr(value, "__iter__") and not isinstance(value, str):
            return [getattr(item, "code", getattr(item, "pk", item)) for item in value]
        return value

    def step(self, kind: str) -> Step:
        codes = {name: self.code_value(name) for name in self.codes if self.cleaned_data.get(name) not in (None, "", [])}
        texts = {name: self.cleaned_data.get(name) or "" for name in self.texts}
        return Step(kind=kind, on=self.cleaned_data["on"], codes=codes, texts=texts)


class OralIntakeForm(StepForm):
    codes = ("consent", "approved_on", "meeting_requested")
    texts = ("transcript",)
    consent = forms.ChoiceField(label=_("The person agreed to a recording"), choices=YES_NO, widget=forms.RadioSelect)
    transcript = _text(_("Transcript or minutes"), help_text=_("Precise minutes when nothing was recorded."))
    approved_on = forms.DateField(
        label=_("Approved by the person on"),
        required=False,
        widget=_date_input(),
        help_text=_("They can check, correct and sign it."),
    )
    meeting_requested = forms.BooleanField(label=_("The person asked for a meeting (within 20 working days)"), required=False)


class AcknowledgementForm(StepForm):
    codes = ("means",)
    texts = ("text",)
    means = forms.ChoiceField(label=_("Sent by"), choices=AcknowledgementMeans.choices)
    text = _text(_("What the acknowledgement said"), required=False)


class ListeningForm(StepForm):
    texts = ("summary",)
    summary = _text(_("What was said and agreed"))


class SupportOrientationForm(StepForm):
    codes = ("decision", "resource")
    texts = ("justification", "details")
    decision = forms.ChoiceField(label=_("Decision"), choices=Orientation.choices, widget=forms.RadioSelect)
    resource = forms.ModelChoiceField(label=_("Support resource"), queryset=SupportResource.objects.none(), required=False)
    details = _text(_("Details (appointment, what was proposed)"), required=False)
    justification = _text(_("Why (when declined or not applicable)"), required=False)

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, report=report, **kwargs)
        field: Any = self.fields["resource"]
        field.queryset = SupportResource.objects.filter(active=True).filter(Q(entity=report.entity) | Q(entity__isnull=True))


class AuthorityOrientationForm(StepForm):
    codes = ("decision", "authority")
    texts = ("summary", "measures_requested", "justification")
    decision = forms.ChoiceField(label=_("Decision"), choices=Orientation.choices, widget=forms.RadioSelect)
    authority = forms.ChoiceField(label=_("Authority"), choices=[("", "—"), *Authority.choices], required=False)
    summary = _text(_("Summary sent (no identity that is not needed)"), required=False)
    measures_requested = _text(_("Measures requested"), required=False)
    justification = _text(_("Why (when declined or not applicable)"), required=False)


class OffenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.source_article}) — {obj.get_nature_display()}"


class QualificationForm(StepForm):
    codes = ("offences",)
    texts = ("comment",)
    offences = OffenceChoiceField(
        label=_("Offences envisaged"),
        queryset=Offence.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("An indication only: only the public prosecutor and the courts classify facts."),
    )
    comment = _text(_("Comment"), required=False)


class ProsecutorForm(StepForm):
    codes = ("decision", "reporter_informed")
    texts = ("justification", "recipient", "documents_sent")
    decision = forms.ChoiceField(label=_("Decision"), choices=ProsecutorNotice.choices, widget=forms.RadioSelect)
    justification = _text(_("Reasons"))
    recipient = _line(_("Public prosecutor's office"), required=False)
    documents_sent = _text(_("Documents sent"), required=False)
    reporter_informed = forms.ChoiceField(
        label=_("The reporter is informed"),
        choices=[("yes", _("Yes, in writing")), ("no", _("No: it would compromise the proceedings"))],
        required=False,
    )


class MeasureForm(StepForm):
    codes = ("measure", "start", "end", "review")
    texts = ("decided_by", "details")
    measure = forms.ModelChoiceField(label=_("Measure"), queryset=MeasureType.objects.filter(active=True), to_field_name="code")
    start = forms.DateField(label=_("Start date"), widget=_date_input())
    end = forms.DateField(label=_("End date"), required=False, widget=_date_input())
    review = forms.DateField(label=_("Review on"), widget=_date_input())
    decided_by = _line(_("Decided by"))
    details = _text(_("Details"), required=False)

    def code_value(self, name: str) -> Any:
        if name == "measure":
            return self.cleaned_data["measure"].code
        return super().code_value(name)


class MeasureReviewForm(StepForm):
    codes = ("measure_event", "decision", "review")
    texts = ("comment",)
    measure_event = forms.ChoiceField(label=_("Measure"))
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("continue", _("It continues")), ("end", _("It ends"))], widget=forms.RadioSelect
    )
    review = forms.DateField(label=_("Next review on"), required=False, widget=_date_input())
    comment = _text(_("Comment"), required=False)

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, report=report, **kwargs)
        measures = {measure.code: measure.label for measure in MeasureType.objects.all()}
        events = CaseEvent.objects.filter(report=report, kind=EventKind.PROTECTIVE_MEASURE)
        field: Any = self.fields["measure_event"]
        field.choices = [
            (str(event.uid), f"{measures.get(event.codes.get('measure'), '')} ({event.codes.get('start')})") for event in events
        ]


class ProtectionRequestForm(StepForm):
    texts = ("details",)
    details = _text(_("The request (who asks, for what)"))


class ProtectionDecisionForm(StepForm):
    codes = ("decision",)
    texts = ("measures",)
    decision = forms.ChoiceField(label=_("Decision"), choices=ProtectionDecision.choices, widget=forms.RadioSelect)
    measures = _text(_("Measures granted (legal costs, relocation…) or reasons for refusing"))


class InvestigationOpenedForm(StepForm):
    texts = ("scope", "decided_by")
    scope = _text(_("Facts to investigate (the mandate)"))
    decided_by = _line(_("Decided by"))


class CommissionForm(StepForm):
    codes = ("investigators",)
    texts = ("mandate",)
    investigators = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Investigator.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A mixed pair (a woman and a man) is the default."),
    )
    mandate = _text(_("Mandate and deadline"), required=False)

    def code_value(self, name: str) -> Any:
        if name == "investigators":
            return [investigator.pk for investigator in self.cleaned_data["investigators"]]
        return super().code_value(name)


class InterviewForm(StepForm):
    codes = ("consent", "approved", "approved_on")
    texts = ("person", "transcript")
    person = _line(_("Person interviewed"))
    consent = forms.ChoiceField(label=_("The person agreed to be recorded"), choices=YES_NO, widget=forms.RadioSelect)
    transcript = _text(_("Transcript"), required=False)
    approved = forms.BooleanField(label=_("The person approved the transcript"), required=False)
    approved_on = forms.DateField(label=_("Approved on"), required=False, widget=_date_input())


class InvestigationReportForm(StepForm):
    texts = ("findings", "conclusions")
    findings = _text(_("Findings"))
    conclusions = _text(_("Conclusions"))


class DecisionForm(StepForm):
    codes = ("outcome",)
    texts = ("reasons", "decided_by")
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    reasons = _text(_("Reasons"))
    decided_by = _line(_("Decided by"))


class DisciplinaryForm(StepForm):
    codes = ("path",)
    texts = ("authority", "facts")
    path = forms.ChoiceField(label=_("The person referred is"), choices=DisciplinaryPath.choices, widget=forms.RadioSelect)
    authority = _line(_("Referred to"))
    facts = _text(_("Facts referred"))


class FeedbackForm(StepForm):
    texts = ("measures", "reasons")
    measures = _text(_("What was done or planned"))
    reasons = _text(_("Why"))
    send = forms.BooleanField(label=_("Also send it to the reporter's follow-up space"), required=False, initial=True)


class _TargetedPersonForm(StepForm):
    def __init__(self, *args: Any, report: Report, persons: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, report=report, **kwargs)
        targeted = CasePerson.objects.filter(report=report, role=PersonRole.TARGETED)
        names = persons or {}
        field: Any = self.fields["person"]
        field.choices = [(str(person.uid), names.get(str(person.uid), str(person.pk))) for person in targeted]


class PersonInformedForm(_TargetedPersonForm):
    codes = ("person",)
    texts = ("how",)
    person = forms.ChoiceField(label=_("Person targeted"))
    how = _text(_("How (never revealing who reported)"))


class DeferralForm(_TargetedPersonForm):
    codes = ("person", "review")
    texts = ("justification",)
    person = forms.ChoiceField(label=_("Person targeted"))
    justification = _text(_("Why informing them now would seriously harm the procedure"))
    review = forms.DateField(label=_("Review the deferral on"), widget=_date_input())


class LegalHoldForm(StepForm):
    codes = ("hold",)
    texts = ("justification",)
    hold = forms.ChoiceField(label=_("Proceedings"), choices=LegalHold.choices, widget=forms.RadioSelect)
    justification = _text(_("Details"), required=False)


class RetaliationRiskForm(StepForm):
    texts = ("details",)
    details = _text(_("What makes retaliation a risk"))


class CheckinForm(StepForm):
    texts = ("summary",)
    summary = _text(_("What the person said"))


STEP_FORMS: dict[str, type[StepForm]] = {
    EventKind.ORAL_INTAKE: OralIntakeForm,
    EventKind.ACKNOWLEDGEMENT: AcknowledgementForm,
    EventKind.LISTENING: ListeningForm,
    EventKind.SUPPORT_ORIENTATION: SupportOrientationForm,
    EventKind.AUTHORITY_ORIENTATION: AuthorityOrientationForm,
    EventKind.QUALIFICATION: QualificationForm,
    EventKind.PROSECUTOR: ProsecutorForm,
    EventKind.PROTECTIVE_MEASURE: MeasureForm,
    EventKind.MEASURE_REVIEW: MeasureReviewForm,
    EventKind.PROTECTION_REQUEST: ProtectionRequestForm,
    EventKind.PROTECTION_DECISION: ProtectionDecisionForm,
    EventKind.INVESTIGATION_OPENED: InvestigationOpenedForm,
    EventKind.COMMISSION: CommissionForm,
    EventKind.INTERVIEW: InterviewForm,
    EventKind.INVESTIGATION_REPORT: InvestigationReportForm,
    EventKind.DECISION: DecisionForm,
    EventKind.DISCIPLINARY_REFERRAL: DisciplinaryForm,
    EventKind.FEEDBACK: FeedbackForm,
    EventKind.PERSON_INFORMED: PersonInformedForm,
    EventKind.INFORMATION_DEFERRED: DeferralForm,
    EventKind.LEGAL_HOLD: LegalHoldForm,
    EventKind.RETALIATION_RISK: RetaliationRiskForm,
    EventKind.CHECKIN: CheckinForm,
}


class ClosureForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=ClosureReason.choices, widget=forms.RadioSelect)
    reasons = _text(_("Written reasons"), help_text=_("Notified to the reporter."))
    notice = _text(
        _("Notice to the reporter"),
        help_text=_("Sent to their follow-up space when they have one; keep a copy of the closure letter otherwise."),
    )
    measures_reviewed = forms.BooleanField(label=_("I reviewed the protective measures still running"), required=False)


class ReopenForm(forms.Form):
    reason = _text(_("Why the case is reopened"))


class NoteForm(forms.Form):
    text = _text(
        _("Internal note"),
        help_text=_("Only the case team reads it. Mention a holder with @first.last to notify them (without content)."),
    )


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role in the case"), choices=PersonRole.choices)
    name = _line(_("Name or description"))
    contact = _line(_("Contact"), required=False)
    notes = _text(_("Notes"), required=False)


class GrantForm(forms.Form):
    scope = forms.ChoiceField(label=_("What they may see"), choices=GrantScope.choices, widget=forms.RadioSelect)
    user = forms.ChoiceField(label=_("Person"))
    reason = _text(_("Why they need access"))

    def __init__(self, *args: Any, candidates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["user"]
        field.choices = [("", "—"), *candidates]


class RevokeForm(forms.Form):
    reason = _text(_("Why the access ends"))
