"""The calendar page and its iCalendar feed: upcoming dates, per entity, valid RFC 5545 text."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from egide.kb.ical import calendar
from egide.kb.models import Event
from egide.org.models import Entity
from tests.conftest import SCHOOL_A, SCHOOL_B


def _event(title: str, days: int, entity: Entity | None = None, **extra: Any) -> Event:
    start = timezone.localdate() + datetime.timedelta(days=days)
    return Event.objects.create(title_fr=title, title_en=title + " (en)", kind="event", starts_on=start, entity=entity, **extra)


def test_the_page_shows_upcoming_dates_of_imt_and_of_the_chosen_entity(db: Any) -> None:
    school_a, school_b = Entity.objects.get(code=SCHOOL_A), Entity.objects.get(code=SCHOOL_B)
    _event("Conférence A", 10, school_a)
    _event("Conférence B", 10, school_b)
    _event("Passé", -3)
    _event("Semaine en cours", -2, ends_on=timezone.localdate() + datetime.timedelta(days=2))
    with translation.override("fr"):
        path = reverse("kb:agenda")
    html = Client().get(path, {"entity": SCHOOL_A}).content.decode()
    assert "Conférence A" in html and "Conférence B" not in html and "Passé" not in html
    assert "Semaine en cours" in html and "Journée internationale" in html  # IMT-wide days are always shown
    everything = Client().get(path).content.decode()
    assert "Conférence A" in everything and "Conférence B" in everything


def test_the_feed_is_icalendar_with_all_day_events(db: Any) -> None:
    event = _event("Atelier; consentement, et respect", 5, description_fr="Ligne 1\nLigne 2")
    with translation.override("fr"):
        response = Client().get(reverse("kb:agenda_ics"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    start = event.starts_on
    assert f"DTSTART;VALUE=DATE:{start:%Y%m%d}" in text
    assert f"DTEND;VALUE=DATE:{start + datetime.timedelta(days=1):%Y%m%d}" in text
    assert "SUMMARY:Atelier\\; consentement\\, et respect" in text and "DESCRIPTION:Ligne 1\\nLigne 2" in text


def test_long_lines_are_folded_without_splitting_a_character() -> None:
    event = Event(pk=1, title_fr="é" * 80, title_en="x", kind="day", starts_on=datetime.date(2027, 3, 8))
    text = calendar([event], language="fr", stamp=datetime.datetime(2026, 11, 26, tzinfo=datetime.UTC))
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:" + "é" * 80 in unfolded


def test_an_event_cannot_end_before_it_starts(db: Any) -> None:
    with transaction.atomic(), pytest.raises(IntegrityError):
        _event("À l'envers", 5, ends_on=timezone.localdate())
