"""Annual appraisal (年度考核) and ageing out."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import services
from assessment.models import AnnualAppraisal
from org.models import AuditLog
from reserves.models import Flag
from tests.conftest import make_person, make_record

D = datetime.date
JAN_10 = D(2026, 1, 10)


def appraise(cast, results, *, user=None, year=2025, village=None, today=JAN_10):
    return services.appraisals_save(
        actor=user or cast.township_a_admin, village=village or cast.village_a1, year=year, results=results, today=today
    )


def test_results_are_entered_for_a_whole_village_at_once(cast):
    a, b = (make_record(make_person(cast.village_a1, name=n)) for n in ("甲", "乙"))
    assert appraise(cast, {a.pk: "excellent", b.pk: "competent"}) == 2
    assert dict(AnnualAppraisal.objects.values_list("record__person__name", "result")) == {
        "甲": "excellent",
        "乙": "competent",
    }
    assert AuditLog.objects.filter(action="assessment.appraisal").count() == 2
    assert not Flag.objects.exists()


def test_incompetent_raises_a_removal_flag_and_correcting_it_resolves_the_flag(cast, a1_record):
    appraise(cast, {a1_record.pk: "incompetent"})
    appraisal = AnnualAppraisal.objects.get()
    flag = Flag.objects.get(kind=Flag.APPRAISAL)
    assert flag.source == f"assessment.appraisal:{appraisal.pk}" and flag.reason == "2025年度考核结果为不称职。"
    appraise(cast, {a1_record.pk: "incompetent"})  # unchanged: nothing new
    assert Flag.objects.count() == 1
    appraise(cast, {a1_record.pk: "basic"})
    flag.refresh_from_db()
    assert flag.resolved_on == D(2026, 1, 10) and flag.resolution == "2025年度考核结果已更正为基本称职。"
    appraise(cast, {a1_record.pk: "incompetent"})  # corrected back: the flag is raised again
    flag.refresh_from_db()
    assert flag.resolved_on is None and Flag.objects.count() == 1


def test_clearing_a_result_deletes_it(cast, a1_record):
    appraise(cast, {a1_record.pk: "competent"})
    appraise(cast, {a1_record.pk: ""})
    assert not AnnualAppraisal.objects.exists()


def test_a_result_off_the_scale_is_refused(cast, a1_record):
    with pytest.raises(ValidationError) as exc:
        appraise(cast, {a1_record.pk: "good"})
    assert exc.value.messages == ["考核结果只能是“优秀、称职、基本称职、不称职”之一。"]
    assert not AnnualAppraisal.objects.exists()


def test_a_future_year_is_refused(cast, a1_record):
    with pytest.raises(ValidationError, match="2027年度尚未开始"):
        appraise(cast, {a1_record.pk: "competent"}, year=2027, today=D(2026, 12, 31))


def test_a_record_not_in_the_pool_that_year_is_refused(cast):
    late = make_record(make_person(cast.village_a1, name="新人"), entered=D(2026, 1, 1))
    with pytest.raises(ValidationError, match="新人在2025年不在兰沟村后备干部库中"):
        appraise(cast, {late.pk: "competent"})


@pytest.mark.parametrize("role", ["village_secretary", "township_b_admin", "city_viewer", "mentor"])
def test_only_the_township_or_county_enters_results(cast, a1_record, role):
    with pytest.raises(ValidationError, match="年度考核结果由乡镇录入"):
        appraise(cast, {a1_record.pk: "competent"}, user=cast.users()[role])
    appraise(cast, {a1_record.pk: "competent"}, user=cast.county_staff)


# --- age-out -------------------------------------------------------------------------------------------------------


def test_scan_flags_reserves_passing_the_age_limit_within_twelve_months_once(cast):
    cast.policy.age_mode = "block"  # only a blocking limit is grounds for removal
    cast.policy.save()
    on = D(2026, 6, 1)
    # QS2017: age limit 35 — passes it on the 36th birthday.
    within = make_record(make_person(cast.village_a1, name="将超龄", birth=D(1991, 6, 1)))  # 36 on 2027-06-01
    past = make_record(make_person(cast.village_a2, name="已超龄", birth=D(1980, 1, 1)))
    young = make_record(make_person(cast.village_b1, name="年轻", birth=D(1991, 6, 2)))  # 36 on 2027-06-02
    make_record(
        make_person(cast.village_a1, name="已出库", birth=D(1980, 1, 1)),
        entered=D(2020, 1, 1),
        ended=D(2026, 1, 1),
        status="removed",
    )
    assert services.scan_age_out(on) == 2
    flags = Flag.objects.filter(kind=Flag.AGE_OUT)
    assert {f.record_id for f in flags} == {within.pk, past.pk}
    assert flags.get(record=within).reason == "将超龄将于2027年6月1日年满36周岁，超过年龄上限35周岁。"
    assert flags.get(record=past).reason == "已超龄已于2016年1月1日年满36周岁，超过年龄上限35周岁。"
    assert flags.get(record=within).source == f"assessment.age_out:{within.pk}"
    assert AuditLog.objects.filter(action="flag.raise").count() == 2
    assert services.scan_age_out(on) == 0 and services.scan_age_out(D(2026, 6, 2)) == 1  # now `young` too
    assert Flag.objects.filter(kind=Flag.AGE_OUT, record=young).exists()


def test_no_age_limit_no_flags(cast):
    cast.policy.age_limit = None
    cast.policy.save()
    make_record(make_person(cast.village_a1, birth=D(1960, 1, 1)))
    assert services.scan_age_out(D(2026, 6, 1)) == 0


def test_a_limit_that_only_warns_raises_no_flags(cast):
    assert cast.policy.age_mode == "warn"  # QS2017: 一般35周岁左右
    make_record(make_person(cast.village_a1, name="已超龄", birth=D(1980, 1, 1)))
    assert services.scan_age_out(D(2026, 6, 1)) == 0
    assert not Flag.objects.exists()


def test_scan_age_out_queries_do_not_grow_with_the_number_of_reserves(cast):
    cast.policy.age_mode = "block"
    cast.policy.save()

    def queries():
        Flag.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            services.scan_age_out(D(2026, 6, 1))
        return len(ctx.captured_queries)

    for i in range(3):
        make_record(make_person(cast.village_a1, name=f"老{i}", birth=D(1970, 1, 1)))
    few = queries()
    for i in range(30):
        make_record(make_person(cast.village_a2, name=f"老{i}", birth=D(1970, 1, 1)))
    assert queries() == few
    assert Flag.objects.filter(kind=Flag.AGE_OUT).count() == 33


def test_the_daily_task_runs_both_scans(cast):
    from assessment.tasks import daily_scan  # run in-process: the real-worker test is tests/test_celery.py

    cast.policy.age_mode = "block"
    cast.policy.save()
    make_record(make_person(cast.village_a1, name="老", birth=D(1960, 1, 1)))
    assert daily_scan.apply().get() == {"resolved": 0, "age_out": 1, "absence": 0}
    assert daily_scan.apply().get() == {"resolved": 0, "age_out": 0, "absence": 0}
