"""The indicator registry: apps declare what they measure; dashboards only read from here.

An indicator computes a small table (one row per breakdown key) for an entity scope and a
period. Counts about people in sensitive situations are declared `sensitive` and pass through
the disclosure control before anyone sees them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import get_language

ALL_ENTITIES = "all"
EntityScope = frozenset[int] | str  # entity ids, or ALL_ENTITIES


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    label: str
    value: int | float | None
    meets_target: bool | None = None


@dataclass(frozen=True)
class Indicator:
    code: str
    label_fr: str
    label_en: str
    unit: str
    compute: Callable[[EntityScope, Period], list[IndicatorRow]]
    target_fr: str = ""
    target_en: str = ""
    sensitive: bool = False
    requirement_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "fr").startswith("en") else self.label_fr

    @property
    def target(self) -> str:
        return self.target_en if (get_language() or "fr").startswith("en") else self.target_fr


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.code in _REGISTRY and _REGISTRY[indicator.code] != indicator:
        raise ValueError(f"Indicator {indicator.code} is already registered.")
    _REGISTRY[indicator.code] = indicator
    return indicator


def get_indicator(code: str) -> Indicator:
    return _REGISTRY[code]


def all_indicators() -> Iterable[Indicator]:
    return sorted(_REGISTRY.values(), key=lambda indicator: indicator.code)
