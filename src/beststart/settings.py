"""Settings, read from the environment so that one code base runs the demo, the tests and
production. See docs/configuration.md for every variable."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(os.environ.get("BESTSTART_HOME", Path(__file__).resolve().parents[2]))
VAR_DIR = Path(os.environ.get("BESTSTART_VAR_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# "development" (the default: the demo and the tests) or "production", which demands a secret
# key and allowed hosts and turns on every transport protection.
ENVIRONMENT = os.environ.get("BESTSTART_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("BESTSTART_ENV must be development or production")
PRODUCTION = ENVIRONMENT == "production"
# Off unless asked for: Django's debug pages list every URL and setting, which the demo must
# not show to whoever is in front of it.
DEBUG = _env_bool("BESTSTART_DEBUG", False)
_INSECURE_DEV_KEY = "insecure-development-key-only-for-the-demo-and-tests"
SECRET_KEY = os.environ.get("BESTSTART_SECRET_KEY", "" if PRODUCTION else _INSECURE_DEV_KEY)
if not SECRET_KEY:
    raise ImproperlyConfigured("Set BESTSTART_SECRET_KEY in production.")
ALLOWED_HOSTS = _env_list(
    "BESTSTART_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
if PRODUCTION and (DEBUG or not ALLOWED_HOSTS):
    raise ImproperlyConfigured("Production needs BESTSTART_ALLOWED_HOSTS and debug off.")

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BESTSTART_DATABASE_URL", f"sqlite:///{VAR_DIR / 'beststart.sqlite3'}"),
        conn_max_age=int(os.environ.get("BESTSTART_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(str(DATABASES["default"]["NAME"])).parent.mkdir(parents=True, exist_ok=True)
# One request, one transaction: the audit row is written with the read or write it records.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "beststart.core",
    "beststart.accounts",
    "beststart.places",
    "beststart.families",
    "beststart.sharing",
    "beststart.audit",
    "beststart.care",
    "beststart.activities",
    "beststart.referrals",
    "beststart.assessments",
    "beststart.portal",
    "beststart.api",
    "beststart.demo",
]

MIDDLEWARE = [
    "beststart.core.requests.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "beststart.accounts.middleware.ActorMiddleware",
    "beststart.sharing.middleware.PolicyEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "beststart.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "beststart.urls"
WSGI_APPLICATION = "beststart.wsgi.application"

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
                "beststart.accounts.context_processors.actor",
                "beststart.navigation.navigation",
            ],
            "builtins": ["beststart.core.templatetags.govuk"],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "families:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if _env_bool("BESTSTART_FAST_PASSWORD_HASHING", False):
    # Tests and the large benchmark county: a cheap hash for thousands of synthetic sign-ins.
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "/static/"
# Production serves collected files (`beststart serve` collects them); development serves
# straight from the finders.
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
STATICFILES_DIRS = [
    ("govuk", PROJECT_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("css", PROJECT_DIR / "build" / "frontend"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions and cookies: short idle sessions for shared workstations, no script access.
SESSION_COOKIE_AGE = int(os.environ.get("BESTSTART_SESSION_SECONDS", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_SECURE_COOKIES = PRODUCTION
SESSION_COOKIE_SECURE = _SECURE_COOKIES
CSRF_COOKIE_SECURE = _SECURE_COOKIES
SECURE_SSL_REDIRECT = PRODUCTION and _env_bool("BESTSTART_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = _env_list("BESTSTART_CSRF_TRUSTED_ORIGINS", "")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Logs carry no personal data: ids and outcomes only (rule 3). Request paths hold only ids.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BESTSTART_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "faker": {"level": "WARNING"},
    },
}

CSRF_FAILURE_VIEW = "beststart.core.views.csrf_failure"

# E-mail: alerts to privacy officers (break-glass), which carry a reference and a path only,
# never a name. Development prints them to the console; production sends them by SMTP.
EMAIL_BACKEND = os.environ.get(
    "BESTSTART_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("BESTSTART_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("BESTSTART_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("BESTSTART_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("BESTSTART_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("BESTSTART_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("BESTSTART_EMAIL_FROM", "Best Start <best-start@localhost>")

# Referral notifications (referrals.notifications): "outbox" keeps them in the database for the
# demo and tests; "email" sends them through EMAIL_BACKEND; "notify" through GOV.UK Notify, with
# an API key and an e-mail template whose body is ((body)) and subject ((subject)).
NOTIFICATIONS = os.environ.get("BESTSTART_NOTIFICATIONS", "outbox")
if NOTIFICATIONS not in {"outbox", "email", "notify"}:
    raise ImproperlyConfigured("BESTSTART_NOTIFICATIONS must be outbox, email or notify")
NOTIFY_API_KEY = os.environ.get("BESTSTART_NOTIFY_API_KEY", "")
NOTIFY_TEMPLATE_ID = os.environ.get("BESTSTART_NOTIFY_TEMPLATE_ID", "")
if NOTIFICATIONS == "notify" and not (NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID):
    raise ImproperlyConfigured("Notify needs BESTSTART_NOTIFY_API_KEY and _TEMPLATE_ID")
# The address links in e-mails start with.
SITE_URL = os.environ.get("BESTSTART_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Assessment instruments: the shipped ones, and an area's own (new versions, or instruments of
# its own) in this directory, as `<code>@<version>.yaml` files (docs/instruments.md).
INSTRUMENTS_DIR = os.environ.get("BESTSTART_INSTRUMENTS_DIR", "")
