"""An iCalendar feed (RFC 5545) of the calendar, written by hand: all-day events only, so a few
properties suffice, with the text escaping and 75-octet line folding the RFC requires."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

from egide.kb.models import Event


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space, never inside a character."""
    parts: list[bytes] = []
    current = b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current)
            current = b""
        current += piece
    parts.append(current)
    return "\r\n ".join(part.decode() for part in parts)


def calendar(events: Iterable[Event], *, language: str, stamp: datetime.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{settings.EGIDE_SITE_NAME}//HVSSD//{language.upper()}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    host = urlsplit(settings.EGIDE_BASE_URL).hostname or "egide"
    for event in events:
        title = event.title_en if language == "en" else event.title_fr
        description = event.description_en if language == "en" else event.description_fr
        last = event.ends_on or event.starts_on
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{event.pk}@{host}",
            f"DTSTAMP:{stamp.strftime('%Y%m%dT%H%M%SZ')}",
            f"DTSTART;VALUE=DATE:{event.starts_on.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(last + datetime.timedelta(days=1)).strftime('%Y%m%d')}",  # exclusive end
            f"SUMMARY:{_escape(title)}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{_escape(description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
