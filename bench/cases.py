"""Égide benchmark of the handlers' side: the inbox of a handler holding 10,000 cases, and a case page with 200 events.

Run it with `.venv/bin/python bench/cases.py` (`make bench` runs it too). It is a measurement, not a test:
it always exits 0 and prints its figures with PASS/FAIL against the targets.

Database: a throwaway SQLite database in a temporary folder by default; with DATABASE_URL set
(PostgreSQL), a database named egide_bench_cases on that server, dropped and created at each run
(VACUUM ANALYZE is run after the bulk load, as autovacuum would in a few minutes: it then does not run during
the measurements).

The data, written with bulk_create, batch after batch of about 100 cases of one entity:
  - the 9 IMT entities, each with a référent écoute holding a personal key and an escrow key; the
    measured handler is Télécom Paris's référent (a second référent with a key keeps the key-readiness
    warning away); 10% of the cases are Télécom Paris's, the rest spread over the other 8 entities, the
    entities taking turns so that each one's cases are spread over the table as they arrive over 3 years;
  - each case as the reporting and case services leave it: a report row with the clear columns (statuses
    mixed: 60% open — received, acknowledged, in progress, investigation — 28% closed, 4% withdrawn, 8% set
    aside, half of those by the flood guard; next_due spread from 60 days late to 90 days ahead on open
    cases, on a tenth of the closed ones a check-in against retaliation still due, which keeps them in the
    open view, none on the others), an envelope with 2–3 wraps (the entity's handler, its escrow key and, for
    the 70% filed online, the reporter's receipt), the encrypted content (1.5–4.5 KB narrative and the
    form's other answers, encrypted with the real egide.vault.crypto.encrypt_json and the report's own
    context) and the first (system) message, encrypted too;
  - for speed, one data key per batch: the measured handler's wraps (what the inbox opens) are sealed one
    by one with egide.vault.crypto.wrap; the other holders' wraps (other entities' handlers, escrow keys,
    receipts, whose key pair is also one per batch) are sealed once per batch and that sealed box stored on
    every row of the batch. Every wrap is a real wrap of its case's data key: the holder's private key opens it.
  - one more case of Télécom Paris for (c): 200 events of mixed kinds (texts encrypted, codes pointing at
    the reference data), 4 persons, 5 tasks (3 open), 5 generated documents (25–60 KB each), 20 messages
    with the reporter and 2 attachments.

What is measured, on this machine, through django.test.Client (the whole Django stack without the
network) with a handler signed in, second factor verified and personal key unlocked in the session;
WARM_UP requests then REQUESTS timed ones per page, median and p95 of the time around Client.get():
  (a) the creation time of the cases;
  (b) the inbox (`cases:inbox`): page 1 and page 10 of the open cases, and page 1 of view=other, first
      with 1,000 cases in the handler's entity (10,000 in the database), then with 10,000 (100,000 in the
      database) — target p95 < 150 ms; the number of SQL queries (CaptureQueriesContext) must be the same
      for page 1 and page 10 and for 1k and 10k cases; beside them: the CPU time of this process (median; with
      SQLite it includes the queries; with a local PostgreSQL, the server process's CPU a request is added, from
      /proc), the time in SQL as Django's debug cursor records it, and, timed outside the view, unwrapping and
      decrypting the first page's 50 rows and computing their 50 deadline statuses;
  (c) the case page (`cases:report`) of the case with 200 events — target p95 < 150 ms, and its query count;
      beside it, timed outside the view, timeline() of the 200 events and the decryption of their payloads.
Any query run 3 times or more in one request is printed under its page (an N+1 shows as hundreds). On a busy
machine the wall-clock figures include waiting for a CPU: compare them with the CPU figures and the load average.
The vault's key derivation is at its weakest (EGIDE_VAULT_ARGON2_*): it runs only when the handler's key is
created and unlocked once, never in the measured requests.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SMALL_CASES = 10_000
CASES = 100_000
BATCH = 1_000
ENTITY = "telecom-paris"
ENTITY_SHARE = 0.1
WARM_UP = 5
REQUESTS = 40
LATER_PAGE = 10
PAGE_TARGET_MS = 150.0
EVENTS = 200
MESSAGES = 20
BENCH_DATABASE = "egide_bench_cases"
UNLOCK_WORDS = "bench handler unlock words 2026"
WEAK_KDF = {"EGIDE_VAULT_ARGON2_OPSLIMIT": "1", "EGIDE_VAULT_ARGON2_MEMLIMIT": "8192"}
TODAY = datetime.datetime.now(tz=ZoneInfo("Europe/Paris")).date()  # the day in legal French time, as deadlines count
# (status, share in %): what an inbox of a few years looks like.
STATUSES = [
    ("received", 15),
    ("acknowledged", 15),
    ("in_progress", 25),
    ("investigation", 5),
    ("closed", 28),
    ("withdrawn", 4),
    ("set_aside", 8),
]
OPEN = {"received", "acknowledged", "in_progress", "investigation"}
CHECKIN_SHARE = 0.1  # closed cases with a check-in against retaliation still due: they stay in the open view
SENTENCES = [
    "Depuis la rentrée, un enseignant fait des remarques sur ma tenue pendant les travaux pratiques.",
    "Il m'a demandé plusieurs fois de rester après le cours pour « parler de mes notes ».",
    "During the integration weekend, a second-year student kept touching me although I said no.",
    "My manager sends me messages late at night that have nothing to do with work.",
    "Quand j'ai refusé, il a commencé à me donner les tâches que personne ne veut faire.",
    "Two colleagues saw it happen in the corridor of building B and can confirm what I say.",
    "Je n'ose plus aller au laboratoire quand il y est seul, j'attends que d'autres arrivent.",
    "The jokes about my origin are made in front of the whole group, and everyone laughs.",
    "J'ai gardé les messages, je peux les transmettre si c'est utile pour la suite.",
    "I am afraid that reporting this will affect my internship evaluation at the end of the year.",
    "La dernière fois, c'était le 14 au soir, à la résidence, devant l'entrée du bâtiment C.",
    "He said that nobody would believe me because he has been here for twenty years.",
    "Une amie m'a conseillé de faire ce signalement, je ne savais pas que ce dispositif existait.",
    "I would like to talk to someone first before deciding what to do next.",
]


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
    os.environ.update(WEAK_KDF)
    url = _database_url()
    if url:
        os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # Fast hashing for the set-up of the accounts only: no measured request checks a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]} (WAL, temporary file)"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]} (database {BENCH_DATABASE})"


# --- People and keys --------------------------------------------------------------------------------


@dataclass
class Holder:
    user: Any
    public_key: bytes


@dataclass
class World:
    entities: list[Any]
    handlers: dict[int, Holder]  # entity pk -> its référent
    escrows: dict[int, Any]  # entity pk -> EscrowKey
    measured: Any  # the handler whose inbox is measured
    colleague: Any  # Télécom Paris's second référent
    rng: random.Random
    counter: int = 0
    home_count: int = 0
    sealed_per_row: int = 0
    sealed_per_batch: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _referent(entity: Any, index: int, role: str) -> Any:
    from egide.org.models import Person, Population, RoleGrant, User
    from egide.vault.services import handler_key_create

    email = f"bench.referent{index}@example.org"
    person = Person.objects.create(
        first_name=random.Random(index).choice(["Camille", "Léa", "Hugo", "Amir", "Mei", "Jules", "Inès"]),
        last_name=f"Référent {index}",
        email=email,
        population=Population.STAFF_CONTRACT,
        entity=entity,
    )
    RoleGrant.objects.create(person=person, role=role, entity=entity, valid_from=datetime.date(2024, 1, 1), is_public=True)
    user = User.objects.create_user(email, UNLOCK_WORDS, person=person)
    handler_key_create(user=user, secret=UNLOCK_WORDS, protection="password")
    return user


def make_world() -> World:
    from egide.org.models import Entity
    from egide.org.roles import Role
    from egide.vault.services import escrow_key_create

    entities = list(Entity.objects.order_by("pk"))
    handlers, escrows = {}, {}
    measured = colleague = None
    for index, entity in enumerate(entities):
        user = _referent(entity, index, Role.REFERENT_ECOUTE)
        handlers[entity.pk] = Holder(user, bytes(user.vault_key.public_key))
        escrows[entity.pk], _private = escrow_key_create(entity=entity)
        if entity.code == ENTITY:
            measured = user
            colleague = _referent(entity, 100, Role.REFERENT_SIGNALEMENT)
    return World(entities, handlers, escrows, measured, colleague, random.Random(2026))


# --- The cases --------------------------------------------------------------------------------------


def _suffix(number: int) -> str:
    from egide.vault.crypto import CODE_ALPHABET

    digits = ""
    for _index in range(5):
        number, rest = divmod(number, 32)
        digits = CODE_ALPHABET[rest] + digits
    return "B" + digits  # never all digits, as _new_reference wants


def _narrative(rng: random.Random) -> str:
    target = rng.randint(1500, 4500)
    words: list[str] = []
    size = 0
    while size < target:
        sentence = rng.choice(SENTENCES)
        words.append(sentence)
        size += len(sentence.encode()) + 1
    return " ".join(words)


def _content(rng: random.Random, received_at: datetime.datetime, mode: str) -> dict[str, Any]:
    """What the reporting form stores (reports.views._submission), plus what _create_report adds."""
    return {
        "danger_now": rng.choices(["no", "yes", "unsure"], [85, 5, 10])[0],
        "narrative": _narrative(rng),
        "sexual_violence": rng.sample(["sexual_assault", "cyber", "sexist_insult", "images"], rng.randint(0, 2)),
        "criteria": rng.sample(["origin", "sex", "appearance", "religion"], rng.randint(0, 1)),
        "when": {"kind": "period", "start": (received_at.date() - datetime.timedelta(days=60)).isoformat(), "end": ""},
        "where": {"kind": rng.choice(["campus", "residence", "online", "internship", "event"]), "detail": "Bâtiment B, 2e étage"},
        "authors": {
            "relation": rng.choice(["teacher", "manager", "colleague", "student"]),
            "population": "staff_civil_servant",
            "named": "yes",
            "names": "M. Dupont, enseignant de mécanique",
        },
        "witnesses": {"any": "yes", "detail": "Deux étudiantes de ma promotion"},
        "wishes": rng.sample(["talk", "report", "record", "advice"], rng.randint(1, 3)),
        "identity": {"name": "Camille Martin", "contact": "06 12 34 56 78"} if mode != "anonymous" else {},
        "notify_email": "camille.martin@example.org" if rng.random() < 0.3 else "",
        "excluded": [],
        "excluded_ids": [],
        "received_at": received_at.isoformat(),
        "language": rng.choice(["fr", "fr", "fr", "en"]),
    }


def _clear_columns(rng: random.Random, received: datetime.date) -> dict[str, Any]:
    """Status, deadlines and closure as the case services keep them for a case received on that day."""
    from django.utils import timezone

    status = rng.choices([name for name, _share in STATUSES], [share for _name, share in STATUSES])[0]
    ack_due = received + datetime.timedelta(days=9)
    moment = datetime.datetime.combine(received, datetime.time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=datetime.UTC)
    fields: dict[str, Any] = {
        "status": status,
        "received_month": received.replace(day=1),
        "ack_due": ack_due,
        "feedback_due": ack_due + datetime.timedelta(days=92),
    }
    if status not in {"received", "set_aside"}:
        fields["acknowledged_at"] = moment + datetime.timedelta(days=rng.randint(1, 8))
    if status in OPEN:
        fields["next_due"] = TODAY + datetime.timedelta(days=rng.randint(-60, 90))
        fields["next_due_kind"] = (
            "acknowledgement"
            if status == "received"
            else rng.choice(["feedback", "inform_targeted", "measure_review", "prosecutor", "oral_meeting"])
        )
    elif status == "closed":
        closed = min(TODAY, received + datetime.timedelta(days=rng.randint(30, 300)))
        fields |= {"closed_on": closed, "closure_reason": rng.choice(["treated", "no_measure", "unfounded", "moot"])}
        fields |= {"retention_state": "closed", "retention_until": closed + datetime.timedelta(days=61 + 365 * 5)}
        fields |= {"support_decision": "done", "authority_decision": "not_applicable", "feedback_on": closed}
        if rng.random() < CHECKIN_SHARE:  # a check-in against retaliation outlives the closure (R22)
            fields |= {"next_due": TODAY + datetime.timedelta(days=rng.randint(-30, 180)), "next_due_kind": "retaliation_checkin"}
    elif status == "withdrawn":
        fields["withdrawn_on"] = received + datetime.timedelta(days=rng.randint(5, 60))
    elif status == "set_aside" and rng.random() < 0.5:  # the other half: set aside by the flood guard, no date
        fields["set_aside_at"] = timezone.now() - datetime.timedelta(days=rng.randint(1, 300))
    return fields


def _write_batch(world: World, entity: Any, count: int) -> None:
    from django.db import transaction

    from egide.reports.models import Message, Report
    from egide.vault import crypto
    from egide.vault.models import Envelope, Receipt, Wrap

    rng = world.rng
    data_key = crypto.new_key()
    handler = world.handlers[entity.pk]
    escrow = world.escrows[entity.pk]
    per_row = handler.user.pk == world.measured.pk
    handler_box = None if per_row else crypto.wrap(data_key, handler.public_key)
    escrow_box = crypto.wrap(data_key, bytes(escrow.public_key))
    receipt_public, receipt_private = crypto.new_keypair()
    receipt_box = crypto.wrap(data_key, receipt_public)
    protected = crypto.encrypt(crypto.new_key(), receipt_private, context="receipt-key")
    world.sealed_per_batch += 2 + (0 if per_row else 1)
    kdf = crypto.KdfParams.current().label
    online = [rng.random() < 0.7 for _index in range(count)]
    with transaction.atomic():
        receipts = iter(
            Receipt.objects.bulk_create(
                [
                    Receipt(lookup=rng.randbytes(32), kdf=kdf, public_key=receipt_public, protected_private_key=protected)
                    for is_online in online
                    if is_online
                ]
            )
        )
        envelopes = Envelope.objects.bulk_create([Envelope() for _index in range(count)])
        wraps, reports = [], []
        for envelope, is_online in zip(envelopes, online, strict=True):
            receipt = next(receipts) if is_online else None
            sealed = crypto.wrap(data_key, handler.public_key) if per_row else handler_box
            world.sealed_per_row += int(per_row)
            wraps += [
                Wrap(envelope=envelope, kind="handler", user=handler.user, sealed_key=sealed),
                Wrap(envelope=envelope, kind="escrow", escrow=escrow, sealed_key=escrow_box),
            ]
            if receipt is not None:
                wraps.append(Wrap(envelope=envelope, kind="reporter", receipt=receipt, sealed_key=receipt_box))
            world.counter += 1
            # Three years of reports, in pk order as they arrived.
            received = TODAY - datetime.timedelta(days=max(0, 3 * 365 * (CASES - world.counter) // CASES + rng.randint(-5, 5)))
            received_at = datetime.datetime.combine(received, datetime.time(14, 30), tzinfo=datetime.UTC)
            reference = f"{entity.code.upper()}-{received.year}-{_suffix(world.counter)}"
            mode = rng.choices(["anonymous", "confidential", "named"], [50, 30, 20])[0]
            content = _content(rng, received_at, mode)
            reports.append(
                Report(
                    reference=reference,
                    entity=entity,
                    mode=mode,
                    reporter_role=rng.choice(["victim", "victim", "witness", "other"]),
                    population=rng.choice(["student", "student", "doctoral", "staff_contract", "staff_civil_servant"]),
                    categories=",".join(
                        rng.sample(
                            ["sexual_harassment", "sexist_behaviour", "moral_harassment", "discrimination", "threats"],
                            rng.randint(1, 2),
                        )
                    ),
                    channel="online" if is_online else rng.choice(["in_person", "phone", "letter"]),
                    proof_of_work=is_online and rng.random() < 0.95,
                    envelope=envelope,
                    receipt=receipt,
                    content=crypto.encrypt_json(data_key, content, context=f"report:{reference}:content"),
                    submission_digest=hashlib.sha256(f"bench-{world.counter}".encode()).hexdigest(),
                    **_clear_columns(rng, received),
                )
            )
        Wrap.objects.bulk_create(wraps)
        Report.objects.bulk_create(reports)
        messages = []
        for report in reports:
            message = Message(report=report, author="system", created_on=report.ack_due - datetime.timedelta(days=9))
            body = {
                "text": "Votre signalement a été reçu le … sous la référence " + report.reference + ". " + SENTENCES[0] * 6,
                "at": report.received_month.isoformat(),
            }
            message.body = crypto.encrypt_json(data_key, body, context=f"message:{message.uid}:body")
            messages.append(message)
        Message.objects.bulk_create(messages)


def make_cases(world: World, total: int) -> float:
    """`total` more cases, ENTITY_SHARE of them for the measured handler's entity; returns the seconds taken.

    The entities take turns, BATCH cases a round between them, so that each entity's cases are spread over
    the table in pk order as reports arriving over time are."""
    started = time.perf_counter()
    home = next(entity for entity in world.entities if entity.code == ENTITY)
    others = [entity for entity in world.entities if entity.code != ENTITY]
    remaining = {home.pk: int(total * ENTITY_SHARE)}
    rest = total - remaining[home.pk]
    remaining |= {
        entity.pk: rest // len(others) + (1 if index < rest % len(others) else 0) for index, entity in enumerate(others)
    }
    share = {pk: max(1, count * BATCH // total) for pk, count in remaining.items()}
    while any(remaining.values()):
        for entity in world.entities:
            count = min(share[entity.pk], remaining[entity.pk])
            if count:
                _write_batch(world, entity, count)
                remaining[entity.pk] -= count
    world.home_count += int(total * ENTITY_SHARE)
    _analyze()
    return time.perf_counter() - started


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# --- The case with 200 events -------------------------------------------------------------------------

TEXT_KEYS: dict[str, list[str]] = {
    "acknowledgement": ["text", "how"],
    "listening": ["transcript", "summary"],
    "support_orientation": ["details"],
    "authority_orientation": ["details", "recipient", "documents_sent"],
    "qualification": ["comment"],
    "prosecutor": ["justification"],
    "protective_measure": ["measures", "justification"],
    "measure_review": ["comment"],
    "protection_request": ["measures_requested"],
    "protection_decision": ["reasons", "decided_by"],
    "investigation_opened": ["scope", "justification"],
    "commission": ["mandate"],
    "interview": ["person", "transcript"],
    "investigation_report": ["findings", "conclusions"],
    "decision": ["reasons"],
    "disciplinary_referral": ["facts", "authority"],
    "feedback": ["measures", "reasons"],
    "person_informed": ["how"],
    "information_deferred": ["reason"],
    "legal_hold": ["comment"],
    "checkin": ["summary"],
    "note": ["text"],
}
# Weights: a long case is mostly notes, interviews and listening, with the procedure's steps in between.
EVENT_WEIGHTS = {"note": 60, "interview": 40, "listening": 15, "measure_review": 12, "protective_measure": 8}
INVESTIGATION_KINDS = {"investigation_opened", "commission", "interview", "investigation_report"}


@dataclass
class References:
    resources: list[int]
    offences: list[str]
    measures: list[str]
    investigators: list[int]


def _references() -> References:
    from egide.cases.models import MeasureType
    from egide.kb.models import Investigator, Offence, SupportResource

    return References(
        resources=list(SupportResource.objects.values_list("pk", flat=True)[:5]),
        offences=list(Offence.objects.values_list("code", flat=True)[:6]),
        measures=list(MeasureType.objects.values_list("code", flat=True)[:5]),
        investigators=list(Investigator.objects.values_list("pk", flat=True)[:4]),
    )


def _codes(kind: str, on: datetime.date, refs: References, targeted: str, rng: random.Random) -> dict[str, Any]:
    later = (on + datetime.timedelta(days=90)).isoformat()
    table: dict[str, dict[str, Any]] = {
        "support_orientation": {"decision": "done", **({"resource": rng.choice(refs.resources)} if refs.resources else {})},
        "authority_orientation": {"decision": "done", "authority": "head"},
        "qualification": {"offences": refs.offences[:2], "table_version": "2026-01-01"},
        "prosecutor": {"decision": "transmit"},
        "protective_measure": {
            **({"measure": rng.choice(refs.measures)} if refs.measures else {}),
            "start": on.isoformat(),
            "end": later,
            "review": (on + datetime.timedelta(days=30)).isoformat(),
        },
        "measure_review": {"decision": "continue", "review": later},
        "protection_decision": {"decision": "granted"},
        "commission": {"investigators": refs.investigators[:2], "mixed": True},
        "decision": {"outcome": "established"},
        "disciplinary_referral": {"path": "staff"},
        "person_informed": {"person": targeted},
        "information_deferred": {"person": targeted},
        "legal_hold": {"hold": "disciplinary"},
        "listening": {"consent": rng.choice(["yes", "no"])},
        "feedback": {"means": "mailbox"},
    }
    return table.get(kind, {})


def _text(rng: random.Random, low: int, high: int) -> str:
    target, parts = rng.randint(low, high), list[str]()
    while sum(len(part) for part in parts) < target:
        parts.append(rng.choice(SENTENCES))
    return " ".join(parts)


def make_big_case(world: World) -> str:
    """The case of (c), held by the measured handler; returns its reference."""
    from django.db import transaction

    from egide.cases.models import CaseDocument, CaseEvent, CasePerson, CaseTask
    from egide.core.models import StatutoryDelay
    from egide.reports.models import Attachment, Message, Report
    from egide.vault import crypto
    from egide.vault.models import Envelope, Receipt, Wrap

    rng = random.Random(200)
    refs = _references()
    home = next(entity for entity in world.entities if entity.code == ENTITY)
    handlers = [world.measured, world.colleague]
    data_key = crypto.new_key()
    received = TODAY - datetime.timedelta(days=320)
    received_at = datetime.datetime.combine(received, datetime.time(9, 12), tzinfo=datetime.UTC)
    reference = f"{ENTITY.upper()}-{received.year}-C200EV"
    public, private = crypto.new_keypair()
    with transaction.atomic():
        receipt = Receipt.objects.create(
            lookup=rng.randbytes(32),
            kdf=crypto.KdfParams.current().label,
            public_key=public,
            protected_private_key=crypto.encrypt(crypto.new_key(), private, context="receipt-key"),
        )
        envelope = Envelope.objects.create()
        Wrap.objects.bulk_create(
            [
                Wrap(envelope=envelope, kind="handler", user=user, sealed_key=crypto.wrap(data_key, user.vault_key.public_key))
                for user in handlers
            ]
            + [
                Wrap(
                    envelope=envelope,
                    kind="escrow",
                    escrow=world.escrows[home.pk],
                    sealed_key=crypto.wrap(data_key, world.escrows[home.pk].public_key),
                ),
                Wrap(envelope=envelope, kind="reporter", receipt=receipt, sealed_key=crypto.wrap(data_key, public)),
            ]
        )
        fields = _clear_columns(random.Random(1), received) | {
            "status": "investigation",
            "acknowledged_at": received_at + datetime.timedelta(days=2),
            "next_due": TODAY + datetime.timedelta(days=3),
            "next_due_kind": "measure_review",
            "support_decision": "done",
            "authority_decision": "done",
        }
        for key in ("closed_on", "closure_reason", "retention_until", "withdrawn_on", "set_aside_at"):
            fields.pop(key, None)
        fields["retention_state"] = "active"
        report = Report.objects.create(
            reference=reference,
            entity=home,
            mode="named",
            reporter_role="victim",
            population="student",
            categories="sexual_harassment,sexist_behaviour",
            envelope=envelope,
            receipt=receipt,
            content=crypto.encrypt_json(data_key, _content(rng, received_at, "named"), context=f"report:{reference}:content"),
            submission_digest=hashlib.sha256(b"bench-big-case").hexdigest(),
            proof_of_work=True,
            **fields,
        )
        persons = [
            CasePerson(report=report, role=role, added_on=received + datetime.timedelta(days=index * 10))
            for index, role in enumerate(["victim", "targeted", "witness", "witness"])
        ]
        for person in persons:
            identity = {
                "name": rng.choice(["Camille Martin", "Paul Dupont", "Inès Benali", "Jules Moreau"]),
                "contact": "06 12 34 56 78",
                "notes": _text(rng, 80, 300),
            }
            person.identity = crypto.encrypt_json(data_key, identity, context=f"case-person:{person.uid}")
        CasePerson.objects.bulk_create(persons)
        targeted = str(persons[1].uid)
        others = [kind for kind in TEXT_KEYS if kind not in EVENT_WEIGHTS and kind != "acknowledgement"]
        kinds = [
            "acknowledgement",
            *rng.choices([*EVENT_WEIGHTS, *others], [*EVENT_WEIGHTS.values(), *[2] * len(others)], k=EVENTS - 1),
        ]
        events = []
        for index, kind in enumerate(kinds):
            on = received + datetime.timedelta(days=2 + index * 300 // EVENTS)
            event = CaseEvent(
                report=report,
                kind=kind,
                part="investigation" if kind in INVESTIGATION_KINDS else "case",
                on=on,
                actor=rng.choice(handlers),
                codes=_codes(kind, on, refs, targeted, rng),
            )
            payload: dict[str, Any] = {key: _text(rng, 150, 900) for key in TEXT_KEYS[kind]}
            payload["at"] = datetime.datetime.combine(on, datetime.time(10, 0), tzinfo=datetime.UTC).isoformat()
            event.payload = crypto.encrypt_json(data_key, payload, context=f"case-event:{event.uid}")
            events.append(event)
        CaseEvent.objects.bulk_create(events)
        delay = StatutoryDelay.objects.filter(code="inform-targeted").first()
        CaseTask.objects.bulk_create(
            [
                CaseTask(
                    report=report, kind="inform_targeted", delay=delay, due=TODAY + datetime.timedelta(days=12), person=persons[1]
                ),
                CaseTask(report=report, kind="measure_review", due=TODAY + datetime.timedelta(days=3)),
                CaseTask(report=report, kind="protection_decision", due=TODAY - datetime.timedelta(days=2)),
                CaseTask(report=report, kind="oral_meeting", due=received + datetime.timedelta(days=20), done_on=received),
                CaseTask(report=report, kind="prosecutor", due=received + datetime.timedelta(days=40), done_on=received),
            ]
        )
        documents = []
        for kind in ("convocation", "minutes", "minutes", "commission", "investigation_decision"):
            document = CaseDocument(
                report=report,
                kind=kind,
                part="investigation",
                language="fr",
                created_on=received + datetime.timedelta(days=100),
                created_by=world.measured,
                size=0,
            )
            docx = rng.randbytes(rng.randint(25_000, 60_000))  # a DOCX is a zip: incompressible, like its ciphertext
            document.size = len(docx)
            document.content = crypto.encrypt(data_key, docx, context=f"case-document:{document.uid}")
            documents.append(document)
        CaseDocument.objects.bulk_create(documents)
        messages = []
        for index in range(MESSAGES):
            author = "system" if index == 0 else ("reporter" if index % 2 else "handler")
            at = received_at + datetime.timedelta(days=index * 15, hours=index)
            message = Message(
                report=report, author=author, handler=rng.choice(handlers) if author == "handler" else None, created_on=at.date()
            )
            body = {"text": _text(rng, 200, 1200), "at": at.isoformat()}
            message.body = crypto.encrypt_json(data_key, body, context=f"message:{message.uid}:body")
            messages.append(message)
        messages = Message.objects.bulk_create(messages)
        attachments = []
        for message, name in ((messages[1], "captures-ecran.pdf"), (messages[3], "message-vocal.mp3")):
            blob = f"vault/{uuid.uuid4().hex}"
            meta = {"name": name, "type": "application/pdf", "removed": ["author"], "kept": []}
            attachments.append(
                Attachment(
                    report=report,
                    message=message,
                    author="reporter",
                    blob=blob,
                    size=180_000,
                    meta=crypto.encrypt_json(data_key, meta, context=f"attachment-meta:{blob}"),
                )
            )
        Attachment.objects.bulk_create(attachments)
    _analyze()
    return reference


# --- Measuring --------------------------------------------------------------------------------------


def handler_client(user: Any) -> Any:
    """Signed in, second factor verified, personal key unlocked in the session (as tests/reports/conftest.py)."""
    from django.test import Client
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = client.post(reverse("cases:key_unlock"), {"secret": UNLOCK_WORDS})
    if response.status_code != 302:
        raise RuntimeError(f"unlocking the handler's key answered {response.status_code}")
    return client


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


@dataclass
class Figures:
    label: str
    status: int
    median: float = 0.0
    p95: float = 0.0
    cpu: float = 0.0  # median CPU time of this process (with SQLite, the queries' too)
    db_cpu: float | None = None  # PostgreSQL: mean CPU time of the connection's server process a request
    queries: int = 0
    sql_ms: float = 0.0
    size: int = 0
    repeated: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.p95 < PAGE_TARGET_MS


def measure(label: str, client: Any, path: str) -> Figures:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    if response.status_code != 200:
        return Figures(label, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    # Read now: the captured list is a slice of the connection's log, which later requests reset.
    shapes = Counter(_LITERALS.sub("?", query["sql"]) for query in captured.captured_queries)
    repeated = [(count, shape) for shape, count in shapes.most_common() if count >= 3]
    sql_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    figures = Figures(label, 200, queries=len(captured), sql_ms=sql_ms, size=len(response.content), repeated=repeated)
    for _index in range(WARM_UP):
        client.get(path)
    durations, cpu = [], []
    backend = _backend_cpu()
    for _index in range(REQUESTS):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        durations.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    figures.median, figures.p95, figures.cpu = statistics.median(durations), percentile(durations, 0.95), statistics.median(cpu)
    if backend is not None:
        figures.db_cpu = ((_backend_cpu() or 0.0) - backend) * 1000 / REQUESTS
    return figures


def _backend_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL process serving this connection (a local server), else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _private_key(user: Any) -> bytes:
    from egide.vault.models import HandlerKey
    from egide.vault.services import handler_key_unlock

    return handler_key_unlock(key=HandlerKey.objects.get(user=user), secret=UNLOCK_WORDS)


def page_costs(world: World) -> tuple[float, float]:
    """What the inbox's first page costs outside SQL, timed outside the view (median of 20 rounds, ms):
    unwrapping the 50 data keys and decrypting the 50 contents; deadline_status() of the 50 rows."""
    from django.db.models import F, Q

    from egide.cases.access import cases_for_user
    from egide.cases.views import INBOX_PAGE, OPEN_STATUSES
    from egide.core.deadlines import deadline_status
    from egide.reports.services import decrypt_content
    from egide.vault import crypto
    from egide.vault.models import Wrap

    user = world.measured
    private = _private_key(user)
    in_hand = Q(status__in=OPEN_STATUSES) | Q(next_due__isnull=False)
    page = list(cases_for_user(user).filter(in_hand).order_by(F("next_due").asc(nulls_last=True), "pk")[:INBOX_PAGE])
    wraps = {
        wrap.envelope_id: bytes(wrap.sealed_key)
        for wrap in Wrap.objects.filter(envelope_id__in=[report.envelope_id for report in page], user=user, kind="handler")
    }
    decrypting, deadlines = [], []
    for _round in range(20):
        started = time.perf_counter()
        for report in page:
            decrypt_content(crypto.unwrap(wraps[report.envelope_id], private), report)
        decrypting.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for report in page:
            if report.next_due:
                deadline_status(report.next_due)
        deadlines.append((time.perf_counter() - started) * 1000)
    return statistics.median(decrypting), statistics.median(deadlines)


def case_costs(world: World, reference: str) -> tuple[float, float]:
    """The case page's timeline outside the view (median of 20 rounds, ms): timeline() whole (the events'
    query, decryption, labels and facts), and the decryption of the events' payloads alone."""
    from egide.cases import timeline
    from egide.cases.services import open_event
    from egide.reports.models import Report
    from egide.vault.services import envelope_open_for_user

    report = Report.objects.get(reference=reference)
    data_key = envelope_open_for_user(
        envelope_id=report.envelope_id, user=world.measured, private_key=_private_key(world.measured)
    )
    events = list(report.events.all())
    whole, decrypting = [], []
    for _round in range(20):
        started = time.perf_counter()
        timeline.timeline(report, data_key, scope="full", persons={})
        whole.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for event in events:
            open_event(data_key, event)
        decrypting.append((time.perf_counter() - started) * 1000)
    return statistics.median(whole), statistics.median(decrypting)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_figures(figures: Figures) -> None:
    if figures.status != 200:
        print(f"      {figures.label}: HTTP {figures.status}, not measured  FAIL")
        return
    database = "" if figures.db_cpu is None else f", PostgreSQL's process: mean {figures.db_cpu:.1f} ms"
    print(
        f"      {figures.label}: median {figures.median:.1f} ms, p95 {figures.p95:.1f} ms (CPU of this process: median "
        f"{figures.cpu:.1f} ms{database}), {figures.queries} queries ({figures.sql_ms:.1f} ms in SQL), "
        f"{figures.size / 1024:.0f} KB  [p95 < {PAGE_TARGET_MS:.0f} ms: {_verdict(figures.ok)}]"
    )
    for count, shape in figures.repeated:
        print(f"        same query {count}x: {shape[:140]}")


