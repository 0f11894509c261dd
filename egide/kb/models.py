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
    """A page offered at the end when a choice was made: a help article, or another page by its URL name.

    For an article, its own title is shown; the titles here are for the other pages.
    """

    choice = models.ForeignKey(AssistantChoice, on_delete=models.CASCADE, related_name="resources")
    position = models.PositiveSmallIntegerField(default=0)
    article = models.ForeignKey("Article", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title_fr = models.CharField(max_length=300, blank=True)
    title_en = models.CharField(max_length=300, blank=True)
    url_name = models.CharField(max_length=100, blank=True)
    anchor = models.SlugField(max_length=60, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(article__isnull=False) | ~models.Q(url_name=""), name="kb_resource_article_or_page"
            )
        ]

    def __str__(self) -> str:
        return self.title_fr or str(self.article)

    @property
    def title(self) -> str:
        return self.article.title if self.article is not None else _localised(self, "title")


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


class Audience(models.TextChoices):
    """Whom an article is written for. Only `referents` restricts who can read it."""

    PUBLIC = "public", _("Everyone")
    STUDENTS = "students", _("Students")
    STAFF = "staff", _("Staff")
    REFERENTS = "referents", _("Référents and case handlers only")


class ArticleKind(models.TextChoices):
    SHEET = "sheet", _("Reference sheet")
    FAQ = "faq", _("Frequently asked questions")
    HVSSD = "hvssd", _("HVSSD section")


class Validation(models.TextChoices):
    PENDING = "pending", _("To be validated by the legal direction")
    VALIDATED = "validated", _("Validated by the legal direction")


class ArticleContent(models.Model):
    """What an article says, in both languages: the live article and each saved version share it."""

    kind = models.CharField(max_length=10, choices=ArticleKind.choices, default=ArticleKind.SHEET)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    validation = models.CharField(max_length=10, choices=Validation.choices, default=Validation.PENDING)
    last_reviewed = models.DateField()
    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    summary_fr = models.CharField(max_length=400, blank=True)
    summary_en = models.CharField(max_length=400, blank=True)
    keywords_fr = models.TextField(blank=True)  # the everyday words people type; searched with a higher weight
    keywords_en = models.TextField(blank=True)
    body_fr = models.TextField()  # Markdown, sanitised on render
    body_en = models.TextField()

    CONTENT_FIELDS = (
        "kind",
        "audience",
        "validation",
        "last_reviewed",
        "title_fr",
        "title_en",
        "summary_fr",
        "summary_en",
        "keywords_fr",
        "keywords_en",
        "body_fr",
        "body_en",
    )

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        return _localised(self, "title")

    @property
    def summary(self) -> str:
        return _localised(self, "summary")

    @property
    def body(self) -> str:
        return _localised(self, "body")

    def content(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}


