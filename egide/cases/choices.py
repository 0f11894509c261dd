"""The closed vocabularies of case handling. Legal texts, delays and measure types are reference data
(core.StatutoryDelay, cases.MeasureType, kb.Offence), never these labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Part(models.TextChoices):
    """Which part of a case an entry belongs to: an investigator sees only the investigation part."""

    CASE = "case", _("Case")
    INVESTIGATION = "investigation", _("Investigation")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Case opened by a handler")
    ORAL_INTAKE = "oral_intake", _("Oral report: transcript or minutes")
    ACKNOWLEDGEMENT = "acknowledgement", _("Written acknowledgement")
    LISTENING = "listening", _("Listening interview")
    SUPPORT_ORIENTATION = "support_orientation", _("Orientation to support")
    AUTHORITY_ORIENTATION = "authority_orientation", _("Orientation to the competent authority")
    QUALIFICATION = "qualification", _("Offences envisaged")
    PROSECUTOR = "prosecutor", _("Decision on a notice to the public prosecutor")
    PROTECTIVE_MEASURE = "protective_measure", _("Protective measure")
    MEASURE_REVIEW = "measure_review", _("Protective measure reviewed")
    PROTECTION_REQUEST = "protection_request", _("Request for protection fonctionnelle")
    PROTECTION_DECISION = "protection_decision", _("Decision on protection fonctionnelle")
    INVESTIGATION_OPENED = "investigation_opened", _("Administrative investigation opened")
    COMMISSION = "commission", _("Investigation commission appointed")
    INTERVIEW = "interview", _("Investigation interview")
    INVESTIGATION_REPORT = "investigation_report", _("Investigation report")
    DECISION = "decision", _("Decision on the facts")
    DISCIPLINARY_REFERRAL = "disciplinary_referral", _("Disciplinary referral")
    FEEDBACK = "feedback", _("Feedback to the reporter")
    PERSON_INFORMED = "person_informed", _("Person targeted informed")
    INFORMATION_DEFERRED = "information_deferred", _("Information of the person targeted deferred")
    LEGAL_HOLD = "legal_hold", _("Legal hold")
    RETALIATION_RISK = "retaliation_risk", _("Risk of retaliation flagged")
    CHECKIN = "checkin", _("Check-in against retaliation")
    CLOSURE = "closure", _("Closure")
    REOPENED = "reopened", _("Case reopened")
    NOTE = "note", _("Internal note")


class Orientation(models.TextChoices):
    """R1: closing a case needs an explicit decision on each orientation."""

    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined by the person")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class AcknowledgementMeans(models.TextChoices):
    LETTER = "letter", _("By letter")
    EMAIL = "email", _("By e-mail")
    HAND = "hand", _("Handed over in person")


class Authority(models.TextChoices):
    HEAD = "head", _("Head of the entity (director)")
    HR = "hr", _("Human resources")
    STUDIES = "studies", _("Director of studies")
    LEGAL = "legal", _("Legal direction")
    IMT = "imt", _("IMT head office")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    ESTABLISHED = "established", _("Facts established")
    PARTLY = "partly", _("Facts partly established")
    NOT_ESTABLISHED = "not_established", _("Facts not established for lack of evidence")
    UNFOUNDED = "unfounded", _("Report unfounded")
    OUT_OF_SCOPE = "out_of_scope", _("Outside the scheme's scope")


class DisciplinaryPath(models.TextChoices):
    STUDENT = "student", _("Student: disciplinary section")
    STAFF = "staff", _("Staff member: disciplinary authority")


class ClosureReason(models.TextChoices):
    """R18: closure is notified in writing with a reason."""

    TREATED = "treated", _("Handled: measures taken")
    NO_MEASURE = "no_measure", _("Admissible, no measure needed")
    UNFOUNDED = "unfounded", _("Allegations inaccurate or unfounded")
    MOOT = "moot", _("The report has become moot")
    INADMISSIBLE = "inadmissible", _("Inadmissible: outside the scheme's scope")
    WITHDRAWN = "withdrawn", _("Withdrawn by the reporter")
    NO_CONTACT = "no_contact", _("No reply from the reporter")


class ProsecutorNotice(models.TextChoices):
    TRANSMIT = "transmit", _("Notice sent to the public prosecutor")
    NOT_TRANSMIT = "not_transmit", _("No notice (justified)")


class ProtectionDecision(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PARTLY = "partly", _("Partly granted")
    REFUSED = "refused", _("Refused")


class LegalHold(models.TextChoices):
    DISCIPLINARY = "disciplinary", _("Disciplinary proceedings")
    JUDICIAL = "judicial", _("Judicial proceedings")
    RELEASED = "released", _("Proceedings ended: hold released")


class PersonRole(models.TextChoices):
    VICTIM = "victim", _("Person who suffered the facts")
    WITNESS = "witness", _("Witness")
    TARGETED = "targeted", _("Person targeted by the report (alleged author)")
    OTHER = "other", _("Other person mentioned")


class TaskKind(models.TextChoices):
    ORAL_MEETING = "oral_meeting", _("Meeting requested by the reporter")
    INFORM_TARGETED = "inform_targeted", _("Inform the person targeted")
    PROSECUTOR = "prosecutor", _("Decide on a notice to the public prosecutor")
    PROTECTION_DECISION = "protection_decision", _("Decide on protection fonctionnelle")
    MEASURE_REVIEW = "measure_review", _("Review a protective measure")
    RETALIATION_CHECKIN = "retaliation_checkin", _("Check that the person suffers no retaliation")


class GrantScope(models.TextChoices):
    FULL = "full", _("The whole case (handler, legal direction, pooled unit)")
    INVESTIGATION = "investigation", _("The investigation part only (investigator)")


class Retention(models.TextChoices):
    """R31: where a case stands in its retention."""

    ACTIVE = "active", _("Kept while the case is open")
    CLOSED = "closed", _("Closed: content kept until its retention date")
    LEGAL_HOLD = "legal_hold", _("Kept: proceedings under way")
    SHREDDED = "shredded", _("Content destroyed; statistics kept")


class TemplateKind(models.TextChoices):
    CONFIDENTIALITY = "confidentiality", _("Confidentiality commitment")
    RECORDING = "recording", _("Recording authorisation")
    CONVOCATION = "convocation", _("Convocation to an interview")
    MINUTES = "minutes", _("Interview minutes")
    INVESTIGATION_REPORT = "investigation_report", _("Investigation report")
    INVESTIGATION_DECISION = "investigation_decision", _("Decision to open an administrative investigation")
    COMMISSION = "commission", _("Appointment of the investigation commission")
    PROSECUTOR = "prosecutor", _("Notice to the public prosecutor")
    DISCIPLINARY = "disciplinary", _("Disciplinary referral")
    FEEDBACK = "feedback", _("Feedback letter to the reporter")
    CLOSURE = "closure", _("Closure notice to the reporter")
    REDACTED = "redacted", _("Redacted copy")
