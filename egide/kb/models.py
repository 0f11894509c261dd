"""Reference data of the help pages (R58): legal texts are data, never strings in the code. Each
row names its source, the date of the version it states, and how sure the statement is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    return str(getattr(instance, f"{field}_{language}"))


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
