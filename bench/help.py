"""Égide benchmark of the help section: search over 5,000 articles, and what the help page weighs.

Run it with `.venv/bin/python bench/help.py` (`make bench` runs it too). It is a measurement, not a
test: it always exits 0 and prints its figures with PASS/FAIL against the targets. `--search-only`
runs (a) and (b) alone, without Chromium.

Database: a throwaway SQLite database in a temporary folder by default; with DATABASE_URL set
(PostgreSQL), a database named egide_bench_help on that server, dropped and created at each run.

What is measured, on this machine:
  (a) indexing: 5,000 articles in French and English (10,000 documents) written from the sentences of
      the shipped articles, so the vocabulary is the real one: each takes 30 sentences of one shipped
      article (its topic) and 10 of any other, shuffled; time of the full reindex;
  (b) search: the 49 queries of tests/kb/search_queries.tsv (typos, slang, questions), each run 10
      times after one warm-up pass; median and p95 of egide.kb.search.search() (normalisation, typo
      correction, the database's full-text query, excerpts and highlighting) — target p95 < 20 ms;
  (c) the public help page (/fr/aide/ and /en/help/) loaded by Chromium from gunicorn: every request,
      its bytes on the wire (headers and body, as served without compression here) and whether it
      left 127.0.0.1 — targets: under 100 KB in total, zero third-party requests. The gzip size of
      the same resources is printed too (what nginx or whitenoise's compressed files send).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARTICLES = 5_000
REPEAT = 10
SEARCH_TARGET_MS = 20.0
TRANSFER_TARGET_KB = 100.0
BENCH_DATABASE = "egide_bench_help"


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


def make_articles() -> float:
    """5,000 articles from shuffled sentences of the shipped ones; returns the reindex time in seconds."""
    import datetime
    import re

    from django.utils import timezone

    from egide.kb import search
    from egide.kb.models import Article

    rng = random.Random(2026)
    shipped = list(Article.objects.all())

    def sentences(article: Article, language: str) -> list[str]:
        body = getattr(article, f"body_{language}")
        return [sentence for sentence in re.split(r"(?<=[.!?])\s+", body) if len(sentence) > 30]

    topics = {(article.pk, language): sentences(article, language) for article in shipped for language in ("fr", "en")}
    everything = {
        language: [s for (_pk, lang), items in topics.items() if lang == language for s in items] for language in ("fr", "en")
    }
    now = timezone.now()
    rows = []
    for index in range(ARTICLES):
        model = shipped[index % len(shipped)]
        body = {}
        for language in ("fr", "en"):
            own = topics[(model.pk, language)]
            chosen = rng.choices(own, k=30) + rng.sample(everything[language], 10)
            rng.shuffle(chosen)
            body[language] = " ".join(chosen)
        rows.append(
            Article(
                slug_fr=f"bench-{index}",
                slug_en=f"bench-en-{index}",
                kind=model.kind,
                title_fr=f"{model.title_fr} ({index})",
                title_en=f"{model.title_en} ({index})",
                summary_fr=model.summary_fr,
                summary_en=model.summary_en,
                keywords_fr=model.keywords_fr,
                keywords_en=model.keywords_en,
                body_fr=body["fr"],
                body_en=body["en"],
                last_reviewed=datetime.date(2026, 11, 26),
                updated_at=now,
            )
        )
    Article.objects.bulk_create(rows, batch_size=500)
    started = time.perf_counter()
    search.reindex()
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_search() -> tuple[float, float, float, int]:
    from egide.kb import search

    with (ROOT / "tests" / "kb" / "search_queries.tsv").open(encoding="utf-8") as handle:
        queries = [(row["query"], row["language"]) for row in csv.DictReader(handle, delimiter="\t")]
    started = time.perf_counter()
    search.search("harcèlement", "fr")  # builds this process's vocabulary (once per index change)
    search.search("harassment", "en")
    vocabulary_s = time.perf_counter() - started
    for query, language in queries:
        search.search(query, language)
    timings = []
    for _round in range(REPEAT):
        for query, language in queries:
            started = time.perf_counter()
            search.search(query, language)
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.95), vocabulary_s, len(timings)


def measure_transfer() -> list[tuple[str, int, int, int, int]]:
    """(path, requests, bytes on the wire, gzip bytes, third-party requests) per help page, via gunicorn."""
    from playwright.sync_api import Request, sync_playwright
    from reporting import _environment, gunicorn  # bench/ is this script's folder

    from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

    results = []
    env = {**_environment(os.environ["EGIDE_DATA_DIR"])}
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    with gunicorn(env, workers=1, threads=2) as (port, _process), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for path in ("/fr/aide/", "/en/help/"):
            context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            page = context.new_page()
            seen: list[Request] = []

            def record(request: Request, seen: list[Request] = seen) -> None:
                seen.append(request)

            page.on("requestfinished", record)
            page.on("requestfailed", record)
            page.goto(f"http://127.0.0.1:{port}{path}", wait_until="networkidle")
            wire = gzipped = third_party = 0
            for request in seen:
                sizes = request.sizes()
                wire += sizes["responseHeadersSize"] + sizes["responseBodySize"]
                if urlsplit(request.url).hostname != "127.0.0.1":
                    third_party += 1
                    continue
                with urllib.request.urlopen(request.url) as response:  # noqa: S310 - our own local server
                    gzipped += len(gzip.compress(response.read()))
            results.append((path, len(seen), wire, gzipped, third_party))
            context.close()
        browser.close()
    return results


def main() -> None:
    from tests.browser.chromium import CHROMIUM

    parser = argparse.ArgumentParser(description="Égide benchmark of the help section.")
    parser.add_argument("--search-only", action="store_true", help="(a) and (b) only: no help page loaded in Chromium")
    search_only = parser.parse_args().search_only

    with tempfile.TemporaryDirectory() as data_dir:
        engine = setup(data_dir)
        print(f"Égide help benchmark — {engine}, {ARTICLES:,} articles × 2 languages")
        reindex_s = make_articles()
        from egide.kb.models import SearchEntry

        print(f"  (a) reindex of {SearchEntry.objects.count():,} documents: {reindex_s:.1f} s")
        median, p95, vocabulary_s, count = measure_search()
        verdict = "PASS" if p95 < SEARCH_TARGET_MS else "FAIL"
        target = f"target < {SEARCH_TARGET_MS:.0f} ms"
        print(f"  (b) search, {count} queries: median {median:.1f} ms, p95 {p95:.1f} ms ({target}) {verdict}")
        print(f"      vocabulary for typo correction built in {vocabulary_s:.2f} s (once per process and index change)")
        if search_only:
            print("  (c) skipped: --search-only")
            return
        if not CHROMIUM.exists():
            print("  (c) skipped: /usr/bin/chromium is missing")
            return
        for path, requests, wire, gzipped, third_party in measure_transfer():
            ok = wire / 1024 < TRANSFER_TARGET_KB and third_party == 0
            print(
                f"  (c) {path}: {requests} requests, {wire / 1024:.1f} KB on the wire ({gzipped / 1024:.1f} KB gzipped), "
                f"{third_party} third-party (targets < {TRANSFER_TARGET_KB:.0f} KB, 0) {'PASS' if ok else 'FAIL'}"
            )


if __name__ == "__main__":
    main()
