"""Égide benchmark of the retention engine: crypto-shredding half of 100,000 cases, and a run killed halfway.

Run it with `.venv/bin/python bench/retention.py` (`make bench` runs it too). It is a measurement, not a
test: it always exits 0 and prints its figures with PASS/FAIL against the targets.

Database: a throwaway SQLite database in a temporary folder by default; with DATABASE_URL set
(PostgreSQL), a database named egide_bench_retention on that server, dropped and created at each run.

What is measured, on this machine:
  (a) the set-up: 100,000 cases written with bulk_create, each as the real services leave it: a receipt,
      an envelope with 3 wraps (a handler, the reporter, the entity's escrow key), random bytes of the
      sizes real ciphertexts have (a 1.5-4.5 KB report, 2 messages, 3 timeline events, 2 persons, a
      task), and for one case in 20 an encrypted attachment file and a generated document. Half of them
      are due on the run's day (40% closed past their retention date, 5% flood items set aside more
      than 2 months ago, 5% withdrawn more than 2 months ago); the other half must stay: open cases,
      closed cases not yet due, cases under a legal hold (one in five of those with a retention date
      already past), recent flood items. Due and kept cases are interleaved in pk order;
  (b) `manage.py cases_retention --today ...` in its own process: total time (Django start-up
      included) and cases shredded per second. Target >= 20/s: a day's due cases are a handful, so the
      target is for a backlog (a first run, or the timer stopped for months): 50,000 due cases cleared
      in one night's run of under 45 minutes, one transaction per case;
  (c) the restart: 100,000 more cases in the same database, the command started again and killed with
      SIGKILL once about half of the new due cases are shredded, then run again to the end. Checked:
      every due case of both rounds is shredded, with exactly one "case.shredded" audit event; no wrap
      is left on any of them; every other case is as it was (state, wraps, content, messages, events,
      files); the audit chain verifies; the files that the kill left behind (deleted after a commit
      that the kill may interrupt) are deleted by the next run once they are a day old.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = 100_000
CHUNK = 2_000
RATE_TARGET = 20.0
BENCH_DATABASE = "egide_bench_retention"
ENTITY = "telecom-paris"
TODAY = datetime.date(2027, 6, 1)
OVERHEAD = 40  # XChaCha20-Poly1305: 24-byte nonce + 16-byte tag
# One slot per 5% of the cases; shuffled once so that due and kept cases alternate irregularly.
SLOTS = ["closed_due"] * 8 + ["set_aside_due", "withdrawn_due"] + ["active"] * 4 + ["closed_kept"] * 3
SLOTS += ["held", "held_closed", "set_aside_recent"]
random.Random(7).shuffle(SLOTS)
DUE_KINDS = {"closed_due", "set_aside_due", "withdrawn_due"}


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    return urlunsplit(parts._replace(path="/" + BENCH_DATABASE))


def setup(data_dir: str) -> str:
    os.environ["EGIDE_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "egide.settings"
    os.environ["EGIDE_LOG_LEVEL"] = "WARNING"
    os.environ.pop("EGIDE_ENV", None)
    url = _database_url()
    if url:
        os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    return "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


# --- The cases --------------------------------------------------------------------------------------


@dataclass
class World:
    entity: Any
    handlers: list[Any]
    escrow: Any
    rng: random.Random


def make_world() -> World:
    from egide.org.models import Entity, User
    from egide.vault.models import EscrowKey

    rng = random.Random(2027)
    entity = Entity.objects.get(code=ENTITY)
    handlers = [User.objects.create_user(f"bench.handler{index}@example.org") for index in range(5)]
    escrow = EscrowKey.objects.create(entity=entity, public_key=rng.randbytes(32), fingerprint="bench")
    return World(entity=entity, handlers=handlers, escrow=escrow, rng=rng)


def _sealed(rng: random.Random, low: int, high: int) -> bytes:
    return rng.randbytes(OVERHEAD + rng.randint(low, high))


def _days_ago(rng: random.Random, low: int, high: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=rng.randint(low, high))


def _report_fields(kind: str, rng: random.Random) -> dict[str, Any]:
    """The clear columns of one case of this kind, as the case-handling services leave them."""
    from django.utils import timezone

    paris = timezone.get_default_timezone()
    received = _days_ago(rng, 120, 700)
    fields: dict[str, Any] = {"status": "in_progress", "received_month": received.replace(day=1), "ack_due": received}
    if kind in {"closed_due", "closed_kept", "held_closed"}:
        until = _days_ago(rng, 0, 300) if kind != "closed_kept" else TODAY + datetime.timedelta(days=rng.randint(1, 60))
        fields |= {"status": "closed", "closed_on": until - datetime.timedelta(days=61), "closure_reason": "treated"}
        fields |= {"retention_state": "closed", "retention_until": until}
        if kind == "held_closed":
            fields["legal_hold"] = "disciplinary"
    elif kind == "held":
        fields |= {"status": "closed", "closed_on": _days_ago(rng, 100, 600), "closure_reason": "treated"}
        fields |= {"retention_state": "legal_hold", "legal_hold": "judicial"}
    elif kind in {"set_aside_due", "set_aside_recent"}:
        day = _days_ago(rng, 70, 400) if kind == "set_aside_due" else _days_ago(rng, 0, 50)
        moment = datetime.datetime.combine(day, datetime.time(rng.randint(0, 23), rng.randint(0, 59)), tzinfo=paris)
        fields |= {"status": "set_aside", "set_aside_at": moment}
    elif kind == "withdrawn_due":
        fields |= {"status": "withdrawn", "withdrawn_on": _days_ago(rng, 70, 400)}
    return fields


def _write_chunk(world: World, round_number: int, start: int, count: int, media: Path) -> None:
    from django.db import transaction

    from egide.cases.models import CaseDocument, CaseEvent, CasePerson, CaseTask
    from egide.reports.models import Attachment, Message, Report
    from egide.vault.models import Envelope, Receipt, Wrap

    rng = world.rng
    kinds = [SLOTS[(start + offset) % len(SLOTS)] for offset in range(count)]
    with transaction.atomic():
        receipts = Receipt.objects.bulk_create(
            [
                Receipt(lookup=rng.randbytes(32), kdf="argon2id:3:67108864", public_key=rng.randbytes(32),
                        protected_private_key=_sealed(rng, 32, 32))
                for _index in range(count)
            ]
        )  # fmt: skip
        envelopes = Envelope.objects.bulk_create([Envelope() for _index in range(count)])
        wraps = []
        for index, (envelope, receipt) in enumerate(zip(envelopes, receipts, strict=True)):
            handler = world.handlers[(start + index) % len(world.handlers)]
            wraps += [
                Wrap(envelope=envelope, kind="handler", user=handler, sealed_key=rng.randbytes(80)),
                Wrap(envelope=envelope, kind="escrow", escrow=world.escrow, sealed_key=rng.randbytes(80)),
                Wrap(envelope=envelope, kind="reporter", receipt=receipt, sealed_key=rng.randbytes(80)),
            ]
        Wrap.objects.bulk_create(wraps)
        reports = Report.objects.bulk_create(
            [
                Report(
                    reference=f"B{round_number}-{'DUE' if kind in DUE_KINDS else 'KEEP'}-{start + index:07d}",
                    entity=world.entity, mode="anonymous", reporter_role="victim", population="student",
                    categories="sexual_harassment,sexist_behaviour", envelope=envelope, receipt=receipt,
                    content=_sealed(rng, 1500, 4500), submission_digest=hashlib.sha256(rng.randbytes(16)).hexdigest(),
                    **_report_fields(kind, rng),
                )
                for index, (kind, envelope, receipt) in enumerate(zip(kinds, envelopes, receipts, strict=True))
            ]
        )  # fmt: skip
        Message.objects.bulk_create(
            [
                Message(report=report, author=author, body=_sealed(rng, 200, 1500))
                for report in reports
                for author in ("system", "handler")
            ]
        )
        on = TODAY - datetime.timedelta(days=90)
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(report=report, kind=kind, on=on, codes={}, payload=_sealed(rng, 150, 700), uid=uuid.uuid4())
                for report in reports
                for kind in ("opened", "listening", "note")
            ]
        )
        persons = CasePerson.objects.bulk_create(
            [
                CasePerson(report=report, role=role, added_on=on, identity=_sealed(rng, 80, 300), uid=uuid.uuid4())
                for report in reports
                for role in ("victim", "targeted")
            ]
        )
        CaseTask.objects.bulk_create(
            [CaseTask(report=person.report, kind="inform_targeted", due=on, person=person) for person in persons[1::2]]
        )
        with_files = [report for report in reports if rng.random() < 0.05]
        attachments = []
        for report in with_files:
            name = f"vault/{uuid.uuid4().hex}"
            (media / name).write_bytes(rng.randbytes(rng.randint(2_000, 20_000)))
            attachments.append(Attachment(report=report, author="reporter", blob=name, size=10_000, meta=_sealed(rng, 100, 200)))
        Attachment.objects.bulk_create(attachments)
        CaseDocument.objects.bulk_create(
            [
                CaseDocument(report=report, kind="minutes", language="fr", created_on=on, size=20_000,
                             content=_sealed(rng, 10_000, 30_000), uid=uuid.uuid4())
                for report in with_files
            ]
        )  # fmt: skip


def make_cases(world: World, round_number: int, media: Path) -> float:
    from django.db import connection

    started = time.perf_counter()
    (media / "vault").mkdir(parents=True, exist_ok=True)
    for start in range(0, CASES, CHUNK):
        _write_chunk(world, round_number, start, min(CHUNK, CASES - start), media)
    with connection.cursor() as cursor:  # the planner statistics a live database has (autovacuum's job)
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


# --- Running the command ------------------------------------------------------------------------


def _command() -> list[str]:
    return [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "cases_retention", "--today", TODAY.isoformat()]


def run_command() -> tuple[float, str]:
    started = time.perf_counter()
    # Our own interpreter and command, no outside input.
    done = subprocess.run(_command(), cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, check=True)  # noqa: S603
    return time.perf_counter() - started, done.stdout.strip()


def _shredded(prefix: str) -> int:
    from egide.reports.models import Report

    return Report.objects.filter(reference__startswith=prefix, retention_state="shredded").count()


def run_and_kill(prefix: str, at: int) -> int:
    """Start the command, SIGKILL it once `at` cases of `prefix` are shredded; returns how many were."""
    process = subprocess.Popen(_command(), cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL)  # noqa: S603
    try:
        while process.poll() is None and _shredded(prefix) < at:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    return _shredded(prefix)


# --- Checks -------------------------------------------------------------------------------------


def fingerprint_of_kept() -> tuple[Any, ...]:
    """What must not change on the cases that are not due: states, keys, ciphertexts, rows, files."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Length

    from egide.cases.models import CaseDocument, CaseEvent, CasePerson
    from egide.reports.models import Attachment, Message, Report
    from egide.vault.models import Wrap

    kept = Report.objects.filter(reference__contains="-KEEP-")
    on_kept = {"report__reference__contains": "-KEEP-"}
    states = sorted(kept.values_list("retention_state").annotate(n=Count("pk")))
    return (
        states,
        kept.aggregate(n=Sum(Length("content")))["n"],
        Wrap.objects.filter(envelope__report__reference__contains="-KEEP-").count(),
        Message.objects.filter(**on_kept).aggregate(n=Sum(Length("body")))["n"],
        CaseEvent.objects.filter(**on_kept).aggregate(n=Sum(Length("payload")))["n"],
        CasePerson.objects.filter(**on_kept).aggregate(n=Sum(Length("identity")))["n"],
        CaseDocument.objects.filter(**on_kept).count(),
        sorted(Attachment.objects.filter(**on_kept).values_list("blob", flat=True)),
    )


