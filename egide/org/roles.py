"""The roles of the HVSSD scheme and what each implies.

A role is always granted with a scope (one entity or all of IMT, see RoleGrant); what a role allows
is decided in the access modules, never by comparing role names in views.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    IMT_ADMIN = "imt_admin", _("IMT administrator")
    ENTITY_ADMIN = "entity_admin", _("Entity administrator")
    PLAN_PILOT = "plan_pilot", _("Plan pilot (axis co-pilot)")
    REFERENT_EGALITE = "referent_egalite", _("Référent égalité")
    REFERENT_DIVERSITE = "referent_diversite", _("Référent diversité")
    REFERENT_LAICITE = "referent_laicite", _("Référent laïcité")
    REFERENT_RACISME = "referent_racisme", _("Référent racisme-antisémitisme")
    REFERENT_ECOUTE = "referent_ecoute", _("Référent écoute")
    REFERENT_SIGNALEMENT = "referent_signalement", _("Référent signalement")
    STUDENT_REFERENT = "student_referent", _("Student référent")
    INVESTIGATOR = "investigator", _("Investigator")
    LEGAL = "legal", _("Legal direction")
    HR = "hr", _("Human resources")
    TRAINING_MANAGER = "training_manager", _("Training manager")
    COMMUNICATION = "communication", _("Communication")
    DPO = "dpo", _("Data protection officer (metadata only)")


# Roles whose holders are référents: a grant of one of them carries the mission data.
REFERENT_ROLES = frozenset(
    {
        Role.REFERENT_EGALITE,
        Role.REFERENT_DIVERSITE,
        Role.REFERENT_LAICITE,
        Role.REFERENT_RACISME,
        Role.REFERENT_ECOUTE,
        Role.REFERENT_SIGNALEMENT,
        Role.STUDENT_REFERENT,
    }
)

# Staff référents count toward the plan target of at least two per school (R-ENG-3).
STAFF_REFERENT_ROLES = REFERENT_ROLES - {Role.STUDENT_REFERENT}

# Roles that handle cases, steer the plan or administer must sign in with a second factor.
TWO_FACTOR_ROLES = frozenset(
    {
        Role.IMT_ADMIN,
        Role.ENTITY_ADMIN,
        Role.PLAN_PILOT,
        Role.REFERENT_EGALITE,
        Role.REFERENT_DIVERSITE,
        Role.REFERENT_LAICITE,
        Role.REFERENT_RACISME,
        Role.REFERENT_ECOUTE,
        Role.REFERENT_SIGNALEMENT,
        Role.INVESTIGATOR,
        Role.LEGAL,
        Role.HR,
        Role.DPO,
    }
)

# Roles that administer the organisation (entities, people, role grants) within their scope.
ADMIN_ROLES = frozenset({Role.IMT_ADMIN, Role.ENTITY_ADMIN})

# Roles only an IMT-wide administrator may grant.
IMT_ONLY_ROLES = frozenset({Role.IMT_ADMIN})

# Roles that receive and handle reports for their entity (an IMT-wide grant: the pooled unit).
HANDLER_ROLES = frozenset({Role.REFERENT_ECOUTE, Role.REFERENT_SIGNALEMENT})

# Roles that may be given access to a case by one of its holders (and must therefore have a personal key):
# the whole case for handlers, the legal direction and HR; the investigation part for investigators.
CASE_FULL_ROLES = HANDLER_ROLES | {Role.LEGAL, Role.HR}
CASE_INVESTIGATION_ROLES = frozenset({Role.INVESTIGATOR})
CASE_ROLES = CASE_FULL_ROLES | CASE_INVESTIGATION_ROLES
