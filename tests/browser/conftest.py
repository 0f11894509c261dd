"""Browser tests: a real Chromium (Debian's, never a downloaded build) driven by Playwright against
pytest-django's live server.

Without /usr/bin/chromium the tests are skipped with a visible reason, except in CI (CI set), where a
missing browser is an error: a green CI must not hide that these tests did not run.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import load_migrated_reference_data

# Playwright's sync API runs an asyncio loop in this thread, so Django believes every query made by the
# test itself comes from an async context and raises SynchronousOnlyOperation. Setting this variable is the
# documented approach for pytest-django with Playwright's sync API. It is set only while Playwright runs
# (see playwright_instance): left in os.environ it would reach the subprocesses of other tests (for
# example `manage.py check --deploy`, which rightly refuses it).
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

SKIP_REASON = "Chromium not installed: browser tests skipped"
HERE = Path(__file__).resolve().parent

# The phone session fixtures of the home page tests serve every browser test of this folder.
from tests.browser.test_home import neutral_exit, open_session  # noqa: E402, F401


def _in_this_folder(item: pytest.Item) -> bool:
    return HERE in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here is a browser test, and a transactional one (the live server answers from another thread)."""
    for item in items:
        if _in_this_folder(item):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(autouse=True)
def _imt_entities(transactional_db: None) -> None:
    """The data of the data migrations (the nine IMT entities, the help pages' reference data), at the start of
    every test: a transactional test ends with a flush that empties every table, the migrated data included.
    (serialized_rollback would restore them, but fails with IntegrityError on content types whenever another
    transactional test has flushed before.)"""
    load_migrated_reference_data()
    # The help pages' reference data and the assistant's questions come from data migrations too.
    from egide.kb.articles import load_shipped
    from egide.kb.models import Article, AssistantQuestion, Offence

    if not Offence.objects.exists():
        importlib.import_module("egide.kb.migrations.0002_reference_data").load(apps, None)
    if not AssistantQuestion.objects.exists():
        importlib.import_module("egide.kb.migrations.0004_assistant_tree").load(apps, None)
    if not Article.objects.exists():
        load_shipped()  # indexed as they are saved
        importlib.import_module("egide.kb.migrations.0013_assistant_sheets").load(apps, None)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        skipped = [report for report in terminalreporter.stats.get("skipped", []) if SKIP_REASON in str(report.longrepr)]
        if skipped:
            terminalreporter.write_line(
                f"NOTE: {SKIP_REASON} ({len(skipped)} tests); install Debian's chromium package.", yellow=True, bold=True
            )


@contextmanager
def _async_unsafe_allowed() -> Iterator[None]:
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[ASYNC_UNSAFE]
        else:
            os.environ[ASYNC_UNSAFE] = previous


# Scope: one Playwright and one browser for all the tests of this folder, closed once they are done
# ("package" rather than "session": pytest-django runs them together, and a Playwright left running would
# keep an asyncio loop in the main thread for the tests that come after them).
@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: install Debian's chromium package (make browser-deps).", pytrace=False)
        pytest.skip(SKIP_REASON)
    with _async_unsafe_allowed(), sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
