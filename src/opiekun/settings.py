"""Settings, read from the environment in this one place.

DATABASE_URL chooses the engine: unset means the embedded SQLite file
(`OPIEKUN_HOME/opiekun.sqlite3`); `postgres://…` means PostgreSQL.
Every variable is listed in docs/operations.md.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from opiekun.replicas import replica_databases
from opiekun.settings_env import TOKEN_DAYS_MAX, email_settings, env_number, trusted_proxies

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("OPIEKUN_HOME", Path.cwd() / "var"))

DEBUG = os.environ.get("OPIEKUN_DEBUG", "") == "1"

# Keys that were ever published (the old built-in default): never accepted in production.
PUBLIC_SECRET_KEYS = frozenset({"opiekun-dev-secret-key-change-me-in-production"})


def _local_secret_key(path: Path) -> str:
    """This installation's own key, made on first use and kept in OPIEKUN_HOME.

    Written under a temporary name and linked into place, so that processes starting
    together all end up reading the one key that won."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(50) + "\n")
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _secret_key() -> str:
    key = os.environ.get("OPIEKUN_SECRET_KEY", "")
    if not key:
        return _local_secret_key(HOME / "secret_key")
    if key in PUBLIC_SECRET_KEYS and not DEBUG:
        raise ImproperlyConfigured(
            "OPIEKUN_SECRET_KEY is a published key; set a secret one "
            "(or unset it to use the key generated in OPIEKUN_HOME/secret_key)."
        )
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("OPIEKUN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("OPIEKUN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# The operator who creates a contractor becomes its main caretaker (docs/semantics.md, "Visibility").
CREATOR_BECOMES_CARETAKER = os.environ.get("OPIEKUN_CREATOR_BECOMES_CARETAKER", "1") == "1"

# Exports of more rows than this (per format: an XLSX row costs ~2.5x a CSV row, so both
# limits hold a request to ~2.5 s of CPU) are written by a background process into
# EXPORT_DIR and offered for download when done; files there are kept
# EXPORT_KEEP_HOURS (docs/operations.md).
EXPORT_BACKGROUND_ROWS = {
    "csv": env_number("OPIEKUN_EXPORT_BACKGROUND_ROWS_CSV", 200_000, low=1),
    "xlsx": env_number("OPIEKUN_EXPORT_BACKGROUND_ROWS_XLSX", 100_000, low=1),
}
EXPORT_DIR = HOME / "exports"
EXPORT_KEEP_HOURS = env_number("OPIEKUN_EXPORT_KEEP_HOURS", 24, low=1, high=100_000)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "ninja",
    "axes",
    "csp",
    "opiekun",
    "opiekun.operators",
    "opiekun.contractors",
    "opiekun.caretakers",
    "opiekun.coverage",
    "opiekun.notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside everything else, so that it sees every answer under /api/ (404 and 405 too).
    "opiekun.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "opiekun.middleware.PolishFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "opiekun.middleware.DatabaseBusyMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opiekun.urls"
WSGI_APPLICATION = "opiekun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opiekun.dialogs.dialog_frame",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
        return config
    HOME.mkdir(parents=True, exist_ok=True)
    return {
        # Django's engine, plus the statistics the planner needs (src/opiekun/sqlite/).
        "ENGINE": "opiekun.sqlite",
        "NAME": HOME / "opiekun.sqlite3",
        "OPTIONS": {
            # Writers take the lock when their transaction begins, so two bulk
            # writers queue up instead of failing half-way (docs/semantics.md, "Dodaj opiekuna").
            "transaction_mode": "IMMEDIATE",
            # Seconds a writer waits for another one to finish; then the request
            # answers 503 with Retry-After (opiekun/middleware.py).
            "timeout": env_number("OPIEKUN_SQLITE_TIMEOUT", 20, low=0, high=86_400),
            "init_command": "PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": _database()}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    # Not a rule for the password: Django's hook for "the password has changed", which
    # revokes the user's API tokens.
    {"NAME": "opiekun.operators.tokens.RevokeTokensOnPasswordChange"},
]

# django-axes checks this backend first and refuses any attempt once it is locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# API bearer tokens expire this many days after they are issued.
API_TOKEN_LIFETIME = timedelta(days=env_number("OPIEKUN_API_TOKEN_DAYS", 90, low=1, high=TOKEN_DAYS_MAX))

LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("OPIEKUN_TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
# whitenoise indexes this folder at start-up; `opiekun serve` fills it (collectstatic),
# tests and runserver serve through the finders (WHITENOISE_USE_FINDERS).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (docs/operations.md).
HTTPS = os.environ.get("OPIEKUN_HTTPS", "") == "1"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = os.environ.get("OPIEKUN_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = env_number("OPIEKUN_HSTS_SECONDS", 365 * 24 * 3600, low=0, high=10**9)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("OPIEKUN_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("OPIEKUN_HSTS_PRELOAD", "") == "1"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole registered domain to HTTPS in every browser, for
        # months: the domain owner opts in (OPIEKUN_HSTS_PRELOAD=1), not this default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp): scripts and styles come only from this site's
# own static files; the templates carry no inline script, handler or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": HTTPS,
    },
}


# Addresses (or networks) of the reverse proxies whose X-Forwarded-For is believed;
# from anyone else, the connection's own address is the client's.
TRUSTED_PROXIES = trusted_proxies()

# Login throttling (django-axes, state in the database): after 10 failed attempts for
# one username from one client address, that pair is refused for 15 minutes — right
# password or wrong — while the same user from another address is not.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "opiekun.operators.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "opiekun.operators.throttle.lockout_response"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPIEKUN_LOG_LEVEL", "WARNING")},
}

