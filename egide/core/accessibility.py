"""The accessibility statement as structured data (R51): the footer and the statement page read it.

Update it after every audit; a test fails when the audit date is more than three years old.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class AccessibilityStatement:
    status: str  # "non", "partial" or "full"
    rgaa_version: str
    statement_date: datetime.date
    audit_date: datetime.date | None
    audit_by: str
    compliance_rate: int | None
    non_compliances: list[Promise] = field(default_factory=list)
    derogations: list[Promise] = field(default_factory=list)
    technologies: tuple[str, ...] = ("HTML5", "CSS", "JavaScript (optional)")

    @property
    def status_label(self) -> Promise:
        return STATUS_LABELS[self.status]


STATUS_LABELS = {
    "non": _("not compliant"),
    "partial": _("partially compliant"),
    "full": _("fully compliant"),
}

# No independent RGAA audit has been carried out yet: the law then requires "non conforme",
# whatever the automated checks say.
STATEMENT = AccessibilityStatement(
    status="non",
    rgaa_version="4.1.2",
    statement_date=datetime.date(2026, 11, 26),
    audit_date=None,
    audit_by="",
    compliance_rate=None,
    non_compliances=[
        _("No complete RGAA audit has been carried out yet; automated checks (axe-core) run on every change."),
    ],
)
