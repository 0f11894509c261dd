"""Redacted copies: the names of the persons of a case replaced by neutral labels, for sharing selected parts
with a decider who does not hold the case."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _


def pseudonyms(names: Iterable[str]) -> dict[str, str]:
    """Person A, Person B… for each distinct name, longest first so that "Marie Durand" wins over "Marie"."""
    distinct = sorted({name.strip() for name in names if name and len(name.strip()) >= 2}, key=lambda n: (-len(n), n.lower()))
    labels: dict[str, str] = {}
    for index, name in enumerate(distinct):
        letter = chr(ord("A") + index % 26) + (str(index // 26) if index >= 26 else "")
        labels[name] = _("Person %(letter)s") % {"letter": letter}
    return labels


def redact(text: str, labels: dict[str, str]) -> str:
    """Replace every occurrence of each name (case- and accent-sensitive words, whole words only) by its label;
    also each part of a multi-word name, so that a first name used alone is masked too."""
    replacements: dict[str, str] = {}
    for name, label in labels.items():
        replacements.setdefault(name.lower(), label)
        for part in name.split():
            if len(part) >= 3:
                replacements.setdefault(part.lower(), label)
    if not replacements:
        return text
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(name) for name in sorted(replacements, key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE,
    )
    return pattern.sub(lambda match: replacements[match.group(0).lower()], text)