class Article(ArticleContent):
    """A help article (reference sheet, FAQ, HVSSD page) in French and English, with its history."""

    slug_fr = models.SlugField(max_length=80, unique=True)
    slug_en = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    published = models.BooleanField(default=True)
    # The person who keeps it current (a member of the communication or legal team).
    owner = models.ForeignKey("org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "position", "pk"]

    def __str__(self) -> str:
        return self.title_fr

    @property
    def slug(self) -> str:
        return _localised(self, "slug")


class ArticleVersion(ArticleContent):
    """One saved state of an article: the first version and every edit, never changed afterwards."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    saved_by = models.ForeignKey("org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)  # what changed and why

    class Meta:
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="kb_article_version_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class SearchEntry(models.Model):
    """One searchable document in one language: an article or a row of reference data.

    The `*_idx` columns hold the normalised words (lower case, no accents, stemmed, no stop
    words) computed in Python, so that PostgreSQL (a generated tsvector column, read through the
    postings table of migration 0014: each term's share of the rank, kept by triggers) and SQLite (an
    FTS5 table kept by triggers, migration 0008) search the same terms; see `egide.kb.search`.
    """

    key = models.CharField(max_length=60)  # "article:12", "offence:viol"
    language = models.CharField(max_length=2)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    kind = models.CharField(max_length=20)  # sheet, faq, hvssd, offence, ground, resource
    url = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    text = models.TextField()  # plain text, for excerpts
    words = models.TextField()  # distinct surface words, for the correction of typos
    title_idx = models.TextField()
    keywords_idx = models.TextField()
    body_idx = models.TextField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "language"], name="kb_search_entry_unique")]
        indexes = [models.Index(fields=["language", "audience"], name="kb_search_lang_audience")]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"


class DirectoryRow(models.Model):
    """What every row of the directories says about itself (R58): where it comes from, when, how sure."""

    entity = models.ForeignKey(
        "org.Entity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for all of IMT or a national resource."),
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    source = models.CharField(max_length=300, help_text=_("Where this information comes from (agreement, website, decision)."))
    version_date = models.DateField()
    confidence = models.CharField(max_length=1, choices=Confidence.choices, default=Confidence.UNVERIFIED)

    class Meta:
        abstract = True


class SupportResource(DirectoryRow):
    """A place to turn to for medical, psychological, social or legal support (R-SIG-2), shown on the
    entity's contacts page and proposed by the handlers when they orient a person (case handling)."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medical care")
        OCCUPATIONAL_HEALTH = "occupational_health", _("Occupational health")
        PSYCHOLOGIST = "psychologist", _("Psychologist")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        ASSOCIATION = "association", _("Support association")
        LEGAL_AID = "legal_aid", _("Legal information and aid")
        HELPLINE = "helpline", _("Helpline")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name_fr = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    hours_fr = models.CharField(max_length=200, blank=True)
    hours_en = models.CharField(max_length=200, blank=True)
    # The populations it serves (org.Population values); empty for everyone.
    populations = models.JSONField(default=list, blank=True)
    public = models.BooleanField(default=True, help_text=_("Shown on the public contacts page of its entity."))

    class Meta:
        ordering = ["kind", "name_fr", "pk"]

    def __str__(self) -> str:
        return self.name_fr

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def description(self) -> str:
        return _localised(self, "description")

    @property
    def hours(self) -> str:
        return _localised(self, "hours")

    @property
    def population_labels(self) -> list[str]:
        from egide.org.models import Population

        labels = dict(Population.choices)
        return [str(labels.get(code, code)) for code in self.populations]


class PartnerLawyer(DirectoryRow):
    """A lawyer of the bar partnership of a site, who can be proposed to the people concerned (R-JUR-6)."""

    name = models.CharField(max_length=200)
    firm = models.CharField(max_length=200, blank=True)
    bar = models.CharField(max_length=200, help_text=_("The bar (barreau) of the partnership."))
    specialities = models.CharField(max_length=300, blank=True)
    languages = models.CharField(max_length=100, blank=True, help_text=_("Languages spoken, e.g. “fr, en”."))

    class Meta:
        ordering = ["entity__name_fr", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class InvestigatorCriterion(models.Model):
    """A criterion a person must meet to be called on as an investigator (R-JUR-5), set by the legal direction."""

    code = models.SlugField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    label_fr = models.CharField(max_length=300)
    label_en = models.CharField(max_length=300)
    source = models.CharField(max_length=300)
    version_date = models.DateField()
    confidence = models.CharField(max_length=1, choices=Confidence.choices, default=Confidence.UNVERIFIED)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label_fr

    @property
    def label(self) -> str:
        return _localised(self, "label")


class Investigator(DirectoryRow):
    """A person who can be called on to investigate (R-JUR-5), with the criteria they meet; for référents only."""

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        UNSAID = "", _("Not said")

    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    internal = models.BooleanField(default=True, help_text=_("A member of IMT's staff (else an outside investigator)."))
    # For the mixed-gender pair that is the default of an investigation commission.
    gender = models.CharField(max_length=5, choices=Gender.choices, blank=True)
    languages = models.CharField(max_length=100, blank=True)
    criteria = models.ManyToManyField(InvestigatorCriterion, blank=True, related_name="investigators")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Professional(DirectoryRow):
    """An internal or external professional référents can turn to (R-SIG-6); for référents only."""

    class Profession(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer")
        PSYCHOLOGIST = "psychologist", _("Psychologist")
        DOCTOR = "doctor", _("Doctor")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        LEGAL_EXPERT = "legal_expert", _("Legal expert")
        HR = "hr", _("Human resources")
        ASSOCIATION = "association", _("Association")
        TRAINER = "trainer", _("Trainer")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200)
    profession = models.CharField(max_length=20, choices=Profession.choices)
    organisation = models.CharField(max_length=200, blank=True)
    internal = models.BooleanField(default=False, help_text=_("A member of IMT's staff (else outside IMT)."))
    languages = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["profession", "name", "pk"]

    def __str__(self) -> str:
        return self.name
