"""Égide benchmark: import of 20,000 people, then server time and query count of the busiest pages.

Run it with `.venv/bin/python bench/run.py` (or `make bench`). It is a measurement, not a test: it always
exits 0 and prints a table with PASS/FAIL against the targets (import under 20 s; p95 under 50 ms a page).

Database: by default a throwaway SQLite database in a temporary folder (EGIDE_DATA_DIR points there, so
nothing in ./var is touched). With DATABASE_URL set (PostgreSQL), it runs on a database named egide_bench
on that server instead, which it drops and creates anew at each run: never point it at a database you keep.

What is measured, on this machine:
  (a) import_people() of a generated CSV of 20,000 people (all entities, scope "all"), then the re-import of
      the same file (the idempotent path: every row unchanged);
  (b) median and p95 of the time around django.test.Client().get() — the whole Django stack without the
      network — over 200 requests after 20 warm-up ones, for the public home page and an entity
      administrator's people list (page 1, page 50, a search);
  (c) the number of SQL queries of each of those pages.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEOPLE = 20_000
WARM_UP = 20
REQUESTS = 200
PAGE_TARGET_MS = 50.0
IMPORT_TARGET_S = 20.0
BENCH_DATABASE = "egide_bench"
ADMIN_ENTITY = "telecom-paris"
# Télécom Paris gets a fifth of the people (4,000: 80 pages of 50), so that its page 50 exists.
ADMIN_ENTITY_SHARE = 0.2
ENTITIES = [
    "dg",
    "imt-atlantique",
    "imt-mines-ales",
    "imt-mines-albi",
    "imt-nord-europe",
    "mines-saint-etienne",
    "telecom-paris",
    "telecom-sudparis",
    "imt-bs",
]
POPULATIONS = ["student", "doctoral", "staff_civil_servant", "staff_contract", "intern", "apprentice", "contractor", "external"]
POPULATION_WEIGHTS = [60, 6, 8, 10, 6, 4, 3, 3]
FIRST_NAMES = [
    "Camille",
    "Léa",
    "Chloé",
    "Manon",
    "Inès",
    "Jade",
    "Louise",
    "Emma",
    "Lucas",
    "Hugo",
    "Louis",
    "Gabriel",
    "Arthur",
    "Jules",
    "Nathan",
    "Yanis",
    "Sofia",
    "Amir",
    "Mei",
    "Oluwaseun",
    "Anaïs",
    "Zoé",
    "Théo",
    "Noé",
    "Élodie",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Nguyen",
    "Benali",
    "Diallo",
    "Da Silva",
    "O'Brien",
    "Kowalski",
]
SEARCH = "martin"


def _bench_database_url(url: str) -> str:
    """The same server as DATABASE_URL, database egide_bench, dropped and created anew."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit(f"bench/run.py runs on SQLite (no DATABASE_URL) or PostgreSQL, not {parts.scheme}.")
    bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    maintenance_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DATABASE)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))
    return bench_url


