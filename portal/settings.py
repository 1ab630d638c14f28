"""Thana Connect settings: one module, driven by environment variables.

The defaults are the embedded setup that `make run` uses (SQLite, an embedded Celery broker,
a file cache and the sandbox WhatsApp provider). Production changes environment variables
only; see the configuration table in README.md. A malformed value stops start-up with a
message that names the variable.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("THANA_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env_value(name: str, read):  # type: ignore[no-untyped-def]
    """Read one variable, turning any parse error into a message that names it."""
    try:
        return read()
    except Exception as exc:  # environ raises ValueError, ImproperlyConfigured, ... on bad input
        message = str(exc) if name in str(exc) else f"{name} is malformed: {exc}"
        raise ImproperlyConfigured(message) from exc


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    """An integer setting that refuses garbage and values below `minimum`."""
    value = int(_env_value(name, lambda: env.int(name, default=default)))
    if value < minimum:
        raise ImproperlyConfigured(f"{name} is malformed: must be at least {minimum}.")
    return value


DEBUG = _env_value("DEBUG", lambda: env.bool("DEBUG", default=True))
_DEFAULT_DEV_KEY = "insecure-embedded-only-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=_DEFAULT_DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and SECRET_KEY == _DEFAULT_DEV_KEY:
    raise ImproperlyConfigured("SECRET_KEY is the embedded default; set a real secret.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_celery_beat",
    "django_htmx",
    "simple_history",
    "phonenumber_field",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "stations",
    "accounts",
    "people",
    "groups",
    "broadcasts",
    "complaints",
    "outreach",
    "reports",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.input_cleaning.InputCleaningMiddleware",  # no control characters reach a view
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionTouchMiddleware",  # the idle clock, restarted once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.CachedOTPMiddleware",  # django_otp's OTPMiddleware, device cached
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SecondFactorMiddleware",  # after OTP: enforces the verified session
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'thana.sqlite3'}"
_DB_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis", "sqlite"}


def _database_config(url: str) -> dict:  # type: ignore[type-arg]
    """Parse DATABASE_URL, refusing anything that is not PostgreSQL or SQLite."""
    scheme = urlparse(url).scheme
    if scheme not in _DB_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL is malformed: scheme {scheme!r} is not supported. "
            "Use postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:////absolute/path.db"
        )
    config = _env_value("DATABASE_URL", lambda: environ.Env.db_url_config(url))
    if scheme != "sqlite" and not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL is malformed: it names no database.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and IMMEDIATE let web, worker and beat share one file without "database is locked".
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
        config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return dict(config)


DATABASE_URL = env.str("DATABASE_URL", default=_SQLITE_DEFAULT)
DATABASES = {"default": _database_config(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
_FILE_CACHE_DEFAULT = f"filecache://{VAR_DIR / 'cache'}"


def _cache_config(url: str) -> dict:  # type: ignore[type-arg]
    """Parse CACHE_URL; Redis uses Django's own Redis backend."""
    scheme = urlparse(url).scheme
    backend = "django.core.cache.backends.redis.RedisCache" if scheme.startswith("redis") else None
    config = _env_value("CACHE_URL", lambda: environ.Env.cache_url_config(url, backend=backend))
    if not config.get("BACKEND"):
        raise ImproperlyConfigured(f"CACHE_URL is malformed: {url!r}")
    return dict(config)


CACHES = {"default": _cache_config(env.str("CACHE_URL", default=_FILE_CACHE_DEFAULT))}
# Several portals (or parallel test processes) may share one Redis: keys carry this prefix.
CACHES["default"]["KEY_PREFIX"] = env.str(
    "CACHE_KEY_PREFIX", default=os.environ.get("PYTEST_XDIST_WORKER", "")
)
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Parallel test processes each get their own Redis database: cache.clear() flushes a
    # whole database, and must not wipe another process's rate-limit counters mid-test.
    CACHES["default"]["LOCATION"] = re.sub(
        r"/\d+$", f"/{10 + int(_xdist_worker[2:] or 0)}", CACHES["default"]["LOCATION"]
    )

