"""Minqing settings: one file, every value from a MINQING_* environment variable.

Defaults are safe for one box: SQLite (WAL) under var/, debug off, secrets
generated into var/ on first run and never committed.
"""

import base64
import os
import secrets
from pathlib import Path

from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"MINQING_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def _secret_from_file(name: str, make) -> str:
    """Read a generated secret from var/, creating it (mode 0600) on first use."""
    path = VAR_DIR / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY") or _secret_from_file("secret_key", lambda: secrets.token_urlsafe(50))
# 32 bytes, base64: the root of the personal-data encryption and look-up keys.
PERSONAL_DATA_KEY = env("PERSONAL_DATA_KEY") or _secret_from_file(
    "personal_data_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
)

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Where residents reach this site (https://minqing.example.gov.cn): the liaison cards' and the
# board's QR codes lead there. Unset, a page builds them from the address it was asked at,
# and `minqing cards` refuses (it has no request, and a printed card outlives a wrong guess).
SITE_URL = env("SITE_URL", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "minqing.core",
    "minqing.geo",
    "minqing.org",
    "minqing.people",
    "minqing.programs",
    "minqing.fieldwork",
    "minqing.documents",
    "minqing.security",
    "minqing.exports",
    "minqing.tickets",
    "minqing.appraisal",
    "minqing.figures",
    "minqing.ledgers",
    "minqing.cards",
    "minqing.assessment",
    "minqing.web",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "minqing.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "minqing.core.middleware.RequestSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "minqing.core.middleware.AuditUserMiddleware",
    "minqing.security.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "minqing.core.middleware.LoginRequiredMiddleware",
    "minqing.security.middleware.AccountStepsMiddleware",
]

# The largest request body accepted at all (one 10 MB file with its form): larger ones are
# refused with 413 before they are read (core.middleware.RequestSizeMiddleware).
MINQING_MAX_REQUEST_BYTES = int(os.environ.get("MINQING_MAX_REQUEST_BYTES", 20 * 1024 * 1024))

ROOT_URLCONF = "minqing.urls"
WSGI_APPLICATION = "minqing.wsgi.application"
AUTH_USER_MODEL = "org.Account"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minqing.web.context.navigation",
            ],
        },
    }
]

# Database: SQLite (WAL) in var/ unless DATABASE_URL (or MINQING_DATABASE_URL) names another.
DATABASE_URL = env("DATABASE_URL") or os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            # A connection kept between requests is checked (SELECT 1) before a request uses
            # it, so one the server dropped (a restart, a failover, a firewall's idle timeout)
            # is opened again instead of failing that request.
            conn_health_checks=env_bool("DB_HEALTH_CHECKS", True),
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARE", False):
        # The hot checks of core.prepared run on server-side binding cursors, which prepare a
        # statement run 5 times on a connection and keep its plan (planning the scoped checks
        # cost PostgreSQL more than running them). Django's own cursors bind on the client and
        # never prepare. Off by default: a pooler in transaction mode cannot keep prepared
        # statements (MINQING_DB_PREPARE=1 where the app servers connect directly).
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(VAR_DIR / "minqing.sqlite3")),
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
# PostgreSQL's JIT compiles a query the planner costs high (the dashboard's per-pairing visit
# probes): ~30 ms of compiling for a query of ~90 ms, never won back at our sizes. Off for each
# connection (core.signals) unless MINQING_DB_JIT=1.
DB_JIT = env_bool("DB_JIT", False)
# The dashboard's aggregate queries run on up to this many threads, each with its own connection
# (core.parallel); 1 runs them one after another on the request's connection.
DB_PARALLEL = env_int("DB_PARALLEL", 2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password policy (MLPS level 3): 8 characters and 3 of 4 classes, 12 for the three
# administrators, not containing the username, not a common password, the last 5 not reused.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
PASSWORD_ADMIN_MIN_LENGTH = env_int("PASSWORD_ADMIN_MIN_LENGTH", 12)
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5)
PASSWORD_ADMIN_MAX_AGE_DAYS = env_int("PASSWORD_ADMIN_MAX_AGE_DAYS", 90)
ACCOUNT_IDLE_DISABLE_DAYS = env_int("ACCOUNT_IDLE_DISABLE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "minqing.security.passwords.RoleLengthValidator"},
    {"NAME": "minqing.security.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "minqing.security.passwords.UsernameNotContainedValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "minqing.security.passwords.HistoryValidator"},
]

