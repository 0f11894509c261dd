"""The retention engine (R20, R31): when a case's retention ends, its content is crypto-shredded.

Shredding deletes every wrap of the case's data key (handlers, reporter, escrow), so no copy of the
ciphertexts (a backup, a dump) can ever be decrypted again, escrow ceremony included; it also blanks or
deletes the ciphertexts themselves and the files of the attachments. The clear columns that
statistics and deadlines read stay as they were (R20: anonymised statistics may be kept).

A case is due under one of three rules, and never while proceedings run (a legal hold, R31 c):
- "closed": closed and its retention date reached. The closure service sets that date (closure plus
  the "retention-after-closure" delay, or the day of closure for a report outside the scheme's scope);
- "set_aside": set aside as part of a flood (not a genuine report) for longer than that delay;
- "withdrawn": withdrawn by the reporter, never closed, for longer than that delay.

Each case is shredded in its own transaction, in pk order: a crash loses at most the case in progress
and the next run continues. Attachment files are deleted after the commit; the files that a crash
leaves behind have no attachment row any more, and the next run's sweep deletes them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from egide.cases.choices import LegalHold, Retention, TaskKind
from egide.cases.models import CaseDocument, CaseEvent, CaseGrant, CasePerson, CaseTask
from egide.core.audit import audit_record
from egide.core.deadlines import add_delay, statutory_delay
from egide.reports.choices import Status
from egide.reports.models import Attachment, FollowUpSession, Message, Report
from egide.vault.models import Receipt
from egide.vault.services import envelope_shred

DELAY = "retention-after-closure"
CLOSED, SET_ASIDE, WITHDRAWN = "closed", "set_aside", "withdrawn"
RULES = (CLOSED, SET_ASIDE, WITHDRAWN)

# The folder where reports.services._store_blob puts the encrypted files (tests check they agree).
BLOB_FOLDER = "vault"
# A file is written before the transaction that records its attachment: a younger one may be in flight.
ORPHAN_AGE = datetime.timedelta(days=1)

# "released" means the proceedings ended: the hold no longer stops the clock. Any other value holds.
# Kept while proceedings run (R31c), and while a check-in against retaliation is still to come (R22): the
# person must then be able to see what was reported and decided.
_NO_HOLD = (Q(legal_hold="") | Q(legal_hold=LegalHold.RELEASED)) & ~Q(
    Exists(CaseTask.objects.filter(report=OuterRef("pk"), kind=TaskKind.RETALIATION_CHECKIN, done_on__isnull=True))
)


# --- Which cases are due ------------------------------------------------------------------------


def _latest_elapsed_start(today: datetime.date) -> datetime.date:
    """The last day on which a retention delay that is over by `today` could have started.

    The delay is data (months clamp at month ends, working days skip holidays), so the day is searched
    with the deadline service rather than subtracted: every caller agrees with `statutory_due`."""
    delay = statutory_delay(DELAY)

    def over(start: datetime.date) -> bool:
        return add_delay(start, delay.amount, delay.unit) <= today

    if over(today):  # a zero delay
        return today
    # 366 days per unit is at least one unit of any kind (a year, a month, a working day): over(low) holds.
    low, high = today - datetime.timedelta(days=366 * delay.amount + 7), today
    while (high - low).days > 1:  # over(low) and not over(high); add_delay never goes back in time
        middle = low + (high - low) // 2
        low, high = (middle, high) if over(middle) else (low, middle)
    return low


def _rule(rule: str, today: datetime.date) -> Q:
    """The condition under which a case is due by `rule` on `today` (a hold excepted)."""
    if rule == CLOSED:
        return Q(retention_state=Retention.CLOSED, retention_until__lte=today)
    if rule not in RULES:
        raise ValueError(f"Unknown retention rule {rule!r}.")
    last = _latest_elapsed_start(today)
    if rule == SET_ASIDE:  # set aside at any time of that day, in legal French time
        day_after = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
        end = timezone.make_aware(day_after, timezone.get_default_timezone())
        return Q(retention_state=Retention.ACTIVE, status=Status.SET_ASIDE, set_aside_at__lt=end)
    return Q(retention_state=Retention.ACTIVE, status=Status.WITHDRAWN, closed_on__isnull=True, withdrawn_on__lte=last)


def _rules(today: datetime.date) -> dict[str, Q]:
    return {rule: _rule(rule, today) for rule in RULES}


def _due(rules: dict[str, Q]) -> QuerySet[Report]:
    due = Q()
    for condition in rules.values():
        due |= condition
    return Report.objects.filter(_NO_HOLD & due)


def due_for_shredding(today: datetime.date) -> QuerySet[Report]:
    """The cases whose content must be destroyed on `today`."""
    return _due(_rules(today))


def _due_ids(rules: dict[str, Q], *, after: int, count: int) -> list[tuple[int, str]]:
    """(pk, rule) of the next due cases after pk `after`, in pk order."""
    which = Case(*(When(condition, then=Value(rule)) for rule, condition in rules.items()), output_field=CharField())
    rows = _due(rules).filter(pk__gt=after).annotate(rule=which).order_by("pk").values_list("pk", "rule")
    return list(rows[:count])


# --- Shredding one case -------------------------------------------------------------------------


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)  # a file already gone is not an error


def _destroy(report: Report) -> list[str]:
    """Remove every ciphertext of the case and every key that opens them; returns the file names."""
    envelope_shred(envelope_id=report.envelope_id)
    attachments = Attachment.objects.filter(report=report)
    blobs = list(attachments.values_list("blob", flat=True))
    attachments.delete()
    # Messages go whole: their clear columns (author, handler, day) describe the exchange, not a statistic.
    Message.objects.filter(report=report).delete()
    CaseEvent.objects.filter(report=report).update(payload=b"")
    CasePerson.objects.filter(report=report).update(identity=b"")
    CaseGrant.objects.filter(report=report).update(reason=b"")
    CaseDocument.objects.filter(report=report).delete()
    FollowUpSession.objects.filter(report=report).delete()
    Report.objects.filter(pk=report.pk).update(
        content=b"", replay_box=None, replay_until=None, receipt=None, retention_state=Retention.SHREDDED
    )
    if report.receipt_id is not None:  # the follow-up code opens nothing any more
        Receipt.objects.filter(pk=report.receipt_id).delete()
    return blobs


def case_shred(*, report_id: int, today: datetime.date, rule: str) -> bool:
    """Crypto-shred one case if it is still due by `rule` on `today`; False if it is not (or no longer)."""
    condition = _rule(rule, today)
    with transaction.atomic():
        locked = Report.objects.select_for_update().filter(_NO_HOLD & condition, pk=report_id)
        report = locked.only("reference", "envelope_id", "receipt_id").first()
        if report is None:
            return False
        blobs = _destroy(report)
        audit_record(action="case.shredded", object_type="reports.report", object_id=report.reference, data={"rule": rule})
        if blobs:
            transaction.on_commit(lambda: _delete_files(blobs))
    return True


# --- Orphan files -------------------------------------------------------------------------------


def sweep_orphan_files(*, dry_run: bool = False) -> int:
    """Delete the encrypted files older than a day that no attachment row names; returns how many."""
    try:
        _folders, files = default_storage.listdir(BLOB_FOLDER)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - ORPHAN_AGE
    removed = 0
    files = sorted(files)
    for start in range(0, len(files), 500):
        names = [f"{BLOB_FOLDER}/{file}" for file in files[start : start + 500]]
        known = set(Attachment.objects.filter(blob__in=names).values_list("blob", flat=True))
        for name in names:
            if name in known or default_storage.get_modified_time(name) > cutoff:
                continue
            if not dry_run:
                default_storage.delete(name)
            removed += 1
    return removed


# --- The daily run ------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    shredded: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    skipped: int = 0  # due when listed, no longer when locked (a hold placed, a case reopened, a parallel run)
    orphan_files: int = 0

    @property
    def total(self) -> int:
        return sum(self.shredded.values())


def due_counts(today: datetime.date) -> dict[str, int]:
    """How many cases each rule makes due on `today` (the dry run)."""
    rules = _rules(today)
    return {rule: _due(rules).filter(condition).count() for rule, condition in rules.items()}


def run_retention(*, today: datetime.date, batch: int = 500, limit: int | None = None) -> RetentionResult:
    """Shred every due case (at most `limit`), one transaction each, then sweep the orphan files."""
    result, rules = RetentionResult(), _rules(today)
    after, seen = 0, 0
    while limit is None or seen < limit:
        page = _due_ids(rules, after=after, count=batch if limit is None else min(batch, limit - seen))
        if not page:
            break
        for report_id, rule in page:
            if case_shred(report_id=report_id, today=today, rule=rule):
                result.shredded[rule] += 1
            else:
                result.skipped += 1
            after, seen = report_id, seen + 1
    result.orphan_files = sweep_orphan_files()
    return result