def stored_files(media: Path) -> set[str]:
    return {f"vault/{path.name}" for path in (media / "vault").iterdir()}


def check(kept_before: tuple[Any, ...], media: Path) -> list[tuple[str, bool]]:
    from django.db.models import Count

    from egide.core.audit import verify_chain
    from egide.core.models import AuditEvent
    from egide.reports.models import Attachment, Report
    from egide.vault.models import Wrap

    due = Report.objects.filter(reference__contains="-DUE-")
    events = AuditEvent.objects.filter(action="case.shredded")
    per_case = events.values("object_id").annotate(n=Count("pk"))
    files = stored_files(media)
    kept_files = set(kept_before[-1])
    chain = verify_chain()
    return [
        (f"all {due.count():,} due cases shredded", not due.exclude(retention_state="shredded").exists()),
        (
            "one audit event each, none for another case",
            events.count() == due.count() == per_case.count()
            and not per_case.filter(n__gt=1).exists()
            and not events.exclude(object_id__contains="-DUE-").exists(),
        ),
        ("no wrap left on them", not Wrap.objects.filter(envelope__report__reference__contains="-DUE-").exists()),
        (
            "no attachment row or file left on them",
            not Attachment.objects.filter(report__in=due).exists() and files == kept_files,
        ),
        ("the other cases untouched", fingerprint_of_kept() == kept_before),
        (f"audit chain verifies ({chain.checked:,} events)", chain.ok),
    ]


