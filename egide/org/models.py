"""Entities, people, accounts and role grants: the organisation every other app builds on."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from egide.org.roles import REFERENT_ROLES, Role


class EntityKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    SCHOOL = "school", _("School")
    UNIT = "unit", _("Unit or campus")


class Entity(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EntityKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    cell_address = models.TextField(_("listening cell address"), blank=True)
    cell_email = models.EmailField(_("listening cell e-mail"), blank=True)
    cell_phone = models.CharField(_("listening cell phone"), max_length=40, blank=True)
    cell_hours_fr = models.CharField(_("opening hours (French)"), max_length=200, blank=True)
    cell_hours_en = models.CharField(_("opening hours (English)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name_fr"]
        verbose_name = _("entity")
        verbose_name_plural = _("entities")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr

    @property
    def cell_hours(self) -> str:
        return self.cell_hours_en if (get_language() or "fr").startswith("en") else self.cell_hours_fr

    @property
    def has_contact_points(self) -> bool:
        return bool(self.cell_email or self.cell_phone or self.cell_address)


class Population(models.TextChoices):
    STUDENT = "student", _("Student")
    DOCTORAL = "doctoral", _("Doctoral candidate")
    STAFF_CIVIL_SERVANT = "staff_civil_servant", _("Staff: civil servant")
    STAFF_CONTRACT = "staff_contract", _("Staff: contract")
    INTERN = "intern", _("Intern")
    APPRENTICE = "apprentice", _("Apprentice")
    CONTRACTOR = "contractor", _("Contractor")
    EXTERNAL = "external", _("External person on campus")


class Language(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class Person(models.Model):
    external_id = models.CharField(
        _("identifier in the source system"),
        max_length=64,
        blank=True,
        help_text=_("HR or student-information system identifier."),
    )
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    population = models.CharField(_("population"), max_length=32, choices=Population.choices)
    entity = models.ForeignKey(Entity, verbose_name=_("entity"), on_delete=models.PROTECT, related_name="people")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FR)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["external_id"], condition=~Q(external_id=""), name="person_external_id_unique"),
        ]
        indexes = [
            models.Index(fields=["entity", "last_name", "first_name"], name="person_entity_name"),
            models.Index(fields=["email"], name="person_email"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An account needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff account. Reporters never have one; people need not have one."""

    email = models.EmailField(_("e-mail"), unique=True)
    person = models.OneToOneField(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL, related_name="account"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.person.full_name if self.person else self.email

    def get_short_name(self) -> str:
        return self.person.first_name if self.person else self.email


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def active(self, on: datetime.date | None = None) -> RoleGrantQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day)


class RoleGrant(models.Model):
    """A role held by a person over one entity (and its sub-units) or, with no entity, all of IMT."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
        help_text=_("Leave empty for a grant over all of IMT."),
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Mission data, for référent roles (R-ENG-3).
    nomination_date = models.DateField(_("nomination date"), null=True, blank=True)
    time_quota_percent = models.DecimalField(
        _("time quota (% of full time)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    languages = models.CharField(
        _("languages spoken"), max_length=50, blank=True, help_text=_("Comma-separated codes, e.g. fr,en")
    )
    is_public = models.BooleanField(_("shown on the public pages"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ["role", "valid_from", "pk"]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="rolegrant_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["role", "entity"], name="rolegrant_role_entity")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.entity or 'IMT'}"

    @property
    def is_referent(self) -> bool:
        return self.role in REFERENT_ROLES

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]
