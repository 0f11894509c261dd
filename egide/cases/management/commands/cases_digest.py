"""Daily: tell each case worker how many of their cases are late or due within two working days (no content)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from egide.cases.digest import digests, send_digest
from egide.core.audit import audit_record
from egide.core.deadlines import local_date


class Command(BaseCommand):
    help = "Send each case worker the count of their cases that are late or due within two working days."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = 0
        for digest in digests(local_date(timezone.now())):
            send_digest(digest)
            sent += 1
        audit_record(action="cases.digest_sent", data={"recipients": sent})
        self.stdout.write(f"{sent} digest(s) sent.")
