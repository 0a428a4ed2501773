"""Real Celery workers against Redis and PostgreSQL: the scan, its fan-out and the delivery run in the worker, and
each notification arrives once; a worker SIGKILLed in the middle of a delivery batch is replaced, and afterwards every
in-app notification exists exactly once and no e-mail was written twice."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from reminders import services, tasks
from reminders.models import Notification, Outbox
from reminders.scan import CountyScan, collect
from tests.conftest import require_service
from tests.reminders.conftest import TUE_NOV_3
from tests.reminders.slow_mail import written

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _require_services():
    require_service("REDIS_URL", 6379, "Redis")
    require_service("DATABASE_URL", 5432, "PostgreSQL")
    if connection.vendor != "postgresql":
        pytest.skip("the worker must share the test database: PostgreSQL only")


class Worker:
    """`celery worker --pool=solo` on the test's own queue, with tests/reminders/worker_settings.py."""

    def __init__(self, queue: str, mail_dir: Path, log: Path, *, visibility: int = 3600, delay: float = 0.0):
        s = connection.settings_dict
        env = os.environ.copy()
        env.update(
            {
                "CELERY_EAGER": "0",
                "DEBUG": "1",
                "PYTHONUNBUFFERED": "1",
                "DJANGO_SETTINGS_MODULE": "tests.reminders.worker_settings",
                "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
                "REMINDERS_TEST_QUEUE": queue,
                "REMINDERS_TEST_MAIL_DIR": str(mail_dir),
                "REMINDERS_TEST_VISIBILITY": str(visibility),
                "REMINDERS_TEST_MAIL_DELAY": str(delay),
            }
        )
        self.log = log.open("w")
        self.proc = subprocess.Popen(
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
                f"{queue}-{uuid.uuid4().hex[:4]}@localhost",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def kill(self):
        self.proc.kill()  # SIGKILL: no warm shutdown, nothing acknowledged or restored
        self.proc.wait()
        self.log.close()


@pytest.fixture
def workers(settings, tmp_path):
    """Start workers on a fresh queue; tasks sent from this process go to the broker, not eagerly."""
    _require_services()
    from config.celery import app

    queue = f"test-reminders-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(queue, mail_dir, tmp_path / f"worker{len(started)}.log", **kwargs)
        started.append(worker)
        return worker

    app.conf.task_always_eager = False
    start.queue, start.mail_dir, start.tmp = queue, mail_dir, tmp_path
    try:
        yield start
    finally:
        app.conf.task_always_eager = True
        for worker in started:
            if worker.proc.poll() is None:
                worker.stop()


def wait_for(condition, timeout: float, what: str, logs=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tail = "".join(p.read_text()[-3000:] for p in (logs or []))
    pytest.fail(f"timed out waiting for {what}\n{tail}")


def expected_keys(cast) -> set[tuple]:
    """What the scan should write, computed in this process from the same collectors."""
    items = collect(CountyScan.load(cast.county, TUE_NOV_3))
    return {(i.kind, i.subject, i.period, uid) for i in items for uid in i.recipients}


def stored_keys() -> list[tuple]:
    return list(Notification.objects.values_list("kind", "subject", "period", "recipient_id"))


def test_a_real_worker_runs_the_scan_and_each_notification_arrives_once(cast, people, with_emails, workers):
    start = workers
    worker = start()
    tasks.scan.apply_async(args=[TUE_NOV_3.isoformat()], queue=start.queue)
    expected = expected_keys(cast)
    assert len(expected) > 10
    logs = [start.tmp / "worker0.log"]
    wait_for(
        lambda: (
            len(stored_keys()) == len(expected)
            and Outbox.objects.count() == len(expected)
            and not Outbox.objects.exclude(state=Outbox.SENT).exists()
        ),
        60,
        "the worker to scan and deliver",
        logs,
    )
    assert set(stored_keys()) == expected and len(stored_keys()) == len(expected)
    mails = written(start.mail_dir)
    assert set(mails) == set(Outbox.objects.values_list("pk", flat=True)) and set(mails.values()) == {1}

    # The scan again, through the worker: nothing new, nothing sent again.
    result = tasks.scan_county.apply_async(args=[cast.county.pk, TUE_NOV_3.isoformat()], queue=start.queue)
    assert result.get(timeout=30)["created"] == 0
    time.sleep(1)
    assert len(stored_keys()) == len(expected) and written(start.mail_dir) == mails
    worker.stop()


def test_a_worker_killed_mid_batch_is_replaced_and_nothing_is_doubled(cast, people, with_emails, workers):
    start = workers
    first = start(visibility=3, delay=0.4)
    tasks.scan.apply_async(args=[TUE_NOV_3.isoformat()], queue=start.queue)
    expected = expected_keys(cast)
    logs = [start.tmp / "worker0.log"]
    wait_for(lambda: sum(written(start.mail_dir).values()) >= 3, 60, "the first e-mails", logs)
    first.kill()

    states = dict(Outbox.objects.order_by().values_list("state").annotate(n=Count("id")))
    assert states.get(Outbox.PENDING, 0) > 0, f"the kill came after the batch: {states}"
    assert set(stored_keys()) == expected  # the scan had committed before the delivery began

    second = start(visibility=3, delay=0.0)
    logs.append(start.tmp / "worker1.log")
    # Redis hands the unacknowledged delivery task to the new worker once its visibility timeout has passed.
    wait_for(lambda: not Outbox.objects.filter(state=Outbox.PENDING).exists(), 60, "the redelivered batch", logs)
    # A row the killed worker had claimed but not marked is decided by the next sweep: unknown, never resent.
    services.decide_interrupted(timezone.now() + services.INTERRUPTED_AFTER * 2)
    second.stop()

    keys = stored_keys()
    assert len(keys) == len(set(keys)) == len(expected) and set(keys) == expected
    mails = written(start.mail_dir)
    assert max(mails.values()) == 1, "an e-mail was written twice"
    rows = dict(Outbox.objects.values_list("pk", "state"))
    assert set(rows.values()) <= {Outbox.SENT, Outbox.UNKNOWN}
    assert {pk for pk, state in rows.items() if state == Outbox.SENT} <= set(mails)
    assert len([s for s in rows.values() if s == Outbox.UNKNOWN]) <= 1  # at most the one in flight
    assert len(rows) == len(expected)
