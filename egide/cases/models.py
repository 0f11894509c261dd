"""Case handling records around a report (the report is the case: its reference, entity, status and
deadlines). What a person wrote, said or is called is encrypted with the case's data key; the clear
columns hold only closed vocabularies, days and links, which the deadlines, the inbox and the
indicators need.

No row keeps the exact time of an act: days in clear, exact times inside the ciphertexts.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egide.cases.choices import EventKind, GrantScope, Part, PersonRole, TaskKind, TemplateKind
from egide.core.i18n import page_language


class CaseEvent(models.Model):
    """One entry of a case's timeline. `codes` holds only values of closed vocabularies (decisions,
    outcomes, dates of measures, reference-data codes); every text is in `payload`."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # bound into the ciphertext
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    part = models.CharField(max_length=20, choices=Part.choices, default=Part.CASE)
    on = models.DateField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    codes = models.JSONField(default=dict, blank=True)
    payload = models.BinaryField()

    class Meta:
        ordering = ["on", "pk"]
        indexes = [models.Index(fields=["report", "on"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class CasePerson(models.Model):
    """A person involved: the role in clear (statistics), who they are encrypted (R5, R19)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(max_length=20, choices=PersonRole.choices)
    added_on = models.DateField()
    informed_on = models.DateField(null=True, blank=True)  # the person targeted was informed (R29)
    identity = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"person #{self.pk}"


class CaseTask(models.Model):
    """Something due on a case, with the statutory delay it comes from (R57): the inbox sorts on these."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    delay = models.ForeignKey("core.StatutoryDelay", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due = models.DateField()
    person = models.ForeignKey(CasePerson, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    done_on = models.DateField(null=True, blank=True)
    deferrals = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["report", "done_on"])]

    def __str__(self) -> str:
        return f"{self.kind} due {self.due}"

    @property
    def is_open(self) -> bool:
        return self.done_on is None


class CaseGrant(models.Model):
    """Access given by a holder to someone else, with its reason (encrypted) and scope; revocable.
    The data key is re-wrapped for the grantee; revoking removes that wrap."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_grants")
    scope = models.CharField(max_length=20, choices=GrantScope.choices)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_on = models.DateField()
    reason = models.BinaryField()
    revoked_on = models.DateField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["user", "revoked_on"])]

    def __str__(self) -> str:
        return f"{self.scope} grant #{self.pk}"


class DocumentTemplate(models.Model):
    """A DOCX template (docxtpl) in one language; the legal direction uploads new versions (R-JUR-2)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft, to be validated by the legal direction")
        VALIDATED = "validated", _("Validated by the legal direction")

    kind = models.CharField(max_length=30, choices=TemplateKind.choices)
    language = models.CharField(max_length=2, choices=[("fr", "Français"), ("en", "English")])
    version = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_on = models.DateField()

    class Meta:
        ordering = ["kind", "language", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "language", "version"], name="cases_template_version")]

    def __str__(self) -> str:
        return f"{self.kind} {self.language} v{self.version}"


class CaseDocument(models.Model):
    """A document generated in a case (or a redacted copy), stored encrypted; its downloads are audited."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=TemplateKind.choices)
    part = models.CharField(max_length=20, choices=Part.choices, default=Part.CASE)
    template = models.ForeignKey(DocumentTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=2)
    created_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    size = models.PositiveIntegerField()
    content = models.BinaryField()  # encrypted DOCX

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} document #{self.pk}"


class MeasureType(models.Model):
    """A kind of protective measure (R45) with its legal basis and longest duration: reference data,
    because the texts differ for students and staff and some are still to be confirmed."""

    class Population(models.TextChoices):
        ANY = "any", _("Anyone")
        STUDENT = "student", _("Students")
        STAFF = "staff", _("Staff")

    code = models.SlugField(max_length=40, unique=True)
    label_fr = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    population = models.CharField(max_length=10, choices=Population.choices, default=Population.ANY)
    source_article = models.CharField(max_length=300, blank=True)
    max_days = models.PositiveIntegerField(null=True, blank=True)
    version_date = models.DateField()
    confidence = models.CharField(max_length=1, choices=[("V", "V"), ("S", "S"), ("U", "U")])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["population", "code"]

    def __str__(self) -> str:
        return self.label_fr

    @property
    def label(self) -> str:
        return str(getattr(self, f"label_{page_language()}"))
