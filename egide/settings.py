"""Égide settings: one module, driven by environment variables.

The embedded default (no variable set) runs on SQLite in ./var with a secret generated once and
kept there. EGIDE_ENV=production refuses to start without real secrets and hosts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets generic Django classes (ModelAdmin[Entity], QuerySet[Person]) be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the content of the file named by NAME_FILE (Docker/systemd secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


EGIDE_ENV = env("EGIDE_ENV", "development") or "development"
PRODUCTION = EGIDE_ENV == "production"
DATA_DIR = Path(env("EGIDE_DATA_DIR") or BASE_DIR / "var")


def _embedded_secret(name: str) -> str:
    """A secret generated once and kept in the data folder (embedded default only)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env("EGIDE_SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("EGIDE_SECRET_KEY (or EGIDE_SECRET_KEY_FILE) is required in production.")
    SECRET_KEY = _embedded_secret("secret_key")
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("EGIDE_SECRET_KEY must be at least 50 characters long.")

DEBUG = env_bool("EGIDE_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("EGIDE_DEBUG cannot be on in production.")

ALLOWED_HOSTS = env_list("EGIDE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("EGIDE_ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env_list("EGIDE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "egide.core",
    "egide.org",
    "egide.vault",
    "egide.reports",
    "egide.cases",
    "egide.kb",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "egide.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "egide.org.middleware.StaffAccessMiddleware",
    "egide.vault.session.VaultCookieMiddleware",
    "egide.cases.middleware.HandlerKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "egide.urls"
WSGI_APPLICATION = "egide.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egide.core.context_processors.site",
                "egide.org.context_processors.staff",
                "egide.cases.context_processors.handler",
                "egide.kb.context_processors.editor",
            ],
        },
    },
]

# Database: SQLite (WAL) in the data folder by default, DATABASE_URL otherwise.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL is required in production (PostgreSQL).")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "egide.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("EGIDE_REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts and passwords.
AUTH_USER_MODEL = "org.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "org:dashboard"
LOGOUT_REDIRECT_URL = "org:home"
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60  # links also serve invitations: one day

# Sign-in throttling: after this many failures for one e-mail address within the window,
# further attempts are refused until the window ends.
EGIDE_LOGIN_MAX_FAILURES = int(env("EGIDE_LOGIN_MAX_FAILURES", "5") or 5)
EGIDE_LOGIN_WINDOW_SECONDS = int(env("EGIDE_LOGIN_WINDOW_SECONDS", "900") or 900)

