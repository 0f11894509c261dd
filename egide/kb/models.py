"""Reference data of the help pages (R58): legal texts are data, never strings in the code. Each
row names its source, the date of the version it states, and how sure the statement is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from egide.core.i18n import page_language


class Confidence(models.TextChoices):
    VERIFIED = "V", _("Verified on the text itself")
    SECONDARY = "S", _("Seen in secondary sources")
    UNVERIFIED = "U", _("Not verified: to be checked by the legal direction")


class Nature(models.TextChoices):
    CRIME = "crime", _("Crime (tried by the cour d'assises or cour criminelle)")
    DELIT = "delit", _("Délit (tried by the tribunal correctionnel)")
    CONTRAVENTION = "contravention", _("Contravention (tried by the tribunal de police)")
    CIRCUMSTANCE = "circumstance", _("Aggravating circumstance")


def _localised(instance: object, field: str) -> str:
    return str(getattr(instance, f"{field}_{page_language()}"))


class Offence(models.Model):
    """A row of the offences table (LEGAL.md H2): maximum penalties for natural persons."""

    code = models.SlugField(max_length=30, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    name_fr = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    nature = models.CharField(max_length=20, choices=Nature.choices)
    source_article = models.CharField(max_length=300)
    penalty_fr = models.CharField(max_length=300)
    penalty_en = models.CharField(max_length=300)
    aggravated_fr = models.TextField(blank=True)
    aggravated_en = models.TextField(blank=True)
    confidence = models.CharField(max_length=1, choices=Confidence.choices)
    confidence_note = models.CharField(max_length=300, blank=True)
    version_date = models.DateField()

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def penalty(self) -> str:
        return _localised(self, "penalty")

    @property
    def aggravated(self) -> str:
        return _localised(self, "aggravated")

    @property
    def triggers_article_40(self) -> bool:
        """A crime or a délit: the director must inform the public prosecutor (LEGAL.md H2, R46)."""
        return self.nature in {Nature.CRIME, Nature.DELIT}


class DiscriminationGround(models.Model):
    """A ground of discrimination recognised by law (LEGAL.md H1), with the text that lists it."""

    class Source(models.TextChoices):
        PENAL = "penal", _("Code pénal")
        LABOUR = "labour", _("Code du travail")
        CIVIL_SERVICE = "civil_service", _("Code général de la fonction publique")

    code = models.SlugField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    label_fr = models.CharField(max_length=300)
    label_en = models.CharField(max_length=300)
    source = models.CharField(max_length=20, choices=Source.choices)
    source_article = models.CharField(max_length=200)
    confidence = models.CharField(max_length=1, choices=Confidence.choices)
    version_date = models.DateField()

    class Meta:
        ordering = ["source", "position"]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        return _localised(self, "label")


class AssistantQuestion(models.Model):
    """A question of the orientation assistant, asked in position order. Answers are never stored."""

    key = models.SlugField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    text_fr = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300)
    help_fr = models.TextField(blank=True)
    help_en = models.TextField(blank=True)
    asks_entity = models.BooleanField(default=False)  # the choices are the entities, for their contacts

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.key

    @property
    def text(self) -> str:
        return _localised(self, "text")

    @property
    def help(self) -> str:
        return _localised(self, "help")


class AssistantChoice(models.Model):
    question = models.ForeignKey(AssistantQuestion, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    label_fr = models.CharField(max_length=300)
    label_en = models.CharField(max_length=300)
    urgent = models.BooleanField(default=False)  # the emergency numbers come first from then on
    next_step_fr = models.TextField(blank=True)  # the step the ending proposes when this is chosen
    next_step_en = models.TextField(blank=True)
    next_url_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "key"], name="kb_choice_key_per_question")]

    def __str__(self) -> str:
        return f"{self.question_id}:{self.key}"

    @property
    def label(self) -> str:
        return _localised(self, "label")

    @property
    def next_step(self) -> str:
        return _localised(self, "next_step")


class AssistantResource(models.Model):
    """A page of the knowledge base offered at the end when a choice was made."""

    choice = models.ForeignKey(AssistantChoice, on_delete=models.CASCADE, related_name="resources")
    position = models.PositiveSmallIntegerField(default=0)
    title_fr = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    url_name = models.CharField(max_length=100)
    anchor = models.SlugField(max_length=60, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title_fr

    @property
    def title(self) -> str:
        return _localised(self, "title")


class Event(models.Model):
    """A date of the calendar: the yearly days, awareness weeks, survey windows; for one entity or all of IMT."""

    class Kind(models.TextChoices):
        DAY = "day", _("International or national day")
        WEEK = "week", _("Awareness week or campaign")
        SURVEY = "survey", _("Survey window")
        EVENT = "event", _("Event, talk or training")

    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)  # inclusive; empty for a single day
    entity = models.ForeignKey("org.Entity", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="kb_event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title_fr

    @property
    def title(self) -> str:
        return _localised(self, "title")

    @property
    def description(self) -> str:
        return _localised(self, "description")

    @property
    def last_day(self) -> object:
        return self.ends_on or self.starts_on
