"""Reading a case: its timeline, persons, grants and tasks, decrypted and labelled for the case page.
What a user sees depends on their part of the case (an investigator sees the investigation part)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egide.cases.choices import (
    AcknowledgementMeans,
    Authority,
    ClosureReason,
    DisciplinaryPath,
    EventKind,
    GrantScope,
    LegalHold,
    Orientation,
    Outcome,
    Part,
    PersonRole,
    ProsecutorNotice,
    ProtectionDecision,
    TaskKind,
)
from egide.cases.models import CaseEvent, CaseGrant, CasePerson, CaseTask, MeasureType
from egide.cases.services import open_event, open_grant_reasons, open_person
from egide.core.deadlines import DeadlineStatus, deadline_status
from egide.kb.models import Investigator, Offence, SupportResource
from egide.reports.choices import Channel
from egide.reports.models import Report

_DECISIONS: dict[str, Any] = {
    EventKind.SUPPORT_ORIENTATION: Orientation,
    EventKind.AUTHORITY_ORIENTATION: Orientation,
    EventKind.PROSECUTOR: ProsecutorNotice,
    EventKind.PROTECTION_DECISION: ProtectionDecision,
}

# The labels of the texts an event may hold, in the order they are shown.
TEXT_LABELS = {
    "transcript": gettext_lazy("Transcript or minutes"),
    "text": gettext_lazy("Text"),
    "summary": gettext_lazy("Summary"),
    "details": gettext_lazy("Details"),
    "justification": gettext_lazy("Justification"),
    "measures_requested": gettext_lazy("Measures requested"),
    "comment": gettext_lazy("Comment"),
    "recipient": gettext_lazy("Recipient"),
    "documents_sent": gettext_lazy("Documents sent"),
    "decided_by": gettext_lazy("Decided by"),
    "measures": gettext_lazy("Measures"),
    "scope": gettext_lazy("Facts to investigate"),
    "mandate": gettext_lazy("Mandate"),
    "person": gettext_lazy("Person"),
    "findings": gettext_lazy("Findings"),
    "conclusions": gettext_lazy("Conclusions"),
    "reasons": gettext_lazy("Reasons"),
    "authority": gettext_lazy("Referred to"),
    "facts": gettext_lazy("Facts"),
    "how": gettext_lazy("How"),
    "notice": gettext_lazy("Notice to the reporter"),
    "reason": gettext_lazy("Reason"),
}


@dataclass
class EventView:
    event: CaseEvent
    label: str
    facts: list[tuple[str, str]]
    texts: list[tuple[str, str]]
    warning: str = ""


def _lookup(model: Any, field: str, values: list[Any], label: str) -> dict[Any, str]:
    return {getattr(row, field): str(getattr(row, label)) for row in model.objects.filter(**{f"{field}__in": values})}


def _simple_facts() -> dict[str, tuple[Any, dict[str, Any]]]:
    """Labels of the codes shown as they are, built once per timeline (not once per event)."""
    return {
        "outcome": (_("Outcome"), dict(Outcome.choices)),
        "authority": (_("Authority"), dict(Authority.choices)),
        "reason": (_("Reason"), dict(ClosureReason.choices)),
        "hold": (_("Proceedings"), dict(LegalHold.choices)),
        "path": (_("Path"), dict(DisciplinaryPath.choices)),
        "consent": (_("Agreed to a recording"), {"yes": _("Yes"), "no": _("No")}),
        "channel": (_("Received"), dict(Channel.choices)),
        "means": (_("Sent by"), dict(AcknowledgementMeans.choices)),
    }


def _facts(
    event: CaseEvent, names: dict[str, dict[Any, str]], persons: dict[str, str], simple: dict[str, tuple[Any, dict[str, Any]]]
) -> list[tuple[str, str]]:
    codes = event.codes
    facts: list[tuple[str, str]] = []
    enum = _DECISIONS.get(event.kind)
    if "decision" in codes:
        value = codes["decision"]
        label = (
            dict(enum.choices).get(value, value)
            if enum
            else {"continue": _("It continues"), "end": _("It ends")}.get(value, value)
        )
        facts.append((_("Decision"), str(label)))
    for key, (label, choices) in simple.items():
        if key in codes:
            facts.append((str(label), str(choices.get(codes[key], codes[key]))))
    if "resource" in codes:
        facts.append((_("Support resource"), names["resources"].get(codes["resource"], "—")))
    if "offences" in codes:
        facts.append((_("Offences envisaged"), "; ".join(names["offences"].get(code, code) for code in codes["offences"])))
        facts.append((_("Offences table of"), str(codes.get("table_version", ""))))
    if "measure" in codes:
        facts.append((_("Measure"), names["measures"].get(codes["measure"], codes["measure"])))
    dates = (("start", _("Start date")), ("end", _("End date")), ("review", _("Review on")), ("approved_on", _("Approved on")))
    for key, label in dates:
        if codes.get(key):
            facts.append((str(label), datetime.date.fromisoformat(codes[key]).strftime("%d/%m/%Y")))
    if "investigators" in codes:
        facts.append((_("Members"), ", ".join(names["investigators"].get(pk, "?") for pk in codes["investigators"])))
    if "person" in codes:
        facts.append((_("Person targeted"), persons.get(str(codes["person"]), "—")))
    if codes.get("meeting_requested"):
        facts.append((_("Meeting requested"), _("Yes")))
    if codes.get("approved"):
        facts.append((_("Transcript approved"), _("Yes")))
    return facts


def timeline(
    report: Report, data_key: bytes, *, scope: str, persons: dict[str, str], latest: int | None = None
) -> list[EventView]:
    """The steps of the case, latest first (the `latest` ones only, when given), as this user may see them."""
    queryset = report.events.select_related("actor__person").order_by("-on", "-pk")
    if scope != GrantScope.FULL:
        queryset = queryset.filter(part=Part.INVESTIGATION)
    events = list(queryset[:latest] if latest is not None else queryset)
    codes = [event.codes for event in events]
    names = {
        "resources": _lookup(SupportResource, "pk", [c["resource"] for c in codes if "resource" in c], "name"),
        "offences": _lookup(Offence, "code", [o for c in codes for o in c.get("offences", [])], "name"),
        "measures": _lookup(MeasureType, "code", [c["measure"] for c in codes if "measure" in c], "label"),
        "investigators": _lookup(Investigator, "pk", [i for c in codes for i in c.get("investigators", [])], "name"),
    }
    views = []
    simple = _simple_facts()
    for event in events:
        payload = open_event(data_key, event)
        texts = [(str(label), str(payload[key])) for key, label in TEXT_LABELS.items() if payload.get(key)]
        warning = ""
        if event.kind == EventKind.COMMISSION and event.codes.get("mixed") is False:
            warning = _("This commission is not a mixed pair: say why in a note.")
        views.append(EventView(event, str(EventKind(event.kind).label), _facts(event, names, persons, simple), texts, warning))
    return views


@dataclass
class PersonView:
    person: CasePerson
    role: str
    name: str
    contact: str
    notes: str


def persons(report: Report, data_key: bytes) -> list[PersonView]:
    views = []
    for person in report.persons.all():
        identity = open_person(data_key, person)
        views.append(
            PersonView(
                person,
                str(PersonRole(person.role).label),
                identity.get("name", ""),
                identity.get("contact", ""),
                identity.get("notes", ""),
            )
        )
    return views


@dataclass
class TaskView:
    task: CaseTask
    label: str
    status: DeadlineStatus
    source: str


def open_tasks(report: Report) -> list[TaskView]:
    tasks = report.tasks.filter(done_on__isnull=True).select_related("delay")
    return [
        TaskView(task, str(TaskKind(task.kind).label), deadline_status(task.due), task.delay.source_article if task.delay else "")
        for task in tasks
    ]


@dataclass
class GrantView:
    grant: CaseGrant
    scope: str
    reason: str
    revocation: str


def grants(report: Report, data_key: bytes) -> list[GrantView]:
    views = []
    for grant in report.grants.select_related("user", "granted_by", "revoked_by"):
        reasons = open_grant_reasons(data_key, grant)
        views.append(
            GrantView(grant, str(GrantScope(grant.scope).label), reasons.get("reason", ""), reasons.get("revocation", ""))
        )
    return views
