"""The public reference pages show the reference data, in both languages, to anyone."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from egide.kb.models import Offence


def _get(name: str, language: str) -> str:
    with translation.override(language):
        path = reverse(name)
    response = Client().get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize(("language", "expected"), [("fr", "Harcèlement sexuel"), ("en", "Sexual harassment")])
def test_the_offences_page_lists_the_reference_rows(db: Any, language: str, expected: str) -> None:
    html = _get("kb:offences", language)
    assert expected in html
    for offence in Offence.objects.all():
        assert f'id="{offence.code}"' in html and offence.source_article.replace("'", "&#x27;") in html


def test_a_row_changed_in_the_data_changes_the_page(db: Any) -> None:
    Offence.objects.filter(code="hs").update(penalty_fr="Peine modifiée par la direction juridique")
    assert "Peine modifiée par la direction juridique" in _get("kb:offences", "fr")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_discrimination_page_groups_the_grounds_by_text(db: Any, language: str) -> None:
    html = _get("kb:discrimination_grounds", language)
    assert "225-1" in html and "L.1132-1" in html and "L.131-1" in html


def test_the_report_form_links_to_what_the_law_says(db: Any, school_a: Any) -> None:
    from tests.reports.conftest import answers

    page = Client().post(reverse("reports:start"), answers(school_a, step="about", action="next")).content.decode()
    assert reverse("kb:offences") in page and reverse("kb:discrimination_grounds") in page
