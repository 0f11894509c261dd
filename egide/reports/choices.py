"""The closed vocabularies of a report (R2, R10, R25): every answer is one of these or free text."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonymously")
    CONFIDENTIAL = "confidential", _("Confidentially")
    NAMED = "named", _("With my name")


class ReporterRole(models.TextChoices):
    VICTIM = "victim", _("It happened to me")
    WITNESS = "witness", _("I saw or heard it happen to someone else")
    OTHER = "other", _("Someone told me about it, or another situation")


class Category(models.TextChoices):
    """The scope of the reporting scheme (LEGAL.md R2), in the words a person would use."""

    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence (sexual assault, rape, unwanted touching)")
    SEXUAL_HARASSMENT = "sexual_harassment", _("Sexual harassment (repeated remarks or behaviour of a sexual nature, pressure)")
    SEXIST_BEHAVIOUR = "sexist_behaviour", _("Sexist behaviour (remarks, jokes or acts that demean because of sex)")
    MORAL_HARASSMENT = "moral_harassment", _("Moral harassment (repeated acts that degrade your conditions of work or study)")
    DISCRIMINATION = "discrimination", _("Discrimination (unfair treatment because of who you are)")
    VIOLENCE = "violence", _("Physical violence or an attack")
    THREATS = "threats", _("Threats")
    INTIMIDATION = "intimidation", _("Intimidation, hazing or other pressure")


class SexualViolence(models.TextChoices):
    RAPE = "rape", _("Rape (any act of sexual penetration without consent)")
    SEXUAL_ASSAULT = "sexual_assault", _("Sexual assault (sexual touching without consent)")
    EXHIBITION = "exhibition", _("Sexual exhibition")
    IMAGES = "images", _("Images or videos of a sexual nature taken or shared without consent")
    CYBER = "cyber", _("Online sexual or sexist harassment")
    SEXIST_INSULT = "sexist_insult", _("Sexist or sexual insult or outrage")
    DRUGGING = "drugging", _("Drugging (substance given without knowledge)")


class DiscriminationCriterion(models.TextChoices):
    """The grounds of discrimination as a reporter chooses them, grouped for readability. The legal list,
    with each ground's source, is the reference data `kb.DiscriminationGround` (LEGAL.md H1, R58)."""

    ORIGIN = "origin", _("Origin, ethnicity, nation or a so-called race")
    SEX = "sex", _("Sex")
    GENDER_IDENTITY = "gender_identity", _("Gender identity")
    SEXUAL_ORIENTATION = "sexual_orientation", _("Sexual orientation")
    PREGNANCY = "pregnancy", _("Pregnancy or family situation")
    APPEARANCE = "appearance", _("Physical appearance")
    AGE = "age", _("Age")
    HEALTH = "health", _("State of health, loss of autonomy or genetic characteristics")
    DISABILITY = "disability", _("Disability")
    RELIGION = "religion", _("Religion or beliefs")
    OPINIONS = "opinions", _("Political opinions or trade-union activities")
    NAME = "name", _("Surname")
    RESIDENCE = "residence", _("Place of residence or bank domiciliation")
    VULNERABILITY = "vulnerability", _("Economic vulnerability")
    LANGUAGE = "language", _("Speaking a language other than French")
    MORALS = "morals", _("Morals (way of life)")
    WHISTLEBLOWER = "whistleblower", _("Having reported or testified (whistleblower, harassment, hazing)")


class WhenKind(models.TextChoices):
    DATE = "date", _("On a date")
    PERIOD = "period", _("Over a period")
    ONGOING = "ongoing", _("It is still going on")
    UNSURE = "unsure", _("I do not remember exactly")


class Place(models.TextChoices):
    CAMPUS = "campus", _("On campus (classroom, office, laboratory, library…)")
    RESIDENCE = "residence", _("In a student or staff residence")
    ONLINE = "online", _("Online (messages, social networks, video calls)")
    INTERNSHIP = "internship", _("During an internship, an apprenticeship or a mission")
    EVENT = "event", _("At a party, a student event, an integration weekend or a trip")
    OTHER = "other", _("Somewhere else")


class AuthorRelation(models.TextChoices):
    TEACHER = "teacher", _("A teacher, a supervisor or a jury member")
    MANAGER = "manager", _("A manager or someone with authority over me")
    COLLEAGUE = "colleague", _("A colleague")
    STUDENT = "student", _("A student")
    TUTOR = "tutor", _("An internship tutor or someone in the host company")
    EXTERNAL = "external", _("Someone from outside (service provider, visitor)")
    UNKNOWN = "unknown", _("Someone I do not know")
    OTHER = "other", _("Other")


class YesNoUnsure(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("I do not know")


class Wish(models.TextChoices):
    TALK = "talk", _("To talk to someone and be listened to")
    REPORT = "report", _("To make a formal report so that action is taken")
    RECORD = "record", _("Only to put it on record for now")
    ADVICE = "advice", _("Advice on my rights and the next steps")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by a référent")
    IN_PROGRESS = "in_progress", _("Being handled")
    INVESTIGATION = "investigation", _("Administrative investigation under way")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the reporter")
    SET_ASIDE = "set_aside", _("Set aside (not a genuine report)")


# The statuses of a case being handled, in the order a case goes through them (cases.services never takes a
# case back along it); the others (closed, withdrawn, set aside) are not open.
OPEN_STATUSES: tuple[str, ...] = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.INVESTIGATION)


class Channel(models.TextChoices):
    ONLINE = "online", _("Online form")
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    LETTER = "letter", _("By letter")


class Author(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    HANDLER = "handler", _("Référent")
    SYSTEM = "system", _("Égide")
