import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_str

ROOT = Path(__file__).resolve().parent.parent


def test_boolean_setting_with_a_typo_stops_start_up(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be one of"):
        env_bool("DEBUG", False)


def test_unknown_setting_name_is_refused():
    with pytest.raises(ImproperlyConfigured, match="unknown setting"):
        env_str("DATABSE_URL", "")


def _manage(*args, **env):
    drop = {"DEBUG", "SECURE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base | env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECURE="1",
        SECRET_KEY="x7#kP2!mQ9zL4@vR8wN1&bT6^cY3*dF5-hJ0=gS_uA-long-enough-random-0123456789",
        ALLOWED_HOSTS="cadres.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_in_production_stops_start_up():
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
