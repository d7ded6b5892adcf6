"""Settings, read from the environment in this one place.

DATABASE_URL chooses the engine: unset means the embedded SQLite file
(`OPIEKUN_HOME/opiekun.sqlite3`); `postgres://…` means PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("OPIEKUN_HOME", Path.cwd() / "var"))

DEBUG = os.environ.get("OPIEKUN_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("OPIEKUN_SECRET_KEY", "opiekun-dev-secret-key-change-me-in-production")
ALLOWED_HOSTS = os.environ.get("OPIEKUN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("OPIEKUN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# The operator who creates a contractor becomes its main caretaker (docs/semantics.md, "Visibility").
CREATOR_BECOMES_CARETAKER = os.environ.get("OPIEKUN_CREATOR_BECOMES_CARETAKER", "1") == "1"

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
    "opiekun",
    "opiekun.operators",
    "opiekun.contractors",
    "opiekun.caretakers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
]

ROOT_URLCONF = "opiekun.urls"
WSGI_APPLICATION = "opiekun.wsgi.application"

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
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": HOME / "opiekun.sqlite3",
        "OPTIONS": {
            # Writers take the lock when their transaction begins, so two bulk
            # writers queue up instead of failing half-way (docs/semantics.md, "Dodaj opiekuna").
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": _database()}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPIEKUN_LOG_LEVEL", "WARNING")},
}


# --- Read replicas (docs/operations.md, "Read replicas") ------------------------------
# DATABASE_REPLICA_URLS: comma-separated URLs of PostgreSQL streaming replicas of
# DATABASE_URL. With them, a web request that only reads reads from one of them, and
# every write, every transaction and the writer's next OPIEKUN_REPLICA_STICKY_SECONDS
# (default 5) of reads go to the primary (src/opiekun/db_routing.py). Unset: one database.
REPLICA_STICKY_SECONDS = int(os.environ.get("OPIEKUN_REPLICA_STICKY_SECONDS", "5"))
REPLICA_DATABASES: list[str] = []
for _index, _url in enumerate(
    u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()
):
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL DATABASE_URL")
    _alias = f"replica{_index + 1}"
    DATABASES[_alias] = {
        **dj_database_url.parse(_url, conn_max_age=60),
        # Under test a replica is the test database itself: no second test database.
        "TEST": {"MIRROR": "default"},
    }
    REPLICA_DATABASES.append(_alias)
if REPLICA_DATABASES:
    DATABASE_ROUTERS = ["opiekun.db_routing.PrimaryReplicaRouter"]
    # First, so that every later middleware's reads (session, user) follow its choice.
    MIDDLEWARE = ["opiekun.db_routing.ReadYourWritesMiddleware", *MIDDLEWARE]
