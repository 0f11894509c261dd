from typing import Any

from django.core.management.base import BaseCommand

from egide.kb.search import reindex


class Command(BaseCommand):
    help = "Rebuild the search index of the help pages (articles and reference data)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reindex()
        self.stdout.write(f"{count} documents indexed.")
