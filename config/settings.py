"""One settings module; everything that differs between demo, CI and production comes from the environment."""

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
_DEV_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", _DEV_KEY if DEBUG else "")
if not DEBUG and not SECRET_KEY:
    # Tests and the demo run with DEBUG=1 or set a key; production must set its own.
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "org",
    "notices",
    "reserves",
    "lifecycle",
    "selection",
    "training",
    "mentoring",
    "assessment",
    "reports",
    "reminders",
    "dashboards",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "org.security.SessionLimitsMiddleware",
    "org.security.SecondFactorMiddleware",
    "org.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "org.context_processors.scope",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT spent over a second compiling the dashboards' aggregate queries for a gain of nothing at this
    # size (measured at city size: the city view 1.2 s with JIT, 0.6 s without).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out account/client pairs
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
GUARDIAN_RAISE_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "org.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "org.validators.LettersAndDigitsValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies (and upgrades) older hashes
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded photos live outside the static root and are served only through scoped views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
PHOTO_MAX_BYTES = 5 * 1024 * 1024

REDIS_URL = env_str("REDIS_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Redis redelivers an unacknowledged (acks_late) message after this many seconds: longer than any task runs. Long waits
# are periodic scans, never ETA tasks. The fault test runs its worker with a few seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "org.tasks.heartbeat", "schedule": 3600.0},
    # Age-out and absence flags, once a day at 02:00 (Asia/Shanghai).
    "assessment-daily": {"task": "assessment.tasks.daily_scan", "schedule": crontab(hour=2, minute=0)},
    # Reminders: the daily scan after the flags (one task per county; quiet on a county's days off), and a sweep that
    # sends what is still pending and marks interrupted sends "unknown" (never resent).
    "reminders-daily": {"task": "reminders.tasks.scan", "schedule": crontab(hour=7, minute=30)},
    "reminders-sweep": {"task": "reminders.tasks.sweep", "schedule": 300.0},
    # Background export files older than seven days, at 03:00.
    "reports-purge-exports": {"task": "reports.tasks.purge_exports", "schedule": crontab(hour=3, minute=0)},
    # Import previews (and their uploaded files) expire after 24 hours.
    "imports-purge": {"task": "imports.tasks.purge_expired", "schedule": 3600.0},
}

# Tests set this so a missing PostgreSQL/Redis fails instead of skipping.
REQUIRE_SERVICES = env_bool("REQUIRE_SERVICES", False)

# Background exports: their own Celery queue if set (so long PDFs never delay reminders), and how many processes lay
# out a long PDF side by side (0: one per CPU core).
EXPORT_QUEUE = env_str("EXPORT_QUEUE", "")
# Dashboards are cached per page, unit, the user's whole scope, the day and the newest audit entry (0: no cache).
DASHBOARD_CACHE_SECONDS = int(env_str("DASHBOARD_CACHE_SECONDS", "300") or 0)
PDF_WORKERS = int(env_str("PDF_WORKERS", "0") or 0)

# Sessions end after 30 idle minutes (refreshed at most once a minute) and 12 hours after login at the latest.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 30 * 60
SESSION_ABSOLUTE_SECONDS = 12 * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Login lockout (django-axes): 5 failures of one account from one client lock that pair for 30 minutes; never by
# address alone (a township's offices share one address). org.security adds a higher limit per client across accounts.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_CLIENT_IP_CALLABLE = "org.security.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # org.security counts a client's failures across accounts from this log
# Trusted reverse proxies in front of the app (0: use REMOTE_ADDR; X-Forwarded-For is then ignored).
PROXY_COUNT = int(env_str("PROXY_COUNT", "0") or 0)

# Second factor for county admins (TOTP, django-otp), on when OTP_COUNTY_ADMINS=1.
OTP_COUNTY_ADMINS = env_bool("OTP_COUNTY_ADMINS", False)
OTP_TOTP_ISSUER = "村级后备干部管理系统"

# Content-Security-Policy: scripts and styles only from our own static files; inline style *attributes* are allowed
# (style-src-attr) for a few widths in tables, inline <style> and <script> are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE = env_bool("SECURE", False)
if SECURE:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# E-mail from one URL, the console backend by default: smtp://user:password@host:587?tls=1&from=noreply@example.gov.cn
# (smtps:// for implicit TLS on 465; file:///path writes messages to files; locmem: keeps them in memory).
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email = urlsplit(env_str("EMAIL_URL", "console:"))
_email_query = dict(parse_qsl(_email.query))
_email_tls, _email_timeout = _email_query.get("tls", "0"), _email_query.get("timeout", "30")
if (
    _email.scheme not in _EMAIL_BACKENDS
    or not set(_email_query) <= {"tls", "from", "timeout"}
    or _email_tls not in ("0", "1")
    or not (_email_timeout.isascii() and _email_timeout.isdigit())
):
    raise ImproperlyConfigured(
        "EMAIL_URL must be smtp://, smtps://, file://, console: or locmem:, with ?tls=0|1, from=, timeout=<seconds>"
    )
EMAIL_BACKEND = _EMAIL_BACKENDS[_email.scheme]
EMAIL_HOST = _email.hostname or "localhost"
EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
EMAIL_HOST_USER = unquote(_email.username or "")
EMAIL_HOST_PASSWORD = unquote(_email.password or "")
EMAIL_USE_SSL = _email.scheme == "smtps"
EMAIL_USE_TLS = _email_tls == "1"
EMAIL_TIMEOUT = int(_email_timeout)
EMAIL_FILE_PATH = _email.path if _email.scheme == "file" else None
DEFAULT_FROM_EMAIL = _email_query.get("from", "noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "org.masking.MaskSensitiveFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

PAGE_SIZE = 50
