"""A real Celery worker (and beat) against Redis: proves the wiring the reminders and exports will rely on."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.services


def _env():
    from django.db import connection

    env = os.environ.copy()
    env.update({"CELERY_EAGER": "0", "DEBUG": "1", "PYTHONUNBUFFERED": "1"})
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        # The worker talks to the same (test) database as the test.
        env["DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    return env


@pytest.fixture
def worker_queue(django_db_setup):
    require_service("REDIS_URL", 6379, "Redis")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{queue}@localhost",
        ],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_a_real_worker_runs_a_task_through_redis_and_reaches_the_database(worker_queue, settings):
    from config.celery import app
    from org.tasks import heartbeat

    app.conf.task_always_eager = False
    try:
        token = uuid.uuid4().hex
        result = heartbeat.apply_async(args=[token], queue=worker_queue)
        value = result.get(timeout=90)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert value["token"] == token and value["db"] is True
    expected_vendor = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert value["vendor"] == expected_vendor


def test_beat_starts_with_the_schedule_in_code(tmp_path, django_db_setup):
    require_service("REDIS_URL", 6379, "Redis")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "debug", "-s", str(tmp_path / "schedule")],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "heartbeat" not in output:
            line = proc.stdout.readline()
            if not line:
                break
            output += line
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "beat: Starting" in output and "heartbeat" in output, output[-2000:]
