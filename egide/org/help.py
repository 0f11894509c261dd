"""National help numbers shown first on the public home page (free, 24/7 unless stated)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class HelpNumber:
    number: str
    label: Promise
    detail: Promise
    href: str
    emergency: bool = False


HELP_NUMBERS = (
    HelpNumber(
        "17",
        _("Police and gendarmerie"),
        _("Immediate danger: call 17 (or 112 from any phone, in Europe)."),
        "tel:17",
        emergency=True,
    ),
    HelpNumber("112", _("European emergency number"), _("From any phone, even without credit."), "tel:112", emergency=True),
    HelpNumber("15", _("Medical emergency (SAMU)"), _("For urgent medical help."), "tel:15", emergency=True),
    HelpNumber(
        "114",
        _("Emergency by text message"),
        _("For deaf or hard-of-hearing people, or when you cannot speak: send a text to 114."),
        "sms:114",
        emergency=True,
    ),
    HelpNumber(
        "3919",
        _("Violences Femmes Info"),
        _("Listening and guidance for women victims of violence, anonymous and free, 24/7."),
        "tel:3919",
    ),
    HelpNumber("119", _("Allô Enfance en Danger"), _("For children and young people in danger or at risk, 24/7."), "tel:119"),
    HelpNumber("3018", _("Cyber-harassment and online violence"), _("Free, anonymous help for online harassment."), "tel:3018"),
    HelpNumber("3928", _("Défenseur des droits"), _("Discrimination: information and help to assert your rights."), "tel:3928"),
)
