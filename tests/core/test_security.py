"""Headers on every response, no third-party origin in pages, settings that refuse unsafe production."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_PAGES = [
    "/fr/",
    "/en/",
    "/fr/staff/login/",
    "/en/legal-notice/",
    "/en/privacy/",
    "/en/accessibility/",
    "/fr/signaler/",
    "/en/report/",
    "/fr/suivi/",
    "/en/follow-up/",
    "/fr/signaler/comment-ca-marche/",
    "/fr/signaler/notice-d-information/",
    "/fr/signaler/autres-voies/",
    "/fr/aide/",
    "/en/help/",
    "/fr/aide/infractions/",
    "/fr/aide/criteres-de-discrimination/",
    "/fr/aide/contacts/telecom-paris/",
    "/fr/aide/agenda/",
    "/en/help/calendar/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_security_headers(path: str, db: Any) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_pages_load_nothing_from_elsewhere_and_have_no_inline_code(path: str, db: Any) -> None:
    html = Client().get(path).content.decode()
    for match in re.finditer(r"<(script|link|img|iframe|source)\b[^>]*>", html):
        tag = match.group(0)
        assert not re.search(r'(src|href)="(https?:)?//', tag), tag
        if match.group(1) == "script":
            assert "src=" in tag, "inline script"
    assert "<style" not in html and " style=" not in html


def _run_settings(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("EGIDE_", "DATABASE_URL", "DJANGO_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    result = _run_settings({"EGIDE_ENV": "production", "EGIDE_DATA_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0 and "EGIDE_SECRET_KEY" in result.stderr


def test_production_with_real_settings_passes_check_deploy(tmp_path: Path) -> None:
    env = {
        "EGIDE_ENV": "production",
        "EGIDE_DATA_DIR": str(tmp_path),
        "EGIDE_SECRET_KEY": "k" * 20 + "Q7v!x9@Lm2#Rt5$Wz8%Np3^Hd6&Jf4*Bc1" + "s" * 10,
        "EGIDE_ALLOWED_HOSTS": "egide.example.org",
        "DATABASE_URL": "postgres://egide@127.0.0.1:5432/egide",
        "EGIDE_REPORTING_ACT_REFERENCE": "Décision n° 2024-12 du directeur général",
        "EGIDE_CLIENT_ADDRESS_HEADER": "HTTP_X_EGIDE_CLIENT",
    }
    result = _run_settings(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    # Without the act's reference (R6) or the proxy's address header, a production deployment is refused.
    for missing in ("EGIDE_REPORTING_ACT_REFERENCE", "EGIDE_CLIENT_ADDRESS_HEADER"):
        incomplete = {key: value for key, value in env.items() if key != missing}
        result = _run_settings(incomplete, "check", "--deploy", "--fail-level", "WARNING")
        assert result.returncode != 0 and missing in result.stderr, result.stdout + result.stderr


def test_embedded_default_generates_and_keeps_a_secret(tmp_path: Path) -> None:
    env = {"EGIDE_DATA_DIR": str(tmp_path)}
    first = _run_settings(env, "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")
    second = _run_settings(env, "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_errors_show_no_stack_trace(db: Any, settings: Any) -> None:
    assert settings.DEBUG is False
    response = Client().get("/fr/staff/org/people/not-a-number/")
    assert response.status_code in (302, 404)
    assert "Traceback" not in response.content.decode()


def test_help_pages_set_no_cookie(db: Any) -> None:
    for path in ("/fr/", "/en/", "/fr/mentions-legales/", "/en/privacy/"):
        assert Client().get(path).cookies == {}, path
