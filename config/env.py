"""Strict environment reading: a typo or a bad value stops start-up instead of falling back silently."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# Every variable the project reads; an unknown PROJECT_-style variable is not guessed at.
KNOWN = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "CELERY_EAGER",
    "MEDIA_ROOT",
    "SECURE",
    "EMAIL_URL",
    "REQUIRE_SERVICES",
    "EXPORT_QUEUE",
    "PDF_WORKERS",
    "PROXY_COUNT",
    "OTP_COUNTY_ADMINS",
    "DASHBOARD_CACHE_SECONDS",
}


def env_str(name: str, default: str | None = None) -> str:
    if name not in KNOWN:
        raise ImproperlyConfigured(f"unknown setting {name!r}")
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"environment variable {name} is required")
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name, "1" if default else "0").lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, got {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]
