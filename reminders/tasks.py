"""Thin tasks: they take ids (and ISO dates), return quietly when the row is gone, and call services. Long waits are
periodic scans from the beat, never ETA tasks (Redis would redeliver an ETA task past its visibility timeout).

Every task is acks_late with reject_on_worker_lost, so a worker killed mid-task has its message redelivered; the
services make a rerun harmless (unique keys for notifications, conditional claims for the outbox). Transient errors
(database connection, a mail server that refused the connection) are retried with exponential backoff."""

import datetime
from functools import partial

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from org import roles
from org.models import OrgUnit

from . import services
from .channels import NotSent

OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError, NotSent),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


def _day(on: str | None) -> datetime.date:
    return datetime.date.fromisoformat(on) if on else timezone.localdate()


@shared_task(name="reminders.tasks.scan", **OPTIONS)
def scan(on: str | None = None) -> int:
    """The daily scan (beat): decide interrupted sends, then one task per county."""
    day = _day(on)
    services.decide_interrupted()
    ids = [c.pk for c in services.counties(day)]
    for county_id in ids:
        transaction.on_commit(partial(scan_county.delay, county_id, day.isoformat()))
    return len(ids)


@shared_task(name="reminders.tasks.scan_county", **OPTIONS)
def scan_county(county_id: int, on: str | None = None) -> dict | None:
    county = OrgUnit.objects.filter(pk=county_id, level=roles.COUNTY).first()
    if county is None:
        return None
    return services.scan_county(county, _day(on))


@shared_task(name="reminders.tasks.deliver_batch", **OPTIONS)
def deliver_batch(batch: str) -> dict:
    """Send the outbox rows one scan wrote (enqueued on its commit)."""
    return services.deliver(batch=batch)


@shared_task(name="reminders.tasks.sweep", **OPTIONS)
def sweep() -> dict:
    """Every few minutes (beat): mark interrupted sends unknown, and send what is still pending (a delivery task lost
    with its broker, or a mail server that was down)."""
    decided = services.decide_interrupted()
    return {"unknown": decided} | services.deliver(limit=2000)