def measure_inbox(world: World, client: Any) -> list[Figures]:
    from django.db.models import Q
    from django.urls import reverse

    from egide.reports.models import Report

    path = reverse("cases:inbox")
    scale = f"{world.home_count:,} cases"
    home = Report.objects.filter(entity__code=ENTITY)
    in_hand = home.filter(Q(status__in=OPEN) | Q(next_due__isnull=False)).count()
    print(
        f"  (b) inbox with {world.home_count:,} cases in {ENTITY} ({in_hand:,} in the open view, {Report.objects.count():,} "
        f"in the database):"
    )
    results = [
        measure(f"open, page 1 [{scale}]", client, path),
        measure(f"open, page {LATER_PAGE} [{scale}]", client, f"{path}?page={LATER_PAGE}"),
        measure(f"view=other, page 1 [{scale}]", client, f"{path}?view=other"),
    ]
    for figures in results:
        print_figures(figures)
    decrypting, deadlines = page_costs(world)
    print(
        f"      open page 1, timed outside the view: unwrapping 50 data keys and decrypting 50 contents {decrypting:.1f} ms; "
        f"deadline_status() of the 50 rows {deadlines:.1f} ms"
    )
    return results


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="egide-bench-") as data_dir:
        engine = setup(data_dir)
        import django
        from django.db import connections
        from django.urls import reverse

        print(f"Égide cases benchmark — {engine}")
        print(
            f"  {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, Django {django.get_version()}; "
            f"load average {os.getloadavg()[0]:.1f}; {WARM_UP} warm-up then {REQUESTS} timed requests a page, "
            f"time around django.test.Client().get()"
        )
        world = make_world()
        client = handler_client(world.measured)
        seconds = make_cases(world, SMALL_CASES)
        print(f"  (a) {SMALL_CASES:,} cases written in {seconds:.1f} s ({SMALL_CASES / seconds:,.0f}/s)")
        small = measure_inbox(world, client)
        more = CASES - SMALL_CASES
        seconds_more = make_cases(world, more)
        print(
            f"  (a) {more:,} more cases written in {seconds_more:.1f} s ({more / seconds_more:,.0f}/s): {CASES:,} in "
            f"{seconds + seconds_more:.1f} s; wraps sealed one by one {world.sealed_per_row:,}, once per batch "
            f"{world.sealed_per_batch:,}"
        )
        large = measure_inbox(world, client)
        counts = [figures.queries for figures in small[:2] + large[:2]]
        bounded = len(set(counts)) == 1 and small[2].queries == large[2].queries
        print(
            f"      queries, open page 1 / page {LATER_PAGE}: {small[0].queries} / {small[1].queries} with "
            f"{SMALL_CASES * ENTITY_SHARE:,.0f} cases, {large[0].queries} / {large[1].queries} with {world.home_count:,}; "
            f"view=other {small[2].queries} / {large[2].queries}  "
            f"[the same whatever the page and the number of cases: {_verdict(bounded)}]"
        )
        reference = make_big_case(world)
        from egide.cases.models import CaseEvent

        events = CaseEvent.objects.filter(report__reference=reference).count()
        print(f"  (c) case page of {reference}: {events} events, 4 persons, 3 open tasks, 5 documents, {MESSAGES} messages:")
        case = measure("case page", client, reverse("cases:report", args=[reference]))
        print_figures(case)
        whole, decrypting = case_costs(world, reference)
        print(
            f"      timed outside the view: timeline() of the {events} events {whole:.1f} ms, of which decrypting their "
            f"payloads {decrypting:.1f} ms"
        )
        verdicts = [figures.ok for figures in [*small, *large, case]] + [bounded]
        print(f"  RESULT: {'all targets met' if all(verdicts) else 'targets missed (see FAIL above)'}")
        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
