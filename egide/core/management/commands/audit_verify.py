from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from egide.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first broken link (exit status 1 if broken)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            where = f"event #{report.broken_at}" if report.broken_at is not None else "end of the chain"
            raise CommandError(f"Audit chain BROKEN at {where}: {report.problem} ({report.checked} events verified before it).")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
