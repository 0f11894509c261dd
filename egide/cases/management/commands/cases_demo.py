"""Demo only: personal keys for the demo case workers, escrow keys, one invented report and one invented case
under way (opened in person by the listening référent of Télécom Paris).

The demo référents' keys are protected by the demo password, so signing in opens them. Escrow
private keys are not kept (a real deployment runs the ceremony in docs/escrow.md). The follow-up
code of the demo report is written to the data folder so that the reporter's side can be tried;
a real code is never stored.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from egide.cases.choices import EventKind
from egide.cases.services import Intake, Step, case_open, case_person_add, case_record
from egide.org.demo import DEMO_DOMAIN, DEMO_PASSWORD
from egide.org.models import Entity, RoleGrant, User
from egide.org.roles import CASE_ROLES
from egide.reports.choices import Channel
from egide.reports.models import Report
from egide.reports.services import Submission, report_submit
from egide.vault.models import EscrowKey, HandlerKey
from egide.vault.services import envelope_open_for_user, escrow_key_create, handler_key_create, handler_key_unlock

DEMO_NARRATIVE = (
    "[Démo — situation inventée] Depuis la rentrée, un intervenant fait des remarques répétées sur le physique "
    "de plusieurs étudiantes pendant les travaux pratiques. La dernière fois, il a posé la main sur mon épaule "
    "en disant que je devrais sourire davantage. Je ne sais pas si c'est grave, mais je n'ose plus aller en TP."
)


class Command(BaseCommand):
    help = "Demo data of the reporting side (idempotent; refused in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        person_ids = RoleGrant.objects.active().filter(role__in=CASE_ROLES).values_list("person_id", flat=True)
        handlers = User.objects.filter(person_id__in=person_ids, email__endswith="@" + DEMO_DOMAIN, vault_key__isnull=True)
        for user in handlers:
            handler_key_create(user=user, secret=DEMO_PASSWORD, protection=HandlerKey.Protection.PASSWORD)
        for entity in Entity.objects.filter(is_active=True):
            if not EscrowKey.objects.filter(entity=entity, retired_at__isnull=True).exists():
                escrow_key_create(entity=entity)  # private half discarded: demo only
        code_file = settings.DATA_DIR / "demo-follow-up-code.txt"
        if not Report.objects.exists():
            ack = report_submit(submission=_demo_submission())
            code_file.write_text(f"{ack.reference} {ack.code}\n", encoding="utf-8")
            case = _demo_case()
            if case is not None:
                self.stdout.write(f"Demo case {case.reference} (Télécom Paris), opened by {case_handler_email()}, under way.")
        if code_file.exists():
            reference, _space, code = code_file.read_text(encoding="utf-8").strip().partition(" ")
            self.stdout.write(f"Demo report {reference} (Télécom Paris): follow-up code {code}")


def _demo_submission() -> Submission:
    return Submission(
        entity=Entity.objects.get(code="telecom-paris"),
        mode="anonymous",
        reporter_role="victim",
        population="student",
        categories=["sexual_harassment", "sexist_behaviour"],
        content={
            "danger_now": "no",
            "narrative": DEMO_NARRATIVE,
            "sexual_violence": [],
            "criteria": [],
            "when": {"kind": "period", "start": "2026-09-07", "end": ""},
            "where": {"kind": "campus", "detail": "[Démo] salle de TP"},
            "authors": {"relation": "teacher", "population": "contractor", "named": "no", "names": ""},
            "witnesses": {"any": "yes", "detail": ""},
            "wishes": ["talk", "advice"],
            "identity": {},
            "notify_email": "",
            "excluded": [],
        },
        excluded_person_ids=[],
        token=secrets.token_urlsafe(32),
        proof_of_work=True,
        language="fr",
    )


def case_handler_email() -> str:
    return f"ecoute.telecom-paris@{DEMO_DOMAIN}"


def _demo_case() -> Report | None:
    """A case received in person and under way: acknowledged, listened to, oriented, a person targeted
    to inform and a protective measure to review, so that the case pages show what they hold."""
    handler = User.objects.filter(email=case_handler_email(), vault_key__isnull=False).first()
    if handler is None:
        return None
    today = timezone.localdate()
    received = today - datetime.timedelta(days=12)
    intake = Intake(
        entity=Entity.objects.get(code="telecom-paris"),
        channel=Channel.IN_PERSON,
        received_on=received,
        mode="confidential",
        reporter_role="victim",
        population="staff_contract",
        categories=["moral_harassment"],
        narrative="[Démo — situation inventée] Une doctorante décrit des remarques humiliantes répétées en réunion d'équipe.",
        reporter_name="[Démo] Personne fictive",
        consent="no",
        transcript="[Démo] Procès-verbal de l'entretien : faits décrits depuis mars, deux collègues témoins.",
        approved_on=received,
    )
    report = case_open(handler=handler, intake=intake)
    data_key = envelope_open_for_user(
        envelope_id=report.envelope_id, user=handler, private_key=handler_key_unlock(key=handler.vault_key, secret=DEMO_PASSWORD)
    )
    steps = [
        Step(
            EventKind.ACKNOWLEDGEMENT, received + datetime.timedelta(days=2), codes={"means": "email"}, texts={"text": "[Démo]"}
        ),
        Step(EventKind.LISTENING, received + datetime.timedelta(days=5), texts={"summary": "[Démo] Entretien d'écoute."}),
        Step(
            EventKind.SUPPORT_ORIENTATION,
            received + datetime.timedelta(days=5),
            codes={"decision": "declined"},
            texts={"justification": "[Démo] La personne ne souhaite pas de soutien pour l'instant."},
        ),
        Step(
            EventKind.PROTECTIVE_MEASURE,
            received + datetime.timedelta(days=7),
            codes={
                "measure": "changement-groupe",
                "start": (received + datetime.timedelta(days=7)).isoformat(),
                "review": (today + datetime.timedelta(days=20)).isoformat(),
            },
            texts={"decided_by": "[Démo] Direction de l'école"},
        ),
    ]
    for step in steps:
        case_record(report=report, data_key=data_key, actor=handler, step=step)
    case_person_add(
        report=report, data_key=data_key, actor=handler, role="targeted", identity={"name": "[Démo] Personne mise en cause"}
    )
    return report
