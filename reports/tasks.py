from celery import shared_task
from django.db import OperationalError

from reports import exports


@shared_task(
    name="reports.tasks.run_export",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def run_export(job_id: int) -> str:
    return exports.run(job_id)


@shared_task(name="reports.tasks.purge_exports", acks_late=True)
def purge_exports() -> int:
    return exports.purge_expired()


@shared_task(
    name="reports.tasks.render_submission",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def render_submission(submission_id: int) -> None:
    from reports.submissions import render_submission_files

    render_submission_files(submission_id)
