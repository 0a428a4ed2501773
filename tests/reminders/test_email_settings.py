"""E-mail settings come from one environment variable (EMAIL_URL, a name config/env.py knows); the console backend
when it is not set; a malformed value stops start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT,"
    " s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL]))"
)


def _settings(email_url=None):
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"} | {"DEBUG": "1"}
    if email_url is not None:
        env["EMAIL_URL"] = email_url
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_console_backend_by_default():
    result = _settings()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0] == "django.core.mail.backends.console.EmailBackend"


def test_smtp_with_starttls_user_password_and_sender():
    result = _settings("smtp://notice%40cadres.gov.cn:p%40ss@smtp.cadres.gov.cn:587?tls=1&from=noreply@cadres.gov.cn")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.cadres.gov.cn",
        587,
        "notice@cadres.gov.cn",
        "p@ss",
        True,
        False,
        "noreply@cadres.gov.cn",
    ]


def test_a_malformed_email_url_stops_start_up():
    for bad in ("smtp://host?tls=yes", "imap://host", "smtp://host?sender=x@y"):
        result = _settings(bad)
        assert result.returncode != 0 and "EMAIL_URL must be" in result.stderr, bad
