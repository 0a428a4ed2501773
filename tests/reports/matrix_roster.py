"""Access-matrix rows for the 名册, "我的导出" and roster submission pages."""

import datetime

from tests.matrix_helpers import ALL, everyone, only  # noqa: F401

VIEWERS = set(ALL) - {"mentor", "outsider"}
COUNTY = {"county_admin", "county_staff"}
SEE_TOWNSHIP_A = COUNTY | {"township_a_admin", "township_a_staff", "city_viewer"}


ROWS = {
    "roster": ("GET", None, only(VIEWERS), 302),
    "roster_export": ("POST", None, only(VIEWERS, ok=302), 302),  # empty form: back to the page with the errors
    "record_sheets_export": ("POST", None, only(VIEWERS, ok=302), 302),  # empty form: back with an error
    "export_list": ("GET", None, dict.fromkeys(ALL, 200), 302),
    "export_download": ("GET", "export_job", only({"county_admin"}), 302),
    "submission_home": ("GET", None, only(VIEWERS), 302),
    "call_create": ("GET", None, only(COUNTY), 302),
    "call_detail": ("GET", "roster_call", only(VIEWERS - {"village_secretary"}), 302),
    "submission_submit": (
        "GET",
        "roster_call",
        only({"township_a_admin", "township_a_staff", "township_b_admin"}),
        302,
    ),
    "call_export": ("POST", "roster_call", only(COUNTY | {"city_viewer"}, ok=302), 302),
    "submission_detail": ("GET", "roster_submission", only(SEE_TOWNSHIP_A), 302),
    "submission_file": ("GET", "roster_submission_file", only(SEE_TOWNSHIP_A), 302),
    "submission_decide": ("POST", "roster_submission", only(COUNTY, ok=302), 302),  # no action: refused, back
}


def objects(cast, people) -> dict:
    from django.core.files.base import ContentFile

    from reports.models import ExportJob
    from reports.submissions import call_create, submission_submit

    call = call_create(actor=cast.county_admin, county=cast.county, year=2026, deadline=datetime.date(2026, 11, 30))
    submission = submission_submit(actor=cast.township_a_admin, call=call, township=cast.township_a)
    job = ExportJob.objects.create(
        user=cast.county_admin, kind="roster_xlsx", unit=cast.county, title="名册.xlsx", state=ExportJob.DONE
    )
    job.file.save("matrix.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    return {
        "export_job": {"pk": job.pk},
        "roster_call": {"pk": call.pk},
        "roster_submission": {"pk": submission.pk},
        "roster_submission_file": {"pk": submission.pk, "fmt": "xlsx"},
    }
