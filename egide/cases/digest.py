"""The daily digest to case workers: how many of their cases are late or due within two working days,
never which ones nor anything about them (an e-mail leaves the vault's protection)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from egide.cases.access import cases_for_user
from egide.core.deadlines import SOON_WORKING_DAYS, add_working_days
from egide.org.models import User
from egide.reports.choices import Status
from egide.vault.models import Wrap


@dataclass(frozen=True)
class Digest:
    user: User
    late: int
    soon: int


def digests(today: datetime.date) -> Iterator[Digest]:
    """One digest per case worker with something late or due soon."""
    horizon = add_working_days(today, SOON_WORKING_DAYS)
    holders = Wrap.objects.filter(kind=Wrap.Kind.HANDLER).values("user_id")
    for user in User.objects.filter(pk__in=holders, is_active=True).select_related("person").order_by("pk"):
        due = cases_for_user(user).filter(next_due__isnull=False, next_due__lte=horizon).exclude(status=Status.SET_ASIDE)
        late = due.filter(next_due__lt=today).count()
        soon = due.count() - late
        if late or soon:
            yield Digest(user=user, late=late, soon=soon)


def send_digest(digest: Digest) -> None:
    language = getattr(digest.user.person, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        url = settings.EGIDE_BASE_URL.rstrip("/") + reverse("cases:inbox")
        lines = []
        if digest.late:
            lines.append(
                ngettext(
                    "%(count)d case has a deadline that has passed.",
                    "%(count)d cases have a deadline that has passed.",
                    digest.late,
                )
                % {"count": digest.late}
            )
        if digest.soon:
            lines.append(
                ngettext(
                    "%(count)d case has a deadline within two working days.",
                    "%(count)d cases have a deadline within two working days.",
                    digest.soon,
                )
                % {"count": digest.soon}
            )
        body = "\n".join(lines) + "\n\n" + _("Sign in to see them, sorted by what is due: %(url)s") % {"url": url}
        send_mail(_("[Égide] Your cases: deadlines"), body, None, [digest.user.email], fail_silently=False)
