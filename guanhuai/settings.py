"""Django settings. Values that differ between deployments come from `guanhuai.env` (see .env.example)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from guanhuai import env

BASE_DIR = env.BASE_DIR
VAR_DIR = Path(env.get("GUANHUAI_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.get_bool("GUANHUAI_DEBUG", False)
DEMO = env.get_bool("GUANHUAI_DEMO", False)
TESTING = "pytest" in sys.modules or env.get_bool("GUANHUAI_TESTING", False)
_RELAXED = DEBUG or DEMO or TESTING


def _secret(name: str, *, length: int) -> str:
    """A secret from the environment. Only debug, demo and test runs may invent one."""
    value = env.get(name)
    if value:
        return value
    if not _RELAXED:
        raise ImproperlyConfigured(f"{name} must be set in production (see .env.example).")
    path = VAR_DIR / f".{name.lower()}"
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(length)
    path.write_text(value)
    path.chmod(0o600)
    return value


SECRET_KEY = _secret("SECRET_KEY", length=50)
# Fernet key material for sensitive fields; any string of 32+ chars, stretched in core.crypto.
FIELD_KEY = _secret("GUANHUAI_FIELD_KEY", length=32)

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "guanhuai.core",
    "guanhuai.orgs",
    "guanhuai.accounts",
    "guanhuai.audit",
    "guanhuai.jobs",
    "guanhuai.registry",
    "guanhuai.funds",
    "guanhuai.programmes",
    "guanhuai.association",
    "guanhuai.projects",
    "guanhuai.governance",
    "guanhuai.portal",
    "guanhuai.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A cached public page (/gk/…) for a reader without a session, before the rest of the stack.
    "guanhuai.portal.middleware.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "guanhuai.web.middleware.SlidingSessionMiddleware",
    "guanhuai.web.middleware.StaffLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "guanhuai.core.web.DomainErrorMiddleware",
    "guanhuai.core.scopes.ScopeGuardMiddleware",
    "guanhuai.audit.middleware.RequestContextMiddleware",
    "guanhuai.core.api.JsonErrorsMiddleware",
    "axes.middleware.AxesMiddleware",
    "guanhuai.accounts.ratelimit.RateLimitMiddleware",
    # Sets a Content-Security-Policy only where a view asks (the public portal: portal.public.PUBLIC_CSP).
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "guanhuai.urls"
WSGI_APPLICATION = "guanhuai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "guanhuai" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "guanhuai.web.context_processors.navigation",
            ],
            # Money's one display format (¥3,280.00) in every template without a {% load %}.
            "builtins": ["guanhuai.core.templatetags.money"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'guanhuai.sqlite3'}") or "", conn_health_checks=True
    )
}
# PostgreSQL keeps its connections for a minute by default: opening one per request cost about half a core
# at 27 requests/s (issue 16). Health checks drop a connection the server has closed before it is reused.
# Behind pgbouncer in transaction pooling, set DATABASE_CONN_MAX_AGE=0 and
# DATABASE_DISABLE_SERVER_SIDE_CURSORS=1 (a cursor cannot outlive the transaction pgbouncer lends).
_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.get_int("DATABASE_CONN_MAX_AGE", 60 if _POSTGRES else 0)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.get_bool(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS", False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web process reads; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# argon2id at OWASP's minimum (m=19 MiB, t=2, p=1), reasoned in accounts/hashers.py and docs/deployment.md.
GUANHUAI_PASSWORD_HASHERS = [
    "guanhuai.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_HASHERS = GUANHUAI_PASSWORD_HASHERS
if TESTING:
    # Argon2 is deliberately slow; tests of login still run through it (accounts/tests/test_login.py).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *GUANHUAI_PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after inactivity and when the browser closes. The expiry slides, but is written at most
# once every SESSION_REFRESH_SECONDS (web.middleware.SlidingSessionMiddleware), not on every page view.
SESSION_COOKIE_AGE = env.get_int("GUANHUAI_SESSION_SECONDS", 8 * 3600)
SESSION_REFRESH_SECONDS = env.get_int("GUANHUAI_SESSION_REFRESH_SECONDS", 5 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.get_bool("GUANHUAI_SECURE_COOKIES", not _RELAXED)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# The cache holds the rate-limit counters (accounts/ratelimit.py), so every web worker must share it:
# CACHE_URL=redis://… in production on several machines; without it, a file cache in var/cache.
try:
    CACHES = env.caches(
        env.get("CACHE_URL", "") or "",
        default_dir=VAR_DIR / "cache",
        testing=TESTING,
        max_entries=env.get_int("GUANHUAI_FILE_CACHE_MAX_ENTRIES", 5000),
    )
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
RATELIMIT_USE_CACHE = "default"
# Behind a reverse proxy that sets it, e.g. HTTP_X_REAL_IP; the default is the connection's address.
RATELIMIT_IP_META_KEY = env.get("GUANHUAI_CLIENT_IP_HEADER", "") or None
GUANHUAI_RATE_LIMITS_ENABLED = env.get_bool("GUANHUAI_RATE_LIMITS_ENABLED", True)
# Per group, "per user,per address" as django-ratelimit rates, e.g. GUANHUAI_RATE_LIMIT_LOGIN=10/m,120/m.
GUANHUAI_RATE_LIMITS = {
    group: tuple(value.split(",", 1))
    for group in ("login", "id_lookup", "unmask", "export", "token_create", "certificate_check", "sign_in")
    if (value := env.get(f"GUANHUAI_RATE_LIMIT_{group.upper()}", "") or "") and "," in value
}

AXES_FAILURE_LIMIT = env.get_int("GUANHUAI_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = env.get_int("GUANHUAI_LOCKOUT_MINUTES", 15) / 60  # hours
# Lock by account, not by IP: a township office shares one NAT address, and one clerk's typos must not
# lock out the whole office. Hence axes.W006 is silenced below.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# axes' database handler without the two empty write transactions of every successful login.
AXES_HANDLER = "guanhuai.accounts.lockout.LoginAttemptHandler"

LANGUAGE_CODE = env.get("GUANHUAI_LANGUAGE", "zh-hans") or "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "guanhuai" / "locale"]
TIME_ZONE = env.get("TIME_ZONE", "Asia/Shanghai") or "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static files are served by WhiteNoise from STATIC_ROOT, filled by `guanhuai collectstatic` (`make demo`
# runs it): names carry a content hash, files are pre-compressed, and hashed names are cached for a year.
# A page whose template names a file missing from the manifest fails, so a deployment finds out at once.
# Only the test suite keeps plain names (no collectstatic per run; web/tests/test_static.py covers the
# real storage), and only debug and tests serve straight from the source folders.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root even when serving from finders
STATICFILES_DIRS = [BASE_DIR / "guanhuai" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
GUANHUAI_STATIC_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    if TESTING
    else GUANHUAI_STATIC_STORAGE,
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
GUANHUAI_MAX_UPLOAD_BYTES = env.get_int("GUANHUAI_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# The largest amount (yuan) the API accepts in one money field; more is a 422 amount_too_large.
GUANHUAI_MAX_AMOUNT = env.get("GUANHUAI_MAX_AMOUNT", "999999999999.99") or "999999999999.99"

# Jobs run through django-tasks. The embedded default stores them in the database and `guanhuai worker`
# executes them; tests run them in-process.
TASKS = {
    "default": {
        "BACKEND": env.get("GUANHUAI_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
        if not TESTING
        else "django_tasks.backends.immediate.ImmediateBackend",
    }
}

GUANHUAI_DEMO_PASSWORD = env.get("GUANHUAI_DEMO_PASSWORD", "guanhuai-demo")

# A payment cycle for a period more than this many months before the current month needs a reason
# (generation reads today's registry, not the facts of that period: docs/programmes.md, "Past periods").
# Off under tests, whose periods are fixed dates; the tests of the rule turn it on.
GUANHUAI_PAST_PERIOD_MONTHS = None if TESTING else env.get_int("GUANHUAI_PAST_PERIOD_MONTHS", 3)

# The scope guard (guanhuai/core/scopes.py, docs/scoping.md): during a request, a branch-owned model listed
# without accounts.scoping raises UnscopedQuery. Always on in tests; GUANHUAI_SCOPE_GUARD=1 turns it on in a
# development run. "record" logs each unscoped read to GUANHUAI_SCOPE_RECORD instead of raising (to find
# the call sites before guarding another model). Off in production.
_scope_guard = (env.get("GUANHUAI_SCOPE_GUARD", "") or "").strip().lower()
GUANHUAI_SCOPE_GUARD: bool | str = (
    "record" if _scope_guard == "record" else (_scope_guard in ("1", "true", "yes", "on") or TESTING)
)
GUANHUAI_SCOPE_RECORD = env.get("GUANHUAI_SCOPE_RECORD", "") or str(VAR_DIR / "scope-guard.log")
# Association training (docs/association.md, "Training"): how long a sign-in code shown on the trainer's page
# lives, how early before a session sign-in opens, the share of a course's session hours that earns a
# certificate, and N in "the share of cadres trained at least N hours a year".
GUANHUAI_TRAINING_CODE_SECONDS = env.get_int("GUANHUAI_TRAINING_CODE_SECONDS", 180)
GUANHUAI_TRAINING_SIGNIN_EARLY_MINUTES = env.get_int("GUANHUAI_TRAINING_SIGNIN_EARLY_MINUTES", 30)
GUANHUAI_TRAINING_CERTIFICATE_PERCENT = env.get_int("GUANHUAI_TRAINING_CERTIFICATE_PERCENT", 80)
GUANHUAI_TRAINING_MIN_HOURS = env.get_int("GUANHUAI_TRAINING_MIN_HOURS", 16)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "WARNING")},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The public portal (docs/portal.md): how long an anonymous page stays in the page cache at most (publish and
# withdraw invalidate at once; the bound is for read counts and scheduled articles coming due).
GUANHUAI_PORTAL_CACHE_SECONDS = env.get_int("GUANHUAI_PORTAL_CACHE_SECONDS", 120)
# How many first reads of the day a web worker keeps in memory before writing them in one batch, and how many
# seconds at most a read waits (docs/portal.md, Read counts). 0 writes every first read at once (tests).
GUANHUAI_PORTAL_READ_BUFFER = env.get_int("GUANHUAI_PORTAL_READ_BUFFER", 0 if TESTING else 200)
GUANHUAI_PORTAL_READ_FLUSH_SECONDS = env.get_int("GUANHUAI_PORTAL_READ_FLUSH_SECONDS", 5)
# How many days a village's public notice stays on the portal after its last day (marked as ended, no more
# objections taken), so a visitor who comes late learns it ended rather than finding nothing (docs/portal.md).
GUANHUAI_PORTAL_NOTICE_GRACE_DAYS = env.get_int("GUANHUAI_PORTAL_NOTICE_GRACE_DAYS", 3)