def age_files(media: Path, names: set[str]) -> None:
    moment = time.time() - 2 * 86_400
    for name in names:
        os.utime(media / name, (moment, moment))


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="egide-bench-") as data_dir:
        engine = setup(data_dir)
        from django.conf import settings

        media = Path(settings.MEDIA_ROOT)
        print(f"Égide retention benchmark — {engine}, {os.cpu_count()} cores, run day {TODAY}")
        world = make_world()
        seconds = make_cases(world, 1, media)
        due = CASES * len([slot for slot in SLOTS if slot in DUE_KINDS]) // len(SLOTS)
        print(f"  (a) {CASES:,} cases written in {seconds:.1f} s ({due:,} due, {len(stored_files(media)):,} files)")
        elapsed, output = run_command()
        done = _shredded("B1-")
        rate = done / elapsed
        print(f"  (b) cases_retention: {done:,} cases shredded in {elapsed:.1f} s = {rate:.0f} cases/s  "
              f"[target >= {RATE_TARGET:.0f}/s: {_verdict(rate >= RATE_TARGET and done == due)}]")  # fmt: skip
        print(f"      {output}")
        seconds = make_cases(world, 2, media)
        kept_before = fingerprint_of_kept()
        print(f"  (c) {CASES:,} more cases written in {seconds:.1f} s; command killed (SIGKILL) once half are shredded…")
        at_kill = run_and_kill("B2-", due // 2)
        files_before = stored_files(media)
        elapsed, output = run_command()
        left_by_kill = stored_files(media) - set(kept_before[-1])
        print(f"      {at_kill:,} of {due:,} shredded when killed; the rerun took {elapsed:.1f} s: {output}")
        if left_by_kill:  # deleted after a commit that the kill interrupted: swept once a day old
            age_files(media, left_by_kill)
            _elapsed, output = run_command()
            print(f"      {len(left_by_kill)} file(s) left by the kill, aged by 2 days, then: {output}")
        else:
            print(f"      no file left by the kill ({len(files_before):,} files before the rerun)")
        results = check(kept_before, media)
        for label, ok in results:
            print(f"      {label}: {_verdict(ok)}")
        print(f"      restart check: {_verdict(all(ok for _label, ok in results) and 0 < at_kill < due)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
