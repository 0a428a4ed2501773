"""Settings for the Celery workers the real-worker tests start: the project's settings, plus the test's own queue (so
tasks the worker enqueues stay on it), a short Redis visibility timeout for the fault test, and a file e-mail backend
that the test process can count across processes."""

import os

from config.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["REMINDERS_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("REMINDERS_TEST_VISIBILITY", "3600")),
    # Look for abandoned messages every second (kombu's default sweep is far slower).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
EMAIL_BACKEND = "tests.reminders.slow_mail.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["REMINDERS_TEST_MAIL_DIR"]
