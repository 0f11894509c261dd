"""Reports filed at the same moment for one entity: each is stored once with its own reference,
and the audit chain and the flood counter stay whole (row locks on PostgreSQL, IMMEDIATE
transactions on SQLite)."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client

from egide.core.audit import verify_chain
from egide.core.models import AuditEvent, ThrottleCounter
from egide.core.throttle import _key as throttle_key
from egide.org.models import Entity
from egide.org.roles import Role
from egide.reports.models import Report
from tests.conftest import SCHOOL_A, load_migrated_reference_data, make_user
from tests.reports.conftest import give_key, submit

SUBMITTERS = 8


@dataclass
class Outcome:
    status: int = 0
    references: tuple[str, ...] = ()
    error: str = ""
    database: str = ""


@pytest.fixture
def database_on_disk(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite, the test database is in memory with a shared cache, where a writer waiting for another gets
    "database table is locked" at once (table locks ignore the busy timeout): nothing like the WAL file of
    production. For this test, every connection uses a copy of it on disk, with the project's options
    (IMMEDIATE transactions, 20 s timeout, WAL)."""
    memory = connections["default"]
    if memory.vendor != "sqlite" or not memory.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    memory.ensure_connection()
    on_disk = sqlite3.connect(tmp_path / "egide.sqlite3")
    memory.connection.backup(on_disk)
    on_disk.close()
    original = connections.settings["default"]
    connections.settings["default"] = {**original, "NAME": str(tmp_path / "egide.sqlite3")}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = memory
        connections.settings["default"] = original


@pytest.fixture
def entity(database_on_disk: None) -> Entity:
    """School A, with a keyed référent. A transactional test ends with a flush that empties every table,
    the entities of the data migration included: load them again first (as tests/browser does)."""
    load_migrated_reference_data()
    school = Entity.objects.get(code=SCHOOL_A)
    give_key(make_user("rachel.referent@example.org", school, (Role.REFERENT_ECOUTE, school)))
    return school


def _submit_at_once(entity: Entity, count: int) -> list[Outcome]:
    barrier = threading.Barrier(count)
    outcomes = [Outcome() for _index in range(count)]
    pattern = re.compile(rf"{re.escape(entity.code.upper())}-\d{{4}}-[0-9A-Z]{{6}}")

    def run(index: int) -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            response = submit(client, entity, submission_token=f"token-{index:02d}-" + "c" * 30)
            outcomes[index].status = response.status_code
            outcomes[index].references = tuple(sorted(set(pattern.findall(response.content.decode()))))
        except Exception as error:  # reported by the test, with the thread it came from
            outcomes[index].error = f"{type(error).__name__}: {error}"
        finally:
            outcomes[index].database = str(connection.settings_dict["NAME"])
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    assert {outcome.database for outcome in outcomes} == {str(connection.settings_dict["NAME"])}
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_simultaneous_reports_get_distinct_references(entity: Entity) -> None:
    outcomes = _submit_at_once(entity, SUBMITTERS)

    assert [outcome.error for outcome in outcomes] == [""] * SUBMITTERS
    assert [outcome.status for outcome in outcomes] == [200] * SUBMITTERS
    assert all(len(outcome.references) == 1 for outcome in outcomes), [outcome.references for outcome in outcomes]
    shown = {outcome.references[0] for outcome in outcomes}
    assert len(shown) == SUBMITTERS
    assert set(Report.objects.values_list("reference", flat=True)) == shown


@pytest.mark.django_db(transaction=True)
def test_simultaneous_reports_keep_the_audit_chain_and_the_flood_count(entity: Entity) -> None:
    outcomes = _submit_at_once(entity, SUBMITTERS)

    assert [outcome.error for outcome in outcomes] == [""] * SUBMITTERS
    assert Report.objects.count() == SUBMITTERS
    assert AuditEvent.objects.filter(action="report.received").count() == SUBMITTERS
    chain = verify_chain()
    assert chain.ok, chain.problem
    counter = ThrottleCounter.objects.get(key=throttle_key("report-flood", str(entity.pk)))
    assert counter.failures == SUBMITTERS