# Login failures: the 5th within 15 minutes, per username and separately per IP, locks
# for 30 minutes. Second-factor codes: the 5th wrong code locks the same way.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 30)

# Two factors (TOTP). Required for these roles, optional for the others. Demo accounts
# are exempt from forced enrolment unless MINQING_DEMO_REQUIRE_2FA=1.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", "sysadmin,secadmin,auditor,office")
DEMO_REQUIRE_2FA = env_bool("DEMO_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = env("OTP_ISSUER", "Minqing")
# Our own lock (5 wrong codes, 30 minutes) replaces django-otp's exponential back-off.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_RECOVERY_CODES = 10

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle limits (minutes) for the three administrators and for everyone else, and an
# absolute limit (hours) from sign-in; enforced by security.middleware on the server.
SESSION_IDLE_ADMIN_MINUTES = env_int("SESSION_IDLE_ADMIN_MINUTES", 15)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
# Subdomains and preload default to on with HSTS (an intranet host is never on the public
# preload list, so `preload` only keeps `check --deploy` quiet); either can be turned off.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): no inline script, no inline style, nothing from
# outside. A template that ever needs an inline script uses {{ request.csp_nonce }}.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The cache all application servers share: rate limits, and later anything cached.
# redis://… → Redis; locmem:// → this process only (tests, one-off commands);
# default: a table in the database (`minqing setup`/`migrate` create it).
CACHE_URL = env("CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "minqing_cache"}
    }

# Rate limits, "N/second|minute|hour|day".
API_RATE = env("API_RATE", "60/minute")
API_SYNC_RATE = env("API_SYNC_RATE", "600/minute")
EXPORT_RATE = env("EXPORT_RATE", "20/day")
INTAKE_RATE_IP = env("INTAKE_RATE_IP", "20/hour")
INTAKE_RATE_PHONE = env("INTAKE_RATE_PHONE", "5/day")

# Personal-data exports: a full (unmasked) export needs a reason and a second person's
# approval, holds at most this many rows, and must be fetched within this many hours.
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 5000)
EXPORT_APPROVAL_HOURS = env_int("EXPORT_APPROVAL_HOURS", 72)

# How many days after recording a cadre may still correct or withdraw their own visit (the
# campaign office, any time): a record-keeping policy of the deployment, like the audit floors.
VISIT_EDIT_DAYS = max(0, env_int("VISIT_EDIT_DAYS", 7))

# Audit retention floors: `minqing audit purge` never removes younger rows.
AUDIT_KEEP_SECURITY_DAYS = max(180, env_int("AUDIT_KEEP_SECURITY_DAYS", 180))
AUDIT_KEEP_PROCESSING_DAYS = max(3 * 365, env_int("AUDIT_KEEP_PROCESSING_DAYS", 3 * 365))

# Backups: where `minqing backup` writes unless told otherwise.
BACKUP_DIR = Path(env("BACKUP_DIR", str(VAR_DIR / "backups")))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "minqing" / "locale"]
# Date formats that differ from Django's for a language (4月15日, not 04月15日).
FORMAT_MODULE_PATH = ["minqing.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "minqing" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded files live outside the web root and are served only through scoped views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "files")))

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Demo and paging.
DEMO_PASSWORD = env("DEMO_PASSWORD")
PAGE_SIZE = env_int("PAGE_SIZE", 25)
API_PAGE_SIZE_MAX = env_int("API_PAGE_SIZE_MAX", 200)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# Public intake (QR page, Open311) and tracking: requests allowed per window. Counted in
# Django's cache; with several application servers, point CACHES at a shared Redis.
INTAKE_PER_IP_PER_HOUR = env_int("INTAKE_PER_IP_PER_HOUR", 10)
INTAKE_PER_PHONE_PER_DAY = env_int("INTAKE_PER_PHONE_PER_DAY", 5)
TRACK_PER_IP_PER_HOUR = env_int("TRACK_PER_IP_PER_HOUR", 30)
# The public disclosure boards (page and PDF), per IP.
BOARD_RATE_IP = env("BOARD_RATE_IP", "120/hour")