# --- Celery ---------------------------------------------------------------------------------
_BROKER_DEFAULT = f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_BROKER_DEFAULT)
_broker_scheme = urlparse(CELERY_BROKER_URL).scheme
if _broker_scheme not in {"redis", "rediss", "sqla+sqlite", "sqla+postgresql", "memory"}:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL is malformed: scheme {_broker_scheme!r} is not supported. "
        "Use redis://HOST:PORT/DB (production) or leave it unset for the embedded broker."
    )
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = "Asia/Kolkata"
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is redelivered, never silently lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE = {
    "broadcasts-dispatch": {"task": "broadcasts.dispatch", "schedule": 5.0},
    "broadcasts-reap": {"task": "broadcasts.reap", "schedule": 30.0},
}

# --- WhatsApp -------------------------------------------------------------------------------
WHATSAPP_PROVIDER = env.str("WHATSAPP_PROVIDER", default="sandbox")
if WHATSAPP_PROVIDER not in {"sandbox", "cloud"}:
    raise ImproperlyConfigured(
        f"WHATSAPP_PROVIDER is malformed: {WHATSAPP_PROVIDER!r}; use 'sandbox' or 'cloud'."
    )
WHATSAPP_API_BASE_URL = env.str("WHATSAPP_API_BASE_URL", default="https://graph.facebook.com")
WHATSAPP_API_VERSION = env.str("WHATSAPP_API_VERSION", default="v23.0")
WHATSAPP_TOKEN = env.str("WHATSAPP_TOKEN", default="")
WHATSAPP_PHONE_NUMBER_ID = env.str("WHATSAPP_PHONE_NUMBER_ID", default="")
WHATSAPP_APP_SECRET = env.str("WHATSAPP_APP_SECRET", default="")
WHATSAPP_VERIFY_TOKEN = env.str("WHATSAPP_VERIFY_TOKEN", default="")
WHATSAPP_MESSAGES_PER_SECOND = _env_value(
    "WHATSAPP_MESSAGES_PER_SECOND", lambda: env.int("WHATSAPP_MESSAGES_PER_SECOND", default=80)
)
if WHATSAPP_MESSAGES_PER_SECOND < 1:
    raise ImproperlyConfigured("WHATSAPP_MESSAGES_PER_SECOND is malformed: must be at least 1.")
