"""Nothing about a visit to the reporter's pages reaches the logs: not even Django's own lines for
a 404 or a refused CSRF token, which carry the path and the time (the reverse proxy keeps no log of
these pages either, see deploy/nginx/egide.conf)."""

from __future__ import annotations

import logging
import re

# /fr/signaler/, /en/report/, /fr/suivi/, /en/follow-up/, the help pages, and everything under them.
REPORTER_PATHS = re.compile(r"^/(fr/signaler|en/report|fr/suivi|en/follow-up|fr/aide|en/help)/")


class NoReporterPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") or ""
        if REPORTER_PATHS.match(path):
            return False
        message = record.getMessage() if record.args else str(record.msg)
        return not any(REPORTER_PATHS.match(part) for part in re.findall(r"/\S+", message))
