"""A background export end to end: the request queues a job, a real Celery worker on Redis builds it against the
same PostgreSQL database, and the user downloads the file."""

import datetime
import io
import os
import time

import openpyxl
import pytest
from django.urls import reverse

from reports.models import ExportJob
from tests.conftest import make_person, make_record
from tests.test_celery import worker_queue  # noqa: F401  (fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_the_township_roster_and_the_user_downloads_it(
    worker_queue,  # noqa: F811
    cast,
    client,
    settings,
):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        if settings.REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL")
        pytest.skip("需要 PostgreSQL：worker 进程无法访问测试用的 SQLite 内存数据库")
    from config.celery import app

    for name in ["李兰", "王甘", "陈青"]:
        make_record(make_person(cast.village_a1, name=name))
    settings.EXPORT_QUEUE = worker_queue
    app.conf.task_always_eager = False
    try:
        client.force_login(cast.township_a_admin)
        response = client.post(
            reverse("roster_export"),
            {"unit": cast.township_a.pk, "on": datetime.date(2026, 6, 30).isoformat(), "fmt": "xlsx"},
        )
        assert response.status_code == 302
        job = ExportJob.objects.get()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if not job.active:
                break
            time.sleep(0.3)
    finally:
        app.conf.task_always_eager = True
    assert job.state == ExportJob.DONE, job.error
    assert job.people == 3
    download = client.get(reverse("export_download", args=[job.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert ws["A2"].value == "青竹街道村级后备干部名册"  # under 附件1
    assert sorted(ws.cell(r, 4).value for r in (5, 6, 7)) == sorted(["李兰", "王甘", "陈青"])
