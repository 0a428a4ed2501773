"""Selectors the lead composes from: the 纪实表 cells, the history, the checks."""

import datetime

from assessment import services
from assessment.models import AnnualAppraisal, QuarterReview
from assessment.selectors import assessment_checks, assessment_history, record_sheet_assessment

D = datetime.date


def test_sheet_gives_four_quarter_cells_per_side_and_the_appraisal(cast, a1_record):
    QuarterReview.objects.create(
        record=a1_record,
        year=2025,
        quarter=2,
        village=cast.village_a1,
        village_potential="熟悉村情",
        village_shortcomings="表达能力弱",
        village_rating="fairly_good",
        township_potential="可培养为村书记",
        township_shortcomings="经验不足",
        township_rating="good",
    )
    AnnualAppraisal.objects.create(record=a1_record, year=2025, result="competent", village=cast.village_a1)
    sheet = record_sheet_assessment(a1_record, 2025)
    assert [q.label for q in sheet.quarters] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert sheet.quarters[0].village == "" and sheet.quarters[0].township == ""
    assert sheet.quarters[1].village == "发展潜力：熟悉村情；主要不足：表达能力弱；评定：较好"
    assert sheet.quarters[1].township == "发展潜力：可培养为村书记；主要不足：经验不足；评定：好"
    assert sheet.appraisal == "称职"
    assert record_sheet_assessment(a1_record, 2024).appraisal == ""


def test_history_collects_everything_newest_first(cast, a1_record, django_assert_max_num_queries):
    for year in (2024, 2025):
        QuarterReview.objects.create(record=a1_record, year=year, quarter=1, village=cast.village_a1)
    services.absence_add(
        actor=cast.township_a_admin,
        record=a1_record,
        village=cast.village_a1,
        start=D(2025, 3, 1),
        end=D(2025, 3, 3),
        today=D(2025, 3, 3),
    )
    services.leave_create(
        actor=cast.township_a_admin,
        record=a1_record,
        village=cast.village_a1,
        start=D(2025, 4, 1),
        end=D(2025, 4, 2),
        reason="事假",
        returned_on=D(2025, 4, 5),
        today=D(2025, 4, 6),
    )
    with django_assert_max_num_queries(5):
        history = assessment_history(a1_record, on=D(2025, 12, 31))
    assert [r.year for r in history.reviews] == [2025, 2024]
    assert [a.kind for a in history.absences] == ["overstay", "direct"]
    assert history.year_absence_days == {2025: 5}
    assert len(history.leaves) == 1


def test_checks_cover_quarter_appraisal_absence_and_age(cast, a1_record):
    checks = assessment_checks(a1_record, on=D(2026, 10, 9))
    # QS2017: quarterly review and appraisal; no absence rule; an age limit that only warns (李兰 is 36).
    assert [c.key for c in checks] == ["quarter_review", "appraisal", "absence", "age_past"]
    assert checks[0].label == "2026年第三季度评议" and checks[0].status == "due"
    assert checks[1].label == "2025年度考核" and checks[1].status == "overdue"
    assert (checks[2].status, checks[2].reason) == ("na", "本县政策未规定缺勤（旷工、超假）取消资格的界限。")
    assert checks[3].label == "已超过年龄上限" and checks[3].status == "na" and "提醒性要求" in checks[3].reason


def test_under_ql_the_quarter_review_is_not_asked_and_absence_is(cast, ql, a1_record):
    checks = assessment_checks(a1_record, on=D(2026, 10, 9))
    assert (checks[0].status, checks[0].reason) == ("na", "本县政策未规定季度评议。")
    assert checks[1].status == "overdue"  # QL §15 年底评估
    assert checks[2].status == "ok"
    assert (checks[3].status, checks[3].reason) == ("na", "本县政策未规定年龄上限。")