# Sessions: expire when idle (every request renews the expiry), never outlive the browser.
SESSION_COOKIE_AGE = int(env("EGIDE_SESSION_IDLE_SECONDS", "1800") or 1800)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "egide_staff"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A browser-session cookie: nothing stays on a shared or family device after the browser closes.
CSRF_COOKIE_AGE = None
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
OTP_TOTP_ISSUER = "Égide"
# Flash messages live in the session: no extra cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Égide throttles wrong codes itself (egide.core.throttle, per account and window); django-otp's
# own per-device back-off would also lock out the right code typed just after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Internationalisation: French first, English complete.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "egide" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static files: served by Égide itself (whitenoise), nothing from a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Mail: written to files in the data folder by default, SMTP when EGIDE_EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env("EGIDE_DEFAULT_FROM_EMAIL", "egide@localhost") or "egide@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env("EGIDE_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EGIDE_EMAIL_PORT", "587") or 587)
    EMAIL_HOST_USER = env("EGIDE_EMAIL_USER", "") or ""
    EMAIL_HOST_PASSWORD = env("EGIDE_EMAIL_PASSWORD", "") or ""
    EMAIL_USE_TLS = env_bool("EGIDE_EMAIL_USE_TLS", default=EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EGIDE_EMAIL_USE_SSL", default=EMAIL_PORT == 465)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = env("EGIDE_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend") or ""
    EMAIL_FILE_PATH = DATA_DIR / "mail"

# Security headers. The CSP allows nothing but Égide's own origin: no inline script or style.
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin: no referrer ever leaves for another site, and same-site form posts keep their Origin
# header (with no-referrer, Chromium sends "Origin: null" and Django rightly refuses the POST).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("EGIDE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 63072000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Logging: to stderr, never request bodies; IP addresses are not logged by Égide.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_reporter_paths": {"()": "egide.core.logfilters.NoReporterPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_reporter_paths"]}},
    "root": {"handlers": ["console"], "level": env("EGIDE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Égide's own settings.
EGIDE_DISCLOSURE_THRESHOLD = int(env("EGIDE_DISCLOSURE_THRESHOLD", "5") or 5)
EGIDE_QUICK_EXIT_URL = env("EGIDE_QUICK_EXIT_URL", "https://meteofrance.com/") or ""
# The public address, for links in e-mails (which carry no content).
EGIDE_BASE_URL = (env("EGIDE_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
EGIDE_SITE_NAME = env("EGIDE_SITE_NAME", "Égide") or "Égide"

# The publisher named in the legal notice and the privacy notice.
EGIDE_PUBLISHER = {
    "name": env("EGIDE_PUBLISHER_NAME", "Institut Mines-Télécom"),
    "address": env("EGIDE_PUBLISHER_ADDRESS", "19 place Marguerite Perey, 91120 Palaiseau, France"),
    "director": env("EGIDE_PUBLISHER_DIRECTOR", "Le directeur général de l'Institut Mines-Télécom"),
    "host": env("EGIDE_HOST_DESCRIPTION", "Institut Mines-Télécom, sur ses propres serveurs"),
    "contact_email": env("EGIDE_CONTACT_EMAIL", ""),
    "dpo_email": env("EGIDE_DPO_EMAIL", ""),
    "accessibility_email": env("EGIDE_ACCESSIBILITY_EMAIL", ""),
}
# Outside production, whitenoise serves files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# The vault (see docs/architecture.md, "Security model"). Argon2id protects handler keys, recovery
# codes and follow-up codes: 64 MiB and 4 passes take about 120 ms here, which makes guessing an
# 80-bit follow-up code hopeless. Tests weaken them through an explicit fixture only.
EGIDE_VAULT_ARGON2_OPSLIMIT = int(env("EGIDE_VAULT_ARGON2_OPSLIMIT", "4") or 4)
EGIDE_VAULT_ARGON2_MEMLIMIT = int(env("EGIDE_VAULT_ARGON2_MEMLIMIT", str(64 * 1024 * 1024)) or 0)
if PRODUCTION and (EGIDE_VAULT_ARGON2_MEMLIMIT < 64 * 1024 * 1024 or EGIDE_VAULT_ARGON2_OPSLIMIT < 3):
    raise ImproperlyConfigured("The vault's Argon2id parameters must be at least 64 MiB and 3 passes in production.")
EGIDE_VAULT_COOKIE_NAME = "egide_vault"

# The reporter's side: its own session cookie, idle expiry, flood limits and uploads.
EGIDE_FOLLOWUP_COOKIE_NAME = "egide_followup"
EGIDE_FOLLOWUP_IDLE_SECONDS = int(env("EGIDE_FOLLOWUP_IDLE_SECONDS", "1200") or 1200)
EGIDE_FOLLOWUP_MAX_FAILURES = int(env("EGIDE_FOLLOWUP_MAX_FAILURES", "10") or 10)
EGIDE_FOLLOWUP_WINDOW_SECONDS = int(env("EGIDE_FOLLOWUP_WINDOW_SECONDS", "900") or 900)
EGIDE_FOLLOWUP_NETWORK_MAX_FAILURES = int(env("EGIDE_FOLLOWUP_NETWORK_MAX_FAILURES", "100") or 100)
# The request header (as in request.META) in which the reverse proxy passes the visitor's address to
# the reporter's pages, e.g. HTTP_X_EGIDE_CLIENT: used only for throttling wrong follow-up codes,
# through a keyed hash that expires; never stored or logged. Empty: the connection's address.
EGIDE_CLIENT_ADDRESS_HEADER = env("EGIDE_CLIENT_ADDRESS_HEADER", "") or ""
# A small proof of work computed by the page (about a quarter of a second on a laptop): floods get
# expensive without a third-party CAPTCHA. Nobody is turned away: forms sent without it (no
# JavaScript) past a per-entity hourly limit are accepted and set aside for review.
EGIDE_REPORT_POW_BITS = int(env("EGIDE_REPORT_POW_BITS", "18") or 18)
EGIDE_REPORT_HOURLY_LIMIT = int(env("EGIDE_REPORT_HOURLY_LIMIT", "300") or 300)
EGIDE_REPORT_HOURLY_LIMIT_WITHOUT_PROOF = int(env("EGIDE_REPORT_HOURLY_LIMIT_WITHOUT_PROOF", "30") or 30)
# Past EGIDE_REPORT_HOURLY_LIMIT reports in an hour for one entity, new pages ask this many more
# bits (16 times the work); past the limit without proof, reports are accepted but set aside.
EGIDE_REPORT_POW_FLOOD_EXTRA_BITS = int(env("EGIDE_REPORT_POW_FLOOD_EXTRA_BITS", "4") or 4)
EGIDE_UPLOAD_MAX_BYTES = int(env("EGIDE_UPLOAD_MAX_BYTES", str(64 * 1024 * 1024)) or 0)
EGIDE_UPLOAD_MAX_FILES = int(env("EGIDE_UPLOAD_MAX_FILES", "10") or 10)
# Uploads larger than this go to a temporary file, never whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = EGIDE_UPLOAD_MAX_FILES + 1
# The act that set up the reporting procedure (R6), shown on the information notice.
EGIDE_REPORTING_ACT = {
    "reference": env("EGIDE_REPORTING_ACT_REFERENCE", "") or "",
    "date": env("EGIDE_REPORTING_ACT_DATE", "") or "",
    "url": env("EGIDE_REPORTING_ACT_URL", "") or "",
}
EGIDE_MINISTERIAL_CELL = {
    "name": env(
        "EGIDE_MINISTERIAL_CELL_NAME",
        "Cellule ministérielle d'écoute, de conseil, de signalement et de traitement des discriminations "
        "et des violences sexistes et sexuelles (ministères économiques et financiers)",
    )
    or "",
    "url": env("EGIDE_MINISTERIAL_CELL_URL", "") or "",
    "email": env("EGIDE_MINISTERIAL_CELL_EMAIL", "") or "",
}
