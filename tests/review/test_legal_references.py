"""R58: legal texts are reference data. No article of a code, decree or law is cited in the code.

Citations live in the data (the offences table, the grounds of discrimination, the directories'
sources, the help articles in egide/kb/content/, the data migrations) or in the information pages
written per language (templates named *.fr.html / *.en.html: the information notice, the privacy
notice, the accessibility statement), which are documents with their own versions.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "egide"

# "L.135-6", "R.625-8-3", "art. 225-1", "article 40", "articles 222-22", "décret n° 2020-256", "loi n° 2016-1691"
CITATION = re.compile(
    r"\b[LRD]\.\s?\d{3,4}(?:-\d+)+"
    r"|\bart(?:icles?|\.)\s?\d{1,4}(?:-\d+)*\b"
    r"|\b(?:décret|loi|decree|law)\s+n[°o]\s?\d{2,4}-\d+",
    re.IGNORECASE,
)


def _sources() -> list[Path]:
    files = [path for path in ROOT.rglob("*.py") if "migrations" not in path.parts]
    files += [
        path
        for path in ROOT.rglob("templates/**/*.html")
        if not path.name.endswith((".fr.html", ".en.html"))  # documents per language, see the docstring
    ]
    return sorted(files)


@pytest.mark.parametrize(
    "text",
    ["CGFP L.135-6", "Code pénal art. 225-1", "(article 40 of the code)", "décret n° 2020-256", "R.625-8-3", "articles 222-22"],
)
def test_the_rule_recognises_a_citation(text: str) -> None:
    assert CITATION.search(text)


@pytest.mark.parametrize("text", ["Article", "the articles of the help section", "HTTP 404", "2026-11-26", "kb:article"])
def test_the_rule_lets_ordinary_words_through(text: str) -> None:
    assert not CITATION.search(text)


def test_no_legal_citation_in_the_code() -> None:
    found = [
        f"{path.relative_to(ROOT.parent)}:{number}: {match.group(0)}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in [CITATION.search(line)]
        if match
    ]
    assert not found, "Legal citations belong in the reference data (R58):\n" + "\n".join(found)
