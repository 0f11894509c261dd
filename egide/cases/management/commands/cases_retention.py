"""Daily retention run (R31): crypto-shred the cases whose retention is over, then delete the encrypted
files left behind by an interrupted run. Run by deploy/systemd/egide-daily.service.

Safe to interrupt and to run again: each case is shredded in its own transaction, and a case already
shredded is never touched twice.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from egide.cases.retention import RULES, due_counts, run_retention, sweep_orphan_files
from egide.core.deadlines import local_date


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--today expects a date as YYYY-MM-DD, not {text!r}.") from error


def _by_rule(counts: dict[str, int]) -> str:
    return ", ".join(f"{rule}: {counts[rule]}" for rule in RULES)


class Command(BaseCommand):
    help = "Crypto-shred the cases whose retention period is over (statistics are kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="the day to run for, YYYY-MM-DD (default: today in legal French time)")
        parser.add_argument("--dry-run", action="store_true", help="only count what is due; change nothing")
        parser.add_argument("--limit", type=int, help="shred at most this many cases in this run")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _day(options["today"]) if options["today"] else local_date(timezone.now())
        if options["dry_run"]:
            counts = due_counts(today)
            orphans = sweep_orphan_files(dry_run=True)
            self.stdout.write(
                f"Dry run for {today}: {sum(counts.values())} case(s) due for shredding ({_by_rule(counts)}); "
                f"{orphans} orphan file(s) to delete. Nothing was changed."
            )
            return
        result = run_retention(today=today, limit=options["limit"])
        self.stdout.write(
            f"Retention run for {today}: {result.total} case(s) shredded ({_by_rule(result.shredded)}), "
            f"{result.skipped} no longer due when locked; {result.orphan_files} orphan file(s) deleted."
        )
