from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egide.org.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the IMT demo people and accounts (idempotent; refused in production) and print the accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        accounts = load_demo()
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        width = max(len(account.email) for account in accounts)
        for account in accounts:
            self.stdout.write(f"  {account.email.ljust(width)}  {account.role} — {account.scope}")
        self.stdout.write("Roles that handle cases, steer or administer set up two-step verification (TOTP) at first sign-in.")
