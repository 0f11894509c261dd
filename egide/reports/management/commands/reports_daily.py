"""Daily housekeeping of the reporting side: what helps a reporter for a few minutes must not stay.

Removes the sealed copies of follow-up codes kept for repeated submissions (5 minutes), the
expired follow-up sessions, and the throttle counters whose window is over (they are keyed hashes
of e-mail or network addresses). Run by deploy/systemd/egide-daily.service.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from egide.core.throttle import throttle_purge
from egide.reports.models import FollowUpSession
from egide.reports.services import purge_replay_boxes


class Command(BaseCommand):
    help = "Purge expired follow-up sessions and the short-lived copies of follow-up codes."

    def handle(self, *args: Any, **options: Any) -> None:
        boxes = purge_replay_boxes()
        sessions, _detail = FollowUpSession.objects.filter(expires_at__lt=timezone.now()).delete()
        longest_window = max(settings.EGIDE_LOGIN_WINDOW_SECONDS, settings.EGIDE_FOLLOWUP_WINDOW_SECONDS, 3600)
        counters = throttle_purge(older_than_seconds=longest_window)
        self.stdout.write(f"{boxes} code copies, {sessions} follow-up sessions and {counters} throttle counters removed.")
