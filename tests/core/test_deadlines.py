"""Statutory deadlines: worked cases checked against a printed calendar, then properties on random dates.

Every expected date below was counted by hand on the 2026/2027 calendar (`python -m calendar 2026`),
because a test that recomputes its expectations with the code under test would prove nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

import hypothesis
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import strategies as st

from egide.core.deadlines import (
    DeadlineStatus,
    Level,
    add_delay,
    add_months,
    add_working_days,
    deadline_status,
    easter_sunday,
    french_public_holidays,
    is_working_day,
    local_date,
    statutory_due,
    working_days_between,
)
from egide.core.models import StatutoryDelay

D = datetime.date
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, D(2024, 3, 31)), (2025, D(2025, 4, 20)), (2026, D(2026, 4, 5)), (2027, D(2027, 3, 28)), (2038, D(2038, 4, 25))],
)
def test_easter_sunday(year: int, easter: datetime.date) -> None:
    assert easter_sunday(year) == easter


def test_the_holidays_of_2026() -> None:
    assert french_public_holidays(2026) == {
        D(2026, 1, 1): "Jour de l'an",
        D(2026, 4, 6): "Lundi de Pâques",
        D(2026, 5, 1): "Fête du Travail",
        D(2026, 5, 8): "Victoire 1945",
        D(2026, 5, 14): "Ascension",
        D(2026, 5, 25): "Lundi de Pentecôte",
        D(2026, 7, 14): "Fête nationale",
        D(2026, 8, 15): "Assomption",
        D(2026, 11, 1): "Toussaint",
        D(2026, 11, 11): "Armistice 1918",
        D(2026, 12, 25): "Noël",
    }
    assert list(french_public_holidays(2026)) == sorted(french_public_holidays(2026))


def test_the_returned_holidays_are_a_copy_and_cannot_corrupt_the_cache() -> None:
    french_public_holidays(2026).clear()
    assert len(french_public_holidays(2026)) == 11


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 5, 4), True),  # Monday
        (D(2026, 5, 1), False),  # Friday, Fête du Travail
        (D(2026, 5, 9), False),  # Saturday
        (D(2026, 5, 10), False),  # Sunday
        (D(2026, 5, 25), False),  # Whit Monday
        (D(2026, 8, 14), True),  # Friday before the Assomption
        (D(2027, 1, 1), False),  # Friday, Jour de l'an
    ],
)
def test_is_working_day(day: datetime.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Friday holiday: the count starts Monday 4, skips Friday 8 May (Victoire 1945).
        (D(2026, 5, 1), 7, D(2026, 5, 13)),
        # 11, 12, 13, (14 Ascension), 15, 18, 19, 20.
        (D(2026, 5, 8), 7, D(2026, 5, 20)),
        # The 20-working-day meeting, across Ascension (14 May) and Whit Monday (25 May).
        (D(2026, 5, 8), 20, D(2026, 6, 9)),
        # Thursday 24 December: (25 Noël), 28, 29, 30, 31, (1 Jour de l'an), 4, 5, 6 January.
        (D(2026, 12, 24), 7, D(2027, 1, 6)),
        # Saturday and Sunday receipts both start the count on Monday 8 June.
        (D(2026, 6, 6), 7, D(2026, 6, 16)),
        (D(2026, 6, 7), 7, D(2026, 6, 16)),
        # An ordinary Monday: the day of receipt itself does not count.
        (D(2026, 3, 2), 7, D(2026, 3, 11)),
        (D(2026, 3, 2), 1, D(2026, 3, 3)),
        # Friday to the next working day skips the weekend.
        (D(2026, 3, 6), 1, D(2026, 3, 9)),
        # Zero is the start itself, even on a holiday.
        (D(2026, 5, 1), 0, D(2026, 5, 1)),
    ],
)
def test_add_working_days(received: datetime.date, days: int, due: datetime.date) -> None:
    assert add_working_days(received, days) == due
    assert working_days_between(received, due) == days


def test_add_working_days_refuses_to_count_backwards() -> None:
    with pytest.raises(ValueError, match="days must be >= 0"):
        add_working_days(D(2026, 5, 4), -1)


def test_whit_monday_can_be_a_journee_de_solidarite(settings: Any) -> None:
    assert D(2026, 5, 25) in french_public_holidays(2026)
    settings.EGIDE_WHIT_MONDAY_IS_HOLIDAY = False

    assert D(2026, 5, 25) not in french_public_holidays(2026)
    assert len(french_public_holidays(2026)) == 10
    assert is_working_day(D(2026, 5, 25))
    # One day sooner than the 9 June of the default calendar.
    assert add_working_days(D(2026, 5, 8), 20) == D(2026, 6, 8)


def test_extra_and_removed_holidays(settings: Any) -> None:
    assert add_working_days(D(2026, 5, 8), 7) == D(2026, 5, 20)
    assert add_working_days(D(2026, 5, 1), 7) == D(2026, 5, 13)
    # Alsace-Moselle's two days, a "pont" after Ascension, one day of another year; and 8 May worked.
    settings.EGIDE_EXTRA_HOLIDAYS = ["2026-04-03", "2026-12-26", "2026-05-15", "2027-05-07"]
    settings.EGIDE_REMOVED_HOLIDAYS = ["2026-05-08"]

    holidays = french_public_holidays(2026)
    assert holidays[D(2026, 4, 3)] == "Vendredi saint"
    assert holidays[D(2026, 12, 26)] == "Saint-Étienne"
    assert holidays[D(2026, 5, 15)] == "Jour férié de l'établissement"
    assert D(2026, 5, 8) not in holidays
    assert D(2027, 5, 7) not in holidays
    assert D(2027, 5, 7) in french_public_holidays(2027)
    assert len(holidays) == 11 + 3 - 1
    # 11, 12, 13, (14 Ascension), (15 pont), 18, 19, 20, 21.
    assert add_working_days(D(2026, 5, 8), 7) == D(2026, 5, 21)
    # 4, 5, 6, 7, 8 (now worked), 11, 12.
    assert add_working_days(D(2026, 5, 1), 7) == D(2026, 5, 12)


def test_an_extra_day_that_is_already_a_holiday_keeps_its_official_name(settings: Any) -> None:
    settings.EGIDE_EXTRA_HOLIDAYS = ["2026-12-25"]
    assert french_public_holidays(2026)[D(2026, 12, 25)] == "Noël"


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("EGIDE_EXTRA_HOLIDAYS", ["26/12/2026"], "not an ISO date"),
        ("EGIDE_REMOVED_HOLIDAYS", ["2026-02-30"], "not an ISO date"),
        ("EGIDE_EXTRA_HOLIDAYS", "2026-12-26", "not a string"),
    ],
)
def test_a_misconfigured_holiday_fails_loudly(settings: Any, setting: str, value: object, message: str) -> None:
    setattr(settings, setting, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        french_public_holidays(2026)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2027, 11, 30), 3, D(2028, 2, 29)),  # into a leap February
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
        (D(2026, 3, 15), 12, D(2027, 3, 15)),
        (D(2026, 12, 31), 2, D(2027, 2, 28)),  # across the year end
        (D(2026, 5, 13), 0, D(2026, 5, 13)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),  # backwards, for "closed more than two months ago"
        (D(2026, 1, 15), -2, D(2025, 11, 15)),
    ],
)
def test_add_months(day: datetime.date, months: int, expected: datetime.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (D(2026, 5, 4), D(2026, 5, 4), 0),
        (D(2026, 5, 1), D(2026, 5, 13), 7),
        (D(2026, 5, 13), D(2026, 5, 1), -7),
        (D(2026, 5, 8), D(2026, 5, 10), 0),  # holiday then weekend
        (D(2026, 5, 10), D(2026, 5, 8), 0),
        (D(2026, 12, 24), D(2027, 1, 6), 7),
    ],
)
def test_working_days_between(start: datetime.date, end: datetime.date, count: int) -> None:
    assert working_days_between(start, end) == count


dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))
fast = hypothesis.settings(max_examples=300, deadline=None, database=None)


@fast
@hypothesis.given(start=dates, days=st.integers(0, 40))
def test_working_days_between_inverts_add_working_days(start: datetime.date, days: int) -> None:
    due = add_working_days(start, days)

    assert working_days_between(start, due) == days
    assert working_days_between(due, start) == -days
    if days:
        assert is_working_day(due)
        # The due date is the first day on which that many working days have passed, not a later one.
        assert working_days_between(start, due - datetime.timedelta(days=1)) == days - 1


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Winter, UTC+1: a Friday-night receipt is a Saturday receipt in Paris.
        (datetime.datetime(2026, 1, 9, 23, 30, tzinfo=UTC), D(2026, 1, 10)),
        (datetime.datetime(2026, 1, 9, 22, 59, tzinfo=UTC), D(2026, 1, 9)),
        (datetime.datetime(2026, 1, 9, 23, 0, tzinfo=UTC), D(2026, 1, 10)),
        # Summer, UTC+2.
        (datetime.datetime(2026, 7, 10, 21, 59, tzinfo=UTC), D(2026, 7, 10)),
        (datetime.datetime(2026, 7, 10, 22, 0, tzinfo=UTC), D(2026, 7, 11)),
        # Clocks go forward at 01:00 UTC on 29 March 2026: the evening before is still UTC+1.
        (datetime.datetime(2026, 3, 28, 22, 59, tzinfo=UTC), D(2026, 3, 28)),
        (datetime.datetime(2026, 3, 28, 23, 0, tzinfo=UTC), D(2026, 3, 29)),
        (datetime.datetime(2026, 3, 29, 21, 59, tzinfo=UTC), D(2026, 3, 29)),
        (datetime.datetime(2026, 3, 29, 22, 0, tzinfo=UTC), D(2026, 3, 30)),
        # Clocks go back at 01:00 UTC on 25 October 2026: the evening before is still UTC+2.
        (datetime.datetime(2026, 10, 24, 21, 59, tzinfo=UTC), D(2026, 10, 24)),
        (datetime.datetime(2026, 10, 24, 22, 0, tzinfo=UTC), D(2026, 10, 25)),
        (datetime.datetime(2026, 10, 25, 22, 59, tzinfo=UTC), D(2026, 10, 25)),
        (datetime.datetime(2026, 10, 25, 23, 0, tzinfo=UTC), D(2026, 10, 26)),
        # Any aware zone works: 20:00 in Cayenne (UTC-3) on Friday is 00:00 on Saturday in Paris.
        (datetime.datetime(2026, 1, 9, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-3))), D(2026, 1, 10)),
    ],
)
def test_local_date(moment: datetime.datetime, expected: datetime.date) -> None:
    assert local_date(moment) == expected


def test_local_date_ignores_the_zone_activated_for_display() -> None:
    with timezone.override("America/Cayenne"):
        assert local_date(datetime.datetime(2026, 1, 9, 23, 30, tzinfo=UTC)) == D(2026, 1, 10)


def test_local_date_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime.datetime(2026, 1, 9, 23, 30))  # noqa: DTZ001 - the naive value is the point


@pytest.mark.parametrize(
    ("due", "today", "days_left", "level"),
    [
        # Due Wednesday 13 May 2026.
        (D(2026, 5, 13), D(2026, 5, 7), 3, "ok"),  # (8 Victoire 1945), 11, 12, 13
        (D(2026, 5, 13), D(2026, 5, 8), 3, "ok"),
        (D(2026, 5, 13), D(2026, 5, 11), 2, "soon"),
        (D(2026, 5, 13), D(2026, 5, 12), 1, "soon"),
        (D(2026, 5, 13), D(2026, 5, 13), 0, "soon"),
        (D(2026, 5, 13), D(2026, 5, 14), -1, "late"),  # the day after is a holiday, yet the deadline has passed
        (D(2026, 5, 13), D(2026, 5, 15), -1, "late"),
        (D(2026, 5, 13), D(2026, 5, 18), -2, "late"),
        # A calendar-month deadline may fall on Saturday 16 May.
        (D(2026, 5, 16), D(2026, 5, 15), 0, "soon"),
        (D(2026, 5, 16), D(2026, 5, 16), 0, "soon"),
        (D(2026, 5, 16), D(2026, 5, 17), -1, "late"),
        (D(2026, 5, 16), D(2026, 5, 18), -1, "late"),
        (D(2026, 5, 16), D(2026, 5, 19), -2, "late"),
    ],
)
def test_deadline_status(due: datetime.date, today: datetime.date, days_left: int, level: Level) -> None:
    assert deadline_status(due, today=today) == DeadlineStatus(due=due, days_left=days_left, level=level)


def test_deadline_status_defaults_to_today_in_paris(monkeypatch: pytest.MonkeyPatch) -> None:
    # 22:30 UTC on Tuesday 12 May is already Wednesday 13 May in Paris (UTC+2).
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 5, 12, 22, 30, tzinfo=UTC))
    assert deadline_status(D(2026, 5, 13)) == DeadlineStatus(due=D(2026, 5, 13), days_left=0, level="soon")


# --- Statutory delays read from the reference data (R57) -------------------------------------------


@pytest.mark.parametrize(
    ("code", "start", "due"),
    [
        # 7 working days: a letter on the Friday before Armistice day (Wednesday 11 November 2026).
        ("acknowledgement", datetime.date(2026, 11, 6), datetime.date(2026, 11, 18)),
        # Received on a Saturday: the count starts on Monday; Easter Monday 2027 is 29 March.
        ("acknowledgement", datetime.date(2027, 3, 27), datetime.date(2027, 4, 7)),
        # 3 months across month ends and leap years (R17's own example: 30 November → end of February).
        ("feedback", datetime.date(2026, 11, 30), datetime.date(2027, 2, 28)),
        ("feedback", datetime.date(2027, 11, 30), datetime.date(2028, 2, 29)),
        ("feedback", datetime.date(2026, 5, 31), datetime.date(2026, 8, 31)),
        # 20 working days, over Christmas and New Year.
        ("oral-meeting", datetime.date(2026, 12, 15), datetime.date(2027, 1, 14)),
        # 1 month: 31 January → end of February, leap or not.
        ("inform-targeted", datetime.date(2027, 1, 31), datetime.date(2027, 2, 28)),
        ("inform-targeted", datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
        # 2 months after closure; 31 December → 28 February.
        ("retention-after-closure", datetime.date(2026, 12, 31), datetime.date(2027, 2, 28)),
        ("protection-decision", datetime.date(2026, 3, 1), datetime.date(2026, 5, 1)),
        # Years: 29 February → 28 February when the target year is not a leap year.
        ("discipline-staff", datetime.date(2028, 2, 29), datetime.date(2031, 2, 28)),
        ("limitation-delit", datetime.date(2026, 11, 26), datetime.date(2032, 11, 26)),
        ("limitation-crime", datetime.date(2024, 2, 29), datetime.date(2044, 2, 29)),
    ],
)
@pytest.mark.django_db
def test_statutory_due(code: str, start: datetime.date, due: datetime.date) -> None:
    result = statutory_due(code, start)
    assert result.due == due
    assert result.delay.code == code and result.delay.source_article and result.delay.confidence in {"V", "S", "U"}


@pytest.mark.django_db
def test_a_delay_changed_in_the_reference_data_changes_the_deadline() -> None:
    StatutoryDelay.objects.filter(code="acknowledgement").update(amount=5)
    assert statutory_due("acknowledgement", datetime.date(2026, 11, 6)).due == datetime.date(2026, 11, 16)


@pytest.mark.django_db
def test_a_missing_delay_is_a_configuration_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="no-such-delay"):
        statutory_due("no-such-delay", datetime.date(2026, 1, 1))


def test_add_delay_refuses_an_unknown_unit() -> None:
    with pytest.raises(ValueError, match="fortnights"):
        add_delay(datetime.date(2026, 1, 1), 1, "fortnights")
