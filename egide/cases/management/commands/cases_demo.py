"""Demo only: personal keys for the demo référents, escrow keys, and one invented report.

The demo référents' keys are protected by the demo password, so signing in opens them. Escrow
private keys are not kept (a real deployment runs the ceremony in docs/escrow.md). The follow-up
code of the demo report is written to the data folder so that the reporter's side can be tried;
a real code is never stored.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egide.org.demo import DEMO_DOMAIN, DEMO_PASSWORD
from egide.org.models import Entity, RoleGrant, User
from egide.org.roles import HANDLER_ROLES
from egide.reports.models import Report
from egide.reports.services import Submission, report_submit
from egide.vault.models import EscrowKey, HandlerKey
from egide.vault.services import escrow_key_create, handler_key_create

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
        person_ids = RoleGrant.objects.active().filter(role__in=HANDLER_ROLES).values_list("person_id", flat=True)
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