def setup_django(data_dir: str) -> str:
    """Point Égide at a throwaway data folder (and database) before Django reads its settings."""
    os.environ["EGIDE_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egide.settings")
    os.environ.pop("EGIDE_ENV", None)  # never production settings here
    url = os.environ.get("DATABASE_URL")
    if url:
        os.environ["DATABASE_URL"] = _bench_database_url(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # Fast hashing for the set-up of the administrator's account only; it does not enter any timing.
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


def people_csv(count: int) -> bytes:
    rng = random.Random(20240901)
    others = [code for code in ENTITIES if code != ADMIN_ENTITY]
    lines = ["external_id,last_name,first_name,email,population,entity,language"]
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        entity = ADMIN_ENTITY if rng.random() < ADMIN_ENTITY_SHARE else rng.choice(others)
        population = rng.choices(POPULATIONS, POPULATION_WEIGHTS)[0]
        local = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode("ascii")
        local = local.replace(" ", "-").replace("'", "")
        email = f"{local}.{index}@example.org"
        language = "en" if rng.random() < 0.15 else "fr"
        last_cell = f'"{last}"' if "," in last else last
        lines.append(f"B{index:06d},{last_cell},{first},{email},{population},{entity},{language}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass
class Row:
    name: str
    median: str
    p95: str
    target: str
    result: str
    queries: str = ""


def timed_import(label: str, content: bytes, expect: Callable[[Any], bool]) -> tuple[Row, bool]:
    from egide.org.imports import import_people

    try:
        started = time.perf_counter()
        report = import_people(actor=None, content=content, scope="all", dry_run=False)
        elapsed = time.perf_counter() - started
    except Exception:
        traceback.print_exc()
        return Row(label, "error", "", f"< {IMPORT_TARGET_S:.0f} s", "ERROR"), False
    summary = (
        f"rows={report.rows} created={report.created} updated={report.updated} unchanged={report.unchanged} "
        f"errors={len(report.errors)}"
    )
    print(f"  {label}: {elapsed:.2f} s — {summary}")
    for error in report.errors[:5]:
        print(f"    line {error.line} {error.column}: {error.message}")
    correct = report.ok and report.applied and expect(report)
    result = ("PASS" if elapsed < IMPORT_TARGET_S else "FAIL") if correct else "WRONG"
    return Row(label, f"{elapsed:.2f} s", "", f"< {IMPORT_TARGET_S:.0f} s", result), correct


def seed_people_directly(content: bytes) -> None:
    """If the import service fails, the pages are still measured on 20,000 people written with bulk_create."""
    import csv
    import io

    from egide.org.models import Entity, Person

    entity_ids = dict(Entity.objects.values_list("code", "pk"))
    rows = csv.DictReader(io.StringIO(content.decode("utf-8")))
    Person.objects.bulk_create(
        [
            Person(
                external_id=row["external_id"],
                last_name=row["last_name"],
                first_name=row["first_name"],
                email=row["email"],
                population=row["population"],
                entity_id=entity_ids[row["entity"]],
                language=row["language"],
            )
            for row in rows
        ],
        batch_size=1000,
    )


def admin_client() -> Any:
    """An entity administrator of Télécom Paris, signed in with a verified second factor (as tests/conftest.py)."""
    import datetime

    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from egide.org.models import Entity, Person, Population, RoleGrant, User

    entity = Entity.objects.get(code=ADMIN_ENTITY)
    person = Person.objects.create(
        first_name="Alice",
        last_name="Bench",
        email="alice.bench@example.org",
        population=Population.STAFF_CONTRACT,
        entity=entity,
    )
    RoleGrant.objects.create(person=person, role="entity_admin", entity=entity, valid_from=datetime.date(2024, 1, 1))
    user = User.objects.create_user("alice.bench@example.org", "correct horse battery staple bench", person=person)
    client = Client()
    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def measure_page(name: str, client: Any, path: str) -> Row:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    target = f"p95 < {PAGE_TARGET_MS:.0f} ms"
    response = client.get(path)
    if response.status_code != 200:
        print(f"  {name}: GET {path} answered {response.status_code}, not 200: not measured")
        return Row(name, "-", "-", target, f"HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    # Read now: the captured list is a slice of the connection's log, which later requests reset.
    queries = len(captured)
    for _ in range(WARM_UP):
        client.get(path)
    durations = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(path)
        durations.append((time.perf_counter() - started) * 1000)
    median = statistics.median(durations)
    p95 = statistics.quantiles(durations, n=100, method="inclusive")[94]
    print(f"  {name}: GET {path} — {len(response.content):,} bytes, {queries} queries")
    return Row(name, f"{median:.1f} ms", f"{p95:.1f} ms", target, "PASS" if p95 < PAGE_TARGET_MS else "FAIL", str(queries))


def print_table(rows: list[Row]) -> None:
    header = Row("measure", "median", "p95", "target", "result", "queries")
    columns = ("name", "median", "p95", "target", "result", "queries")
    widths = [max(len(getattr(row, column)) for row in [header, *rows]) for column in columns]

    def line(row: Row) -> str:
        cells = [row.name, row.median, row.p95, row.target, row.result, row.queries]
        return "  ".join(
            cell.ljust(width) if index in (0, 3, 4) else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(header))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="egide-bench-") as data_dir:
        database = setup_django(data_dir)
        import django

        print("Égide benchmark")
        print(
            f"  machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {platform.machine()}, "
            f"{platform.system()} {platform.release()}"
        )
        print(f"  Python {platform.python_version()}, Django {django.get_version()}, database: {database}")
        print(f"  pages: {WARM_UP} warm-up then {REQUESTS} timed requests each, time around django.test.Client().get()")
        print()

        content = people_csv(PEOPLE)
        print(f"Import of {PEOPLE:,} people ({len(content) / 1024:.0f} KiB of CSV):")
        rows: list[Row] = []
        first, imported = timed_import(f"import {PEOPLE:,} people", content, lambda report: report.created == PEOPLE)
        rows.append(first)
        if imported:
            again, _ok = timed_import("re-import, same file", content, lambda report: report.unchanged == PEOPLE)
            rows.append(again)
        else:
            print("  the import failed: people written with bulk_create instead, so that the pages are still measured")
            from egide.org.models import Person

            Person.objects.all().delete()
            seed_people_directly(content)

        from django.test import Client

        from egide.org.models import Person

        print()
        print(
            f"Pages ({Person.objects.count():,} people, {Person.objects.filter(entity__code=ADMIN_ENTITY).count():,} "
            f"in {ADMIN_ENTITY}):"
        )
        admin = admin_client()
        rows.append(measure_page("home /fr/ (anonymous)", Client(), "/fr/"))
        rows.append(measure_page("people list, page 1", admin, "/fr/staff/org/people/"))
        rows.append(measure_page("people list, page 50", admin, "/fr/staff/org/people/?page=50"))
        rows.append(measure_page(f"people search ?q={SEARCH}", admin, f"/fr/staff/org/people/?q={SEARCH}"))

        print()
        print_table(rows)
        failed = [row.name for row in rows if row.result != "PASS"]
        print()
        print("RESULT: all targets met" if not failed else f"RESULT: targets missed: {', '.join(failed)}")

        from django.db import connections

        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