if WHATSAPP_PROVIDER == "cloud":
    _missing = [
        name
        for name in ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET")
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(
            "WHATSAPP_PROVIDER=cloud needs " + ", ".join(_missing) + " to be set."
        )
WHATSAPP_BUSINESS_ACCOUNT_ID = env.str("WHATSAPP_BUSINESS_ACCOUNT_ID", default="")


WHATSAPP_SEND_CONCURRENCY = _env_int("WHATSAPP_SEND_CONCURRENCY", 16, minimum=1)
WHATSAPP_BATCH_SIZE = _env_int("WHATSAPP_BATCH_SIZE", 200, minimum=1)
WHATSAPP_MAX_ATTEMPTS = _env_int("WHATSAPP_MAX_ATTEMPTS", 6, minimum=1)
WHATSAPP_RETRY_BASE_SECONDS = 2.0
# Least time between two messages to the same phone (WhatsApp's pair rate limit, error 131056,
# is about one per 6 s); the sender defers the second rather than have it refused. 0: off.
WHATSAPP_PAIR_SPACING_SECONDS = float(
    _env_value(
        "WHATSAPP_PAIR_SPACING_SECONDS",
        lambda: env.float("WHATSAPP_PAIR_SPACING_SECONDS", default=6.0),
    )
)
if WHATSAPP_PAIR_SPACING_SECONDS < 0:
    raise ImproperlyConfigured("WHATSAPP_PAIR_SPACING_SECONDS is malformed: must be 0 or more.")
WHATSAPP_RATE_SAFETY = 0.93  # aim under the limit so thread scheduling jitter never crosses it
# Unique recipients per moving 24 h that the business portfolio's tier allows (250, 2000,
# 10000, 100000; 0 = unlimited). The rest of a broadcast is deferred with a visible reason.
WHATSAPP_MESSAGING_LIMIT = _env_int("WHATSAPP_MESSAGING_LIMIT", 100000)
# What one delivered template costs in India, per category, in INR (Meta's per-message
# pricing; the defaults are the India rate card of 2025: set the current ones from Meta's page).
WHATSAPP_PRICE_INR = {
    "MARKETING": env.float("WHATSAPP_PRICE_INR_MARKETING", default=0.8631),
    "UTILITY": env.float("WHATSAPP_PRICE_INR_UTILITY", default=0.115),
    "AUTHENTICATION": env.float("WHATSAPP_PRICE_INR_AUTHENTICATION", default=0.115),
}
WHATSAPP_CLAIM_LEASE_SECONDS = _env_int("WHATSAPP_CLAIM_LEASE_SECONDS", 120, minimum=2)
WHATSAPP_SENDER_LEASE_SECONDS = _env_int("WHATSAPP_SENDER_LEASE_SECONDS", 30, minimum=2)
# A stopped broadcast's officers are told once the other sender slots' answers are in
# (they halt within a request); at most this long.
WHATSAPP_STOP_SETTLE_SECONDS = 15.0
WHATSAPP_UNKNOWN_GRACE_SECONDS = _env_int("WHATSAPP_UNKNOWN_GRACE_SECONDS", 600, minimum=1)
# Stored webhooks whose processing task was lost (broker down) are swept after this long.
WEBHOOK_SWEEP_AFTER_SECONDS = _env_int("WEBHOOK_SWEEP_AFTER_SECONDS", 20, minimum=1)
if WEBHOOK_SWEEP_AFTER_SECONDS >= WHATSAPP_UNKNOWN_GRACE_SECONDS:
    raise ImproperlyConfigured(
        "WHATSAPP_UNKNOWN_GRACE_SECONDS must be longer than WEBHOOK_SWEEP_AFTER_SECONDS, or "
        "messages WhatsApp accepted could be resent before their webhook is processed."
    )
BROADCAST_APPROVAL_THRESHOLD = _env_int("BROADCAST_APPROVAL_THRESHOLD", 1000)
BROADCAST_SENDERS_PER_BROADCAST = _env_int("BROADCAST_SENDERS_PER_BROADCAST", 2, minimum=1)
BROADCAST_QUIET_HOURS = env.str("BROADCAST_QUIET_HOURS", default="21:00-08:00")
if BROADCAST_QUIET_HOURS and not re.fullmatch(
    r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", BROADCAST_QUIET_HOURS
):
    raise ImproperlyConfigured(
        f"BROADCAST_QUIET_HOURS is malformed: {BROADCAST_QUIET_HOURS!r}; use HH:MM-HH:MM or empty."
    )
WHATSAPP_STOP_KEYWORDS = [
    "stop",
    "unsubscribe",
    "band",
    "बंद",
    "रोकें",
    "रोको",
    "बंद करो",
    "বন্ধ",
    "বন্ধ করুন",
    "থামান",
]

if urlparse(WHATSAPP_API_BASE_URL).scheme not in {"http", "https"}:
    raise ImproperlyConfigured(
        f"WHATSAPP_API_BASE_URL is malformed: {WHATSAPP_API_BASE_URL!r} is not an http(s) URL."
    )

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out username+IP pairs first
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a username from one address after 5 failures; an administrator unlocks it (admin
# "Access attempts", or `manage.py axes_reset_username NAME`), or it unlocks after the cool-off.
AXES_FAILURE_LIMIT = _env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("LOGIN_LOCKOUT_MINUTES", 60, minimum=1))
# Failures of the password step and of the second-factor step both count; only a complete
# login (password + second factor, or password alone where no second factor is required)
# clears them (accounts.two_factor.clear_login_failures), so a stolen password cannot be
# used to reset the counter between guesses at the code.
AXES_RESET_ON_SUCCESS = False
AXES_SENSITIVE_PARAMETERS = ["token"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = _env_value(
    "SESSION_COOKIE_AGE", lambda: env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
)
# Idle timeout: accounts.middleware.SessionTouchMiddleware restarts the clock at most every
# SESSION_TOUCH_SECONDS (saving the session on every request cost a database write per page).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = _env_int("SESSION_TOUCH_SECONDS", 60, minimum=1)
# Sessions are read from the cache and written through to the database (a cache restart logs
# nobody out).
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.cached_db")
# Police and administrator sessions end after this many idle minutes (NGO coordinators keep
# SESSION_COOKIE_AGE): set per session at login by accounts.signals.
POLICE_SESSION_IDLE_MINUTES = _env_int("POLICE_SESSION_IDLE_MINUTES", 30, minimum=1)

# Second factor (django-otp: TOTP apps plus single-use backup codes). Every police role, staff
# and superuser must verify a second factor before anything but the pages in
# accounts.middleware.OPEN_URL_NAMES; NGO coordinators need it to write. See docs/security.md.
THANA_REQUIRE_2FA = _env_value("THANA_REQUIRE_2FA", lambda: env.bool("THANA_REQUIRE_2FA", True))
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Thana Connect")
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes wait 2**(n-1) s (and axes counts each)
OTP_STATIC_THROTTLE_FACTOR = 1
TWO_FACTOR_BACKUP_CODES = 10
# The demo logins' TOTP secret (hex), set by seed_demo only while DEBUG is on.
DEMO_TOTP_KEY = env.str("DEMO_TOTP_KEY", default=b"thana-connect-demo!!".hex())

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
# English dates as India writes them (portal/formats/en): 25 Oct 2026, 25/10/2026.
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGES = [("en", _("English")), ("hi", _("Hindi")), ("bn", _("Bengali"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "IN"
PHONENUMBER_DB_FORMAT = "E164"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG  # embedded mode serves static files without collectstatic
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- Security -------------------------------------------------------------------------------
# No inline script anywhere: scripts come only from our own static files. Inline style
# attributes are allowed (Bootstrap's JavaScript and the admin set them); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)

# --- REST API -------------------------------------------------------------------------------
# Every API list pages with portal.pagination.Pagination: `?limit=` (default PAGE_SIZE) is
# lowered to API_MAX_PAGE_SIZE, so no request reads a whole list at once.
API_MAX_PAGE_SIZE = _env_int("API_MAX_PAGE_SIZE", 200, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Whatever parser a view picks, its result comes without control characters.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "portal.input_cleaning.CleaningContentNegotiation",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Thana Connect API",
    "DESCRIPTION": "Community engagement for police stations: every endpoint is scoped to the "
    "caller's jurisdiction.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every endpoint and input field (victim identity included): signed-in
    # users only, and the second factor applies as for the API (accounts.middleware).
    "SERVE_PUBLIC": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# --- Logging --------------------------------------------------------------------------------
# Request lines are logged without query strings: searches carry what officers type (a
# victim's name). gunicorn's access log: portal/gunicorn.conf.py; runserver's: the filter here;
# django.request logs the path only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"queryless": {"()": "portal.access_log.QuerylessRequestFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {
            "handlers": ["console"],
            "filters": ["queryless"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
# The embedded setup (`make run`) keeps beat's and the worker's routine lines about the tasks
# due every few seconds out of the terminal, so the demo logins stay readable
# (portal.quiet_logs). Set QUIET_PERIODIC_TASK_LOGS=false to see every run.
QUIET_PERIODIC_TASK_LOGS = env.bool(
    "QUIET_PERIODIC_TASK_LOGS", default=CELERY_BROKER_URL == _BROKER_DEFAULT
)
if QUIET_PERIODIC_TASK_LOGS:
    LOGGING["filters"] = {
        **LOGGING["filters"],  # type: ignore[dict-item]
        "quiet_frequent_tasks": {"()": "portal.quiet_logs.QuietFrequentTasks"},
    }
    LOGGING["loggers"] = {
        **LOGGING["loggers"],  # type: ignore[dict-item]
        **{
            name: {"filters": ["quiet_frequent_tasks"]}
            for name in ("celery.beat", "celery.worker.strategy", "celery.app.trace")
        },
    }

# --- Portal ---------------------------------------------------------------------------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="thana-demo-2026")

# --- Field work and partners (stations hotspots/audits, complaints anti-Romeo, outreach) ------
# Uploaded photos and closure evidence are personal data (girl students at a drive, a station's
# premises): they live outside MEDIA_ROOT and are served only through access-checked views.
PRIVATE_MEDIA_ROOT = Path(
    _env_value("PRIVATE_MEDIA_ROOT", lambda: env.str("PRIVATE_MEDIA_ROOT", default=""))
    or VAR_DIR / "private-media"
)
UPLOAD_MAX_BYTES = _env_value(
    "UPLOAD_MAX_BYTES", lambda: env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
)
DRIVE_MAX_PHOTOS = _env_value("DRIVE_MAX_PHOTOS", lambda: env.int("DRIVE_MAX_PHOTOS", default=4))
HOTSPOT_PATROL_DUE_DAYS = _env_value(
    "HOTSPOT_PATROL_DUE_DAYS", lambda: env.int("HOTSPOT_PATROL_DUE_DAYS", default=7)
)
AUDIT_DEFICIT_DUE_DAYS = _env_value(
    "AUDIT_DEFICIT_DUE_DAYS", lambda: env.int("AUDIT_DEFICIT_DUE_DAYS", default=15)
)
# Day of the following month on which a station's monthly return falls due (clamped to 1..28).
STATION_RETURN_DUE_DAY = _env_int("STATION_RETURN_DUE_DAY", 5, minimum=1)
if UPLOAD_MAX_BYTES <= 0 or DRIVE_MAX_PHOTOS < 0 or HOTSPOT_PATROL_DUE_DAYS <= 0:
    raise ImproperlyConfigured(
        "UPLOAD_MAX_BYTES and HOTSPOT_PATROL_DUE_DAYS must be positive; DRIVE_MAX_PHOTOS >= 0."
    )


# --- Community groups (groups app) ------------------------------------------------------------
def _groups_int(name: str, default: int, low: int, high: int) -> int:
    """An integer groups setting within [low, high]; anything else stops start-up."""
    value = int(_env_value(name, lambda: env.int(name, default=default)))
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} is malformed: must be between {low} and {high}.")
    return value


GROUPS_DEFAULT_CAPACITY = _groups_int("GROUPS_DEFAULT_CAPACITY", 256, 1, 1024)
GROUPS_STRIKES_BEFORE_REMOVAL = _groups_int("GROUPS_STRIKES_BEFORE_REMOVAL", 3, 1, 20)
GROUPS_NAME_MATCH_THRESHOLD = _groups_int("GROUPS_NAME_MATCH_THRESHOLD", 85, 50, 100)
GROUPS_REVET_AFTER_DAYS = _groups_int("GROUPS_REVET_AFTER_DAYS", 365, 1, 3650)
GROUPS_APPLY_PER_IP_PER_HOUR = _groups_int("GROUPS_APPLY_PER_IP_PER_HOUR", 10, 1, 100000)
GROUPS_APPLY_PER_PHONE_PER_DAY = _groups_int("GROUPS_APPLY_PER_PHONE_PER_DAY", 3, 1, 1000)
GROUPS_IDEMPOTENCY_SECONDS = _groups_int("GROUPS_IDEMPOTENCY_SECONDS", 86400, 60, 7 * 86400)


# --- Subscriber list imports (people app) ----------------------------------------------------
# Upload limits are checked before anything is stored; the worker imports in batches of
# PEOPLE_IMPORT_BATCH_SIZE rows, each committed with the job's counters; a running job whose
# heartbeat is older than PEOPLE_IMPORT_STALE_SECONDS may be reclaimed by another worker; the
# uploaded file and its rejected rows are deleted PEOPLE_IMPORT_RETENTION_DAYS after the import.
PEOPLE_IMPORT_MAX_ROWS = _env_int("PEOPLE_IMPORT_MAX_ROWS", 100_000, minimum=1)
PEOPLE_IMPORT_MAX_BYTES = _env_int("PEOPLE_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
PEOPLE_IMPORT_BATCH_SIZE = _env_int("PEOPLE_IMPORT_BATCH_SIZE", 2000, minimum=1)
PEOPLE_IMPORT_RETENTION_DAYS = _env_int("PEOPLE_IMPORT_RETENTION_DAYS", 30, minimum=1)
PEOPLE_IMPORT_STALE_SECONDS = _env_int("PEOPLE_IMPORT_STALE_SECONDS", 300, minimum=30)
PEOPLE_IMPORT_QUEUE = env.str("PEOPLE_IMPORT_QUEUE", default="")  # empty: Celery's default queue
CELERY_BEAT_SCHEDULE["people-sweep-imports"] = {"task": "people.sweep_imports", "schedule": 60.0}


# --- Complaint intake (complaints app) -------------------------------------------------------
# Victim identities are encrypted with keys derived from SECRET_KEY and SALT_KEY
# (django-fernet-encrypted-fields); phone look-ups use HMAC-SHA256 with COMPLAINTS_LOOKUP_KEY.
# A list of SALT_KEY values (comma-separated) lets old keys keep decrypting after a rotation.
SALT_KEY = env.list("SALT_KEY", default=["thana-connect-dev-salt"] if DEBUG else [])
COMPLAINTS_LOOKUP_KEY = env.str(
    "COMPLAINTS_LOOKUP_KEY", default="thana-connect-dev-lookup" if DEBUG else ""
)
if not SALT_KEY or not COMPLAINTS_LOOKUP_KEY:
    raise ImproperlyConfigured("SALT_KEY and COMPLAINTS_LOOKUP_KEY must be set when DEBUG is off.")
# Working days allowed per complaint category before a complaint is overdue ("*": default).
COMPLAINTS_SLA_WORKING_DAYS = {
    "*": _env_int("COMPLAINTS_SLA_DEFAULT_DAYS", 7, minimum=1),
    "sexual_assault": 1,
    "molestation": 2,
    "child_related": 2,
    "trafficking": 1,
    "missing_person": 1,
    "domestic_violence": 3,
    "stalking": 3,
    "eve_teasing": 3,
    "cyber_fraud": 5,
}
# Gazetted holidays (ISO dates) skipped, like Sundays, when counting working days.
COMPLAINTS_HOLIDAYS = env.list("COMPLAINTS_HOLIDAYS", default=[])
# Hours after the IC escalation before an overdue complaint goes to the district.
COMPLAINTS_DISTRICT_GRACE_HOURS = _env_int("COMPLAINTS_DISTRICT_GRACE_HOURS", 48, minimum=1)
COMPLAINTS_STATUS_LOOKUPS_PER_HOUR = _env_int("COMPLAINTS_STATUS_LOOKUPS_PER_HOUR", 10, minimum=1)
# The district (code) our WhatsApp number serves: a message from a sender we cannot place at a
# station waits in this district's unassigned queue. Empty: such messages are logged, not kept.
COMPLAINTS_WHATSAPP_DISTRICT = env.str("COMPLAINTS_WHATSAPP_DISTRICT", default="")
# Review report: exports over more stations than this are built by a worker; longest period.
REPORTS_SYNC_EXPORT_MAX_STATIONS = _env_int("REPORTS_SYNC_EXPORT_MAX_STATIONS", 100, minimum=1)
# The IC dashboard keeps its slow-moving cards this long at most (reports.dashboard_cache; 0: off).
DASHBOARD_CACHE_SECONDS = _env_int("DASHBOARD_CACHE_SECONDS", 60, minimum=0)
REPORTS_MAX_PERIOD_DAYS = _env_int("REPORTS_MAX_PERIOD_DAYS", 731, minimum=31)
CELERY_BEAT_SCHEDULE["complaints-escalate-overdue"] = {
    "task": "complaints.escalate_overdue",
    "schedule": 900.0,
}

# --- Audit log retention (accounts.audit_retention) -----------------------------------------
# Audit events older than this are purged daily; at least a year must be kept (the database
# trigger refuses to delete anything younger than 365 days whatever this says).
AUDIT_RETENTION_DAYS = _env_int("AUDIT_RETENTION_DAYS", 400, minimum=365)
CELERY_BEAT_SCHEDULE["accounts-purge-audit-events"] = {
    "task": "accounts.purge_audit_events",
    "schedule": 24 * 60 * 60.0,
}

# --- Notifications (accounts.notifications) --------------------------------------------------
# E-mail for notifications (a broadcast stopped by WhatsApp, ...), e.g.
# EMAIL_URL=smtp+tls://user:password@smtp.example.gov.in:587. Unset: in-portal notifications
# only (the bell and the dashboard), no e-mail.
_EMAIL_URL = env.str("EMAIL_URL", default="")
NOTIFICATIONS_EMAIL = bool(_EMAIL_URL)
if _EMAIL_URL:
    globals().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Thana Connect <noreply@localhost>")
# The portal's address as users reach it, for links in e-mails.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")
CELERY_BEAT_SCHEDULE["accounts-email-notifications"] = {
    "task": "accounts.email_pending_notifications",
    "schedule": 120.0,
}
