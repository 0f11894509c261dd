"""The one place where statutory deadlines are computed.

Reports of harassment and discrimination run on legal clocks: an acknowledgement within 7 working days
of receipt, feedback within 3 months, a meeting within 20 working days, the person targeted informed within
1 month, retention 2 months after closure. A deadline that is a day off is a deadline missed, or one that
alarms a référent for nothing, so every caller goes through these functions rather than doing date
arithmetic of its own.

Working days depend on public holidays, which are not the same for every public body: Alsace-Moselle has
two more, many bodies work Whit Monday as their "journée de solidarité", and an institution may close on a
"pont". The holidays are therefore data read from settings (EGIDE_WHIT_MONDAY_IS_HOLIDAY,
EGIDE_EXTRA_HOLIDAYS, EGIDE_REMOVED_HOLIDAYS), never constants copied into the callers.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from egide.core.models import StatutoryDelay

Level = Literal["ok", "soon", "late"]

# Two working days is the least a référent needs to act on a reminder before the deadline passes.
SOON_WORKING_DAYS = 2

# Names of the days an entity most often adds, so that its holiday list reads like the official one.
_EASTER_RELATIVE_NAMES = {-2: "Vendredi saint"}
_FIXED_EXTRA_NAMES = {(12, 26): "Saint-Étienne"}
_EXTRA_NAME = "Jour férié de l'établissement"


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter Sunday, by the anonymous (Meeus/Jones/Butcher) algorithm: no dependency for one date."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _iso_dates(setting: str) -> tuple[str, ...]:
    value = getattr(settings, setting, [])
    # A bare string would otherwise be split into characters and fail with a puzzling message.
    if isinstance(value, str):
        raise ImproperlyConfigured(f"{setting} must be a list of ISO dates, not a string.")
    return tuple(value)


def _parse(setting: str, value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(f"{setting} contains {value!r}, which is not an ISO date (YYYY-MM-DD).") from error


@functools.lru_cache(maxsize=256)
def _holidays(year: int, whit_monday: bool, extra: tuple[str, ...], removed: tuple[str, ...]) -> Mapping[datetime.date, str]:
    # The settings are part of the key, so a test or a reconfiguration never sees a stale year.
    easter = easter_sunday(year)
    holidays = {
        datetime.date(year, 1, 1): "Jour de l'an",
        easter + datetime.timedelta(days=1): "Lundi de Pâques",
        datetime.date(year, 5, 1): "Fête du Travail",
        datetime.date(year, 5, 8): "Victoire 1945",
        easter + datetime.timedelta(days=39): "Ascension",
        datetime.date(year, 7, 14): "Fête nationale",
        datetime.date(year, 8, 15): "Assomption",
        datetime.date(year, 11, 1): "Toussaint",
        datetime.date(year, 11, 11): "Armistice 1918",
        datetime.date(year, 12, 25): "Noël",
    }
    if whit_monday:
        holidays[easter + datetime.timedelta(days=50)] = "Lundi de Pentecôte"
    for value in extra:
        day = _parse("EGIDE_EXTRA_HOLIDAYS", value)
        if day.year == year and day not in holidays:
            holidays[day] = _EASTER_RELATIVE_NAMES.get((day - easter).days) or _FIXED_EXTRA_NAMES.get(
                (day.month, day.day), _EXTRA_NAME
            )
    for value in removed:
        holidays.pop(_parse("EGIDE_REMOVED_HOLIDAYS", value), None)
    # Read-only, because the same object is handed to every caller for the life of the process.
    return MappingProxyType(dict(sorted(holidays.items())))


def _holidays_of(year: int) -> Mapping[datetime.date, str]:
    return _holidays(
        year,
        bool(getattr(settings, "EGIDE_WHIT_MONDAY_IS_HOLIDAY", True)),
        _iso_dates("EGIDE_EXTRA_HOLIDAYS"),
        _iso_dates("EGIDE_REMOVED_HOLIDAYS"),
    )


def french_public_holidays(year: int) -> dict[datetime.date, str]:
    """The public holidays of `year` as configured, in date order, named as in the official calendar."""
    return dict(_holidays_of(year))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, and not a public holiday."""
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start`.

    The day of receipt never counts, even when it is itself a working day ("à compter de la réception"),
    and a receipt on a weekend or holiday only starts the count on the next working day.
    """
    if days < 0:
        raise ValueError("add_working_days counts forward only; days must be >= 0.")
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def _working_days_in(after: datetime.date, until: datetime.date) -> int:
    if until <= after:
        return 0
    weeks, extra = divmod((until - after).days, 7)
    count = weeks * 5 + sum((after + datetime.timedelta(days=offset)).weekday() < 5 for offset in range(1, extra + 1))
    for year in range(after.year, until.year + 1):
        count -= sum(1 for day in _holidays_of(year) if after < day <= until and day.weekday() < 5)
    return count


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end], so that working_days_between(d, add_working_days(d, n)) == n.

    Negative, counting (end, start], when end is before start.
    """
    if end < start:
        return -_working_days_in(end, start)
    return _working_days_in(start, end)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Calendar months later (or earlier), clamped to the last day of a shorter month.

    Clamping rather than overflowing keeps a deadline inside the month the law points at: 30 November plus
    three months is the end of February, not early March.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month_index = divmod(index, 12)
    month = month_index + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_date(moment: datetime.datetime) -> datetime.date:
    """The calendar day of an aware datetime in settings.TIME_ZONE.

    Statutory days are days in legal French time: the zone a user has activated for display must not move
    a receipt from Friday to Saturday, hence the default zone rather than the current one.
    """
    if timezone.is_naive(moment):
        raise ValueError("local_date needs an aware datetime; a naive one has no defined day.")
    return moment.astimezone(timezone.get_default_timezone()).date()


@dataclass(frozen=True)
class DeadlineStatus:
    due: datetime.date
    days_left: int  # working days from today to due; negative once the deadline has passed
    level: Level


def deadline_status(due: datetime.date, *, today: datetime.date | None = None) -> DeadlineStatus:
    """How close a deadline is, in working days: "late" once past, "soon" within two working days, else "ok"."""
    if today is None:
        today = local_date(timezone.now())
    # A deadline that fell on a weekend is still passed the next day, though no working day separates them.
    days_left = -max(1, working_days_between(due, today)) if today > due else working_days_between(today, due)
    level: Level
    if days_left < 0:
        level = "late"
    elif days_left <= SOON_WORKING_DAYS:
        level = "soon"
    else:
        level = "ok"
    return DeadlineStatus(due=due, days_left=days_left, level=level)


def add_delay(start: datetime.date, amount: int, unit: str) -> datetime.date:
    """`start` plus a delay in one of StatutoryDelay's units."""
    if unit == "working_days":
        return add_working_days(start, amount)
    if unit == "days":
        return start + datetime.timedelta(days=amount)
    if unit == "months":
        return add_months(start, amount)
    if unit == "years":
        return add_months(start, 12 * amount)
    raise ValueError(f"Unknown delay unit {unit!r}.")


@dataclass(frozen=True)
class StatutoryDue:
    due: datetime.date
    delay: StatutoryDelay  # stored next to the deadline: its legal reference (R57)


def statutory_delay(code: str) -> StatutoryDelay:
    """The delay row; a missing one is a deployment error (the data migration loads them all)."""
    try:
        return StatutoryDelay.objects.get(code=code)
    except StatutoryDelay.DoesNotExist as error:
        raise ImproperlyConfigured(f"The statutory delay {code!r} is missing from the reference data.") from error


def statutory_due(code: str, start: datetime.date) -> StatutoryDue:
    """When a statutory delay that starts on `start` ends, read from the reference data."""
    delay = statutory_delay(code)
    return StatutoryDue(due=add_delay(start, delay.amount, delay.unit), delay=delay)
