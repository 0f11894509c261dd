"""Recovery ceremony, step 2: give a handler access to reports of an entity with its escrow key.

Used when every holder of a report is gone (left, lost their key and recovery code). The private
escrow key is typed at the prompt (never on the command line, so it stays out of shell history),
each report's data key is opened with it and wrapped to the new handler, and every grant is audited
with the reason given. A report whose reporter excluded that handler is never given to them.
"""

from __future__ import annotations

import base64
import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from egide.core.audit import audit_record
from egide.org.models import Entity, User
from egide.reports.models import Report
from egide.reports.services import decrypt_content
from egide.vault.services import NoAccess, envelope_grant, envelope_open_with_escrow


def parse_private_key(text: str) -> bytes:
    cleaned = "".join(text.split()).upper()
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError as error:
        raise CommandError("This is not an escrow private key.") from error
    if len(key) != 32:
        raise CommandError("This is not an escrow private key.")
    return key


class Command(BaseCommand):
    help = "Grant a handler (who has a personal key) access to an entity's reports using its escrow key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", help="entity code")
        parser.add_argument("handler_email", help="e-mail of the handler who receives access")
        parser.add_argument("--reason", required=True, help="why (recorded in the audit log)")
        parser.add_argument("--reference", action="append", default=[], help="only this report (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = Entity.objects.filter(code=options["entity"]).first()
        handler = User.objects.filter(email__iexact=options["handler_email"], vault_key__isnull=False).first()
        if entity is None or handler is None:
            raise CommandError("Unknown entity, or this handler has no personal key yet (they must sign in once).")
        private_key = parse_private_key(getpass.getpass("Escrow private key: "))
        reports = Report.objects.filter(entity=entity).order_by("pk")
        if options["reference"]:
            reports = reports.filter(reference__in=options["reference"])
        granted = excluded = 0
        for report in reports:
            try:
                data_key = envelope_open_with_escrow(envelope_id=report.envelope_id, escrow_private_key=private_key)
            except NoAccess:
                continue
            if handler.person_id in decrypt_content(data_key, report).get("excluded_ids", []):
                excluded += 1
                continue
            with transaction.atomic():
                if envelope_grant(envelope_id=report.envelope_id, data_key=data_key, users=[handler]):
                    granted += 1
                    audit_record(
                        action="vault.escrow_grant",
                        object_type="reports.report",
                        object_id=report.reference,
                        reason=options["reason"],
                        data={"handler": handler.pk},
                    )
        self.stdout.write(f"{granted} report(s) of {entity.code} are now readable by {handler.email}.")
        if excluded:
            self.stdout.write(f"{excluded} report(s) were not given: their reporter excluded this handler.")