# --- Request limits (src/opiekun/limits.py; docs/operations.md "Request limits") ---
# The largest selection (limits.MAX_SELECTION ids) fits in one body and in one form;
# anything larger is answered 413 with a message, before a view or CSRF reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 101_000
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "opiekun.limits.RequestLimitsMiddleware",
)

# Imports (docs/import.md): the largest file read, in MB; larger ones are refused
# before they are parsed. Uploads in progress and their reports live in IMPORT_DIR
# for IMPORT_KEEP_HOURS.
IMPORT_MAX_BYTES = int(env_number("OPIEKUN_IMPORT_MAX_MB", 50, low=0, high=10**5, whole=False) * 1024 * 1024)
IMPORT_DIR = HOME / "imports"
IMPORT_KEEP_HOURS = env_number("OPIEKUN_IMPORT_KEEP_HOURS", 24, low=1, high=100_000)

# The contractors' list of a viewer who sees every contractor, unfiltered, shows the
# planner's estimate of their number ("of about N") on PostgreSQL once it reaches this
# many (contractors/selectors.py, contractor_list_estimate); below it, and filtered, the
# exact count.
LIST_ESTIMATE_FROM = env_number("OPIEKUN_LIST_ESTIMATE_FROM", 100_000, low=0)
# A filtered list on a page that PostgreSQL's planner expects to hold this many rows shows
# the estimate ("about N") instead of counting them (paging.EstimatingPaginator).
COUNT_ESTIMATE_FROM = env_number("OPIEKUN_COUNT_ESTIMATE_FROM", 50_000, low=1)

REPLICA_STICKY_SECONDS = env_number("OPIEKUN_REPLICA_STICKY_SECONDS", 5, low=0, high=86_400)
DATABASES.update(replica_databases(DATABASES["default"]["ENGINE"]))
REPLICA_DATABASES = [alias for alias in DATABASES if alias != "default"]
if REPLICA_DATABASES:  # reads from replicas: db_routing.py, docs/operations.md "Read replicas"
    DATABASE_ROUTERS = ["opiekun.db_routing.PrimaryReplicaRouter"]
    MIDDLEWARE = ["opiekun.db_routing.ReadYourWritesMiddleware", *MIDDLEWARE]  # first: all reads follow
globals().update(email_settings())  # the daily digest's e-mail (settings_env.py)
OPIEKUN_BASE_URL = os.environ.get("OPIEKUN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")  # links in e-mails
