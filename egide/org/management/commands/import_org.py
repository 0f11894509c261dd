"""Import people or role grants from a CSV export, as the system and over all of IMT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from egide.org.access import ALL
from egide.org.imports import ImportReport, import_grants, import_people


class Command(BaseCommand):
    help = "Import people or role grants from a CSV file (UTF-8; comma, semicolon or tab separated; with a header line)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["people", "grants"], help="What the file contains.")
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count the changes without writing.")

    def handle(self, *args: Any, kind: str, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            content = file.read_bytes()
        except OSError as problem:
            raise CommandError(_("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": problem.strerror}) from problem
        run = import_people if kind == "people" else import_grants
        report = run(actor=None, content=content, scope=ALL, dry_run=dry_run)
        self.stdout.write(self._summary(report))
        for line_error in report.errors:
            where = f"line {line_error.line}, {line_error.column}" if line_error.column else f"line {line_error.line}"
            self.stderr.write(f"{where}: {line_error.message}")
        if not report.ok:
            raise CommandError(_("%(count)d error(s): nothing was written.") % {"count": len(report.errors)})

    def _summary(self, report: ImportReport) -> str:
        counts = {"rows": report.rows, "created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        if report.applied:
            template = _("%(rows)d lines read: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        else:
            template = _("%(rows)d lines read; would create %(created)d, update %(updated)d, leave %(unchanged)d unchanged.")
        return template % counts
