"""Generate an entity's escrow key pair: the public half is stored, the private half printed once.

The ceremony is in docs/escrow.md: run it on the server with two witnesses, write the private key
on paper (or an offline medium) twice, seal both copies in envelopes kept in two safes.
"""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egide.org.models import Entity
from egide.vault.services import escrow_key_create


class Command(BaseCommand):
    help = "Create the escrow key of an entity; prints the private key once, for offline storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", help="entity code, e.g. telecom-paris (or dg for the head office)")
        parser.add_argument("--replace", action="store_true", help="retire the current escrow key and create a new one")

    def handle(self, *args: Any, **options: Any) -> None:
        from egide.vault.models import EscrowKey

        entity = Entity.objects.filter(code=options["entity"]).first()
        if entity is None:
            raise CommandError(f"No entity with the code {options['entity']!r}.")
        if EscrowKey.objects.filter(entity=entity, retired_at__isnull=True).exists() and not options["replace"]:
            raise CommandError("This entity already has an escrow key; pass --replace to retire it (filed reports keep theirs).")
        escrow, private_key = escrow_key_create(entity=entity)
        secret = base64.b32encode(private_key).decode().rstrip("=")
        groups = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        self.stdout.write(f"Escrow key for {entity.code} — fingerprint {escrow.fingerprint}")
        self.stdout.write("PRIVATE KEY (write it down now; it is not stored anywhere and will not be shown again):")
        self.stdout.write(groups)
