"""Daily housekeeping of the reporting side: what helps a reporter for a few minutes must not stay.

Removes the sealed copies of follow-up codes kept for repeated submissions (15 minutes) and the
expired follow-up sessions. Run by deploy/systemd/egide-daily.service.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from egide.reports.models import FollowUpSession
from egide.reports.services import purge_replay_boxes


class Command(BaseCommand):
    help = "Purge expired follow-up sessions and the short-lived copies of follow-up codes."

    def handle(self, *args: Any, **options: Any) -> None:
        boxes = purge_replay_boxes()
        sessions, _detail = FollowUpSession.objects.filter(expires_at__lt=timezone.now()).delete()
        self.stdout.write(f"{boxes} code copies and {sessions} follow-up sessions removed.")
