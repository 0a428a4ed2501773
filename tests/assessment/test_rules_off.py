"""Each assessment rule obeys its county's flag: with the rule off there is no duty, no flag and no to-do, and the
page says so in Chinese (QS2017 has no leave routing, absence thresholds or inability report; QL2022 no quarterly
review; 3YR2024 and CD2025 no annual appraisal; only a blocking age limit raises AGE_OUT flags)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment import services
from assessment.compliance import check_absence, missing_appraisal, missing_township_opinion
from assessment.models import Absence, AnnualAppraisal, InabilityReport, Leave, QuarterReview
from assessment.tasks import daily_scan
from org import roles
from reserves.builders import make_user, unit
from reserves.flags import flag_raise
from reserves.models import CountyPolicy, Flag, ReserveRecord
from reserves.policy import preset_values
from tests.conftest import PASSWORD, make_person, make_record

D = datetime.date
JUNE_1 = D(2026, 6, 1)
SINCE_2018 = D(2018, 1, 1)


def version(cast, preset, effective_from=SINCE_2018, **over):
    return CountyPolicy.objects.create(
        county=cast.county, effective_from=effective_from, preset=preset, **(preset_values(preset) | over)
    )


# --- absence (QL §11) ------------------------------------------------------------------------------------------------


def test_a_qs_county_has_no_absence_flag_after_twenty_days_away(cast, a1_record):
    services.absence_add(
        actor=cast.village_secretary,
        record=a1_record,
        village=cast.village_a1,
        start=D(2026, 5, 1),
        end=D(2026, 5, 20),
        today=D(2026, 5, 20),
    )
    assert Absence.objects.get().days(D(2026, 5, 20)) == 20  # recorded, as a fact
    assert services.scan_absence(D(2026, 5, 21)) == 0
    assert not Flag.objects.filter(kind=Flag.ABSENCE).exists()
    check = check_absence(a1_record, cast.policy, on=D(2026, 5, 21))
    assert (check.status, check.reason) == ("na", "本县政策未规定缺勤（旷工、超假）取消资格的界限。")
    # The same twenty days under a QL2022 version are over its 15-day line.
    version(cast, "QL2022", effective_from=D(2026, 5, 21))
    assert services.scan_absence(D(2026, 5, 21)) == 1


# --- leave routing (QL §10) ------------------------------------------------------------------------------------------


def test_under_qs_a_leave_needs_no_approval_and_deciding_it_is_refused(cast, a1_record):
    leave = services.leave_create(
        actor=cast.village_secretary,
        record=a1_record,
        village=cast.village_a1,
        start=D(2026, 6, 2),
        end=D(2026, 6, 4),
        reason="探亲",
        today=JUNE_1,
    )
    assert leave.state == Leave.NOT_REQUIRED and leave.get_state_display() == "无需审批"
    assert services.leave_approver(leave) == (services.NO_APPROVAL, 0)
    with pytest.raises(ValidationError) as exc:
        services.leave_decide(actor=cast.township_a_admin, leave=leave, approve=True)
    assert exc.value.messages == ["本县政策未规定请销假审批。该请假无需审批。"]
    assert Leave.objects.get().state == Leave.NOT_REQUIRED
    # 销假 still works: the leave is an attendance record.
    services.leave_close(actor=cast.village_secretary, leave=leave, returned_on=D(2026, 6, 5), today=D(2026, 6, 5))
    assert Leave.objects.get().returned_on == D(2026, 6, 5)


def test_a_leave_starting_under_ql_is_routed(cast, a1_record):
    version(cast, "QL2022", effective_from=D(2026, 6, 2))
    before = services.leave_create(
        actor=cast.village_secretary,
        record=a1_record,
        village=cast.village_a1,
        start=D(2026, 6, 1),
        end=D(2026, 6, 1),
        reason="事假",
        today=JUNE_1,
    )
    after = services.leave_create(
        actor=cast.village_secretary,
        record=a1_record,
        village=cast.village_a1,
        start=D(2026, 6, 2),
        end=D(2026, 6, 2),
        reason="事假",
        today=JUNE_1,
    )
    assert (before.state, after.state) == (Leave.NOT_REQUIRED, Leave.PENDING)
    services.leave_decide(actor=cast.village_secretary, leave=after, approve=True)
    assert Leave.objects.get(pk=after.pk).state == Leave.APPROVED


def test_leave_pages_under_qs_say_there_is_no_approval_and_offer_no_approve_button(client, cast, a1_record):
    today = timezone.localdate()
    leave = services.leave_create(
        actor=cast.village_secretary, record=a1_record, village=cast.village_a1, start=today, end=today, reason="事假"
    )
    client.force_login(cast.village_secretary)
    text = client.get(reverse("leave_list", args=[cast.village_a1.pk])).content.decode()
    assert "本县政策未规定请销假审批" in text and "无需审批" in text
    assert reverse("leave_decide", args=[leave.pk]) not in text
    assert reverse("inability_add", args=[cast.village_a1.pk]) not in text
    assert "本县政策未规定缺勤（旷工、超假）取消资格的界限" in text
    page = client.get(reverse("leave_decide", args=[leave.pk]))
    assert page.status_code == 200 and "该请假无需审批" in page.content.decode()
    assert 'name="decision"' not in page.content.decode()
    client.post(reverse("leave_decide", args=[leave.pk]), {"decision": "approve"})
    assert Leave.objects.get().state == Leave.NOT_REQUIRED


def test_leave_pages_under_ql_show_the_routing(client, cast, ql, a1_record):
    today = timezone.localdate()
    leave = services.leave_create(
        actor=cast.village_secretary, record=a1_record, village=cast.village_a1, start=today, end=today, reason="事假"
    )
    client.force_login(cast.village_secretary)
    text = client.get(reverse("leave_list", args=[cast.village_a1.pk])).content.decode()
    assert "请假1天以内由村（社区）党组织书记审批" in text and reverse("leave_decide", args=[leave.pk]) in text
    assert reverse("inability_add", args=[cast.village_a1.pk]) in text


# --- inability reports (QL §15) --------------------------------------------------------------------------------------


def test_under_qs_an_inability_report_is_refused_and_its_page_says_why(client, cast, a1_record):
    with pytest.raises(ValidationError) as exc:
        services.inability_report(
            actor=cast.village_secretary,
            record=a1_record,
            village=cast.village_a1,
            found_on=D(2026, 6, 1),
            reported_on=D(2026, 6, 2),
            reason="外出",
            today=D(2026, 6, 2),
        )
    assert exc.value.messages == ["本县政策未规定不能正常履职情况的报告时限。无需报告。"]
    client.force_login(cast.village_secretary)
    url = reverse("inability_add", args=[cast.village_a1.pk])
    page = client.get(url)
    assert page.status_code == 200 and "本县政策未规定不能正常履职情况的报告时限" in page.content.decode()
    today = timezone.localdate()
    data = {"record": a1_record.pk, "found_on": today.isoformat(), "reported_on": today.isoformat(), "reason": "x"}
    assert client.post(url, data).status_code == 302
    assert not InabilityReport.objects.exists() and not Flag.objects.exists()


# --- quarterly review (QS only) --------------------------------------------------------------------------------------


def test_under_ql_there_is_no_quarterly_review_to_write_submit_or_miss(client, cast, ql, a1_record):
    with pytest.raises(ValidationError) as exc:
        services.quarter_review_save(
            actor=cast.township_a_admin,
            record=a1_record,
            village=cast.village_a1,
            year=2026,
            quarter=2,
            side="township",
            potential="好",
            shortcomings="少",
            rating="good",
            today=D(2026, 6, 1),
        )
    assert exc.value.messages == ["本县政策未规定季度评议。无需填写或提交。"]
    with pytest.raises(ValidationError, match="本县政策未规定季度评议"):
        services.quarter_submit(actor=cast.township_a_admin, township=cast.township_a, year=2026, quarter=2)
    assert not QuarterReview.objects.exists()
    assert not missing_township_opinion(ReserveRecord.objects.all(), 2026, 2, today=D(2026, 6, 1)).exists()

    client.force_login(cast.county_admin)
    response = client.get(reverse("quarter_overview") + "?year=2026&quarter=2")
    assert "青神县：本县政策未规定季度评议" in response.content.decode()
    assert response.context["rows"] == []  # no township in the review table
    assert response.context["rows_off"] == [cast.township_a, cast.township_b]  # reached for attendance, appraisal
    text = client.get(reverse("quarter_township", args=[2026, 2, cast.township_a.pk])).content.decode()
    assert "考勤与年度考核" in text and "本县政策未规定季度评议" in text
    assert reverse("quarter_submit", args=[2026, 2, cast.township_a.pk]) not in text
    assert reverse("leave_list", args=[cast.village_a1.pk]) in text
    assert reverse("quarter_village", args=[2026, 2, cast.village_a1.pk]) not in text
    text = client.get(reverse("quarter_village", args=[2026, 2, cast.village_a1.pk])).content.decode()
    assert "本县政策未规定季度评议" in text and 'name="t' not in text
    client.force_login(cast.village_secretary)
    text = client.get(reverse("quarter_overview") + "?year=2026&quarter=2").content.decode()
    assert "本县政策未规定季度评议" in text
    assert reverse("quarter_village", args=[2026, 2, cast.village_a1.pk]) not in text
    assert reverse("leave_list", args=[cast.village_a1.pk]) in text  # QL's attendance duties stay


def test_a_city_user_sees_the_quarterly_review_of_the_counties_that_have_it(client, cast):
    other = unit(roles.COUNTY, "清流县", "511426", cast.city)
    t = unit(roles.TOWNSHIP, "嵩溪镇", "511426100", other)
    CountyPolicy.objects.create(county=other, effective_from=D(2018, 1, 1), preset="QL2022", **preset_values("QL2022"))
    client.force_login(cast.city_viewer)
    response = client.get(reverse("quarter_overview") + "?year=2026&quarter=2")
    assert [r["township"] for r in response.context["rows"]] == [cast.township_a, cast.township_b]  # QS
    assert response.context["rows_off"] == [t]  # QL: attendance and appraisal only
    assert "清流县：本县政策未规定季度评议" in response.content.decode()


# --- annual appraisal (QS, QL) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", ["3YR2024", "CD2025"])
def test_without_the_appraisal_rule_no_result_is_entered_and_no_incompetent_flag(client, cast, a1_record, preset):
    version(cast, preset)
    with pytest.raises(ValidationError) as exc:
        services.appraisals_save(
            actor=cast.township_a_admin,
            village=cast.village_a1,
            year=2025,
            results={a1_record.pk: "incompetent"},
            today=D(2026, 1, 10),
        )
    assert exc.value.messages == ["本县政策未规定对后备干部进行年度考核（评估）。无需录入考核结果。"]
    assert not AnnualAppraisal.objects.exists() and not Flag.objects.exists()
    assert not missing_appraisal(ReserveRecord.objects.all(), 2025, today=D(2026, 1, 10)).exists()
    client.force_login(cast.township_a_admin)
    text = client.get(reverse("appraisal_village", args=[cast.village_a1.pk]) + "?year=2025").content.decode()
    assert "本县政策未规定对后备干部进行年度考核（评估）" in text and "<select" not in text


def test_under_ql_incompetent_raises_the_flag(cast, ql, a1_record):
    services.appraisals_save(
        actor=cast.township_a_admin,
        village=cast.village_a1,
        year=2025,
        results={a1_record.pk: "incompetent"},
        today=D(2026, 1, 10),
    )
    assert Flag.objects.get(kind=Flag.APPRAISAL).record == a1_record


# --- age limit: only a blocking rule raises flags --------------------------------------------------------------------


@pytest.mark.parametrize("preset, flagged", [("3YR2024", 2), ("QS2017", 0), ("CD2025", 0), ("QL2022", 0)])
def test_age_out_flags_only_under_a_blocking_age_rule(cast, preset, flagged):
    version(cast, preset)
    past = make_record(make_person(cast.village_a1, name="已过", birth=D(1980, 6, 1)))  # 46 on 2026-06-01
    soon = make_record(make_person(cast.village_a2, name="将过", birth=D(1980, 12, 1)))  # 46 on 2026-12-01
    make_record(make_person(cast.village_b1, name="年轻", birth=D(1995, 1, 1)))
    assert services.scan_age_out(D(2026, 6, 1)) == flagged
    if flagged:
        reasons = dict(Flag.objects.values_list("record_id", "reason"))
        assert reasons == {
            past.pk: "已过已于2026年6月1日年满46周岁，超过年龄上限45周岁。",
            soon.pk: "将过将于2026年12月1日年满46周岁，超过年龄上限45周岁。",
        }


# --- the daily scan: rules off resolve their flags -------------------------------------------------------------------


def test_the_daily_scan_resolves_flags_of_a_rule_a_version_in_force_switched_off(cast, a1_record):
    today = timezone.localdate()
    version(cast, "QL2022", effective_from=D(2018, 1, 1))
    flag, _ = flag_raise(record=a1_record, kind=Flag.ABSENCE, source="t:1", reason="连续缺勤16天", on=D(2025, 5, 1))
    flag_raise(record=a1_record, kind=Flag.INABILITY, source="t:2", reason="外出", on=D(2025, 5, 1))
    # A QS version saved to take effect tomorrow: nothing changes today.
    version(cast, "QS2017", effective_from=today + datetime.timedelta(days=1))
    assert daily_scan.apply().get()["resolved"] == 0
    assert Flag.objects.open().count() == 2
    # Once it is in force (here: one taking effect today), the daily scan resolves them with a note, once.
    version(cast, "QS2017", effective_from=today)
    assert daily_scan.apply().get() == {"resolved": 2, "age_out": 0, "absence": 0}
    flag.refresh_from_db()
    assert flag.resolved_on == today and "政策不再有此项规定" in flag.resolution
    assert daily_scan.apply().get()["resolved"] == 0


def test_the_daily_scan_raises_absence_flags_only_where_the_rule_is_on(cast):
    other = unit(roles.COUNTY, "清流县", "511426", cast.city)
    village = unit(roles.VILLAGE, "嵩溪村", "511426100201", unit(roles.TOWNSHIP, "嵩溪镇", "511426100", other), "cun")
    CountyPolicy.objects.create(county=other, effective_from=D(2018, 1, 1), preset="QL2022", **preset_values("QL2022"))
    today = timezone.localdate()
    start = today - datetime.timedelta(days=19)
    qs_record = make_record(make_person(cast.village_a1, name="青神"), entered=D(2020, 1, 1))
    ql_record = make_record(make_person(village, name="清流"), entered=D(2020, 1, 1))
    secretary = make_user("ql_sec", "嵩溪书记", village, "village_secretary", PASSWORD)
    for record, where, actor in ((qs_record, cast.village_a1, cast.village_secretary), (ql_record, village, secretary)):
        Absence.objects.create(record=record, village=where, start=start, end=today, created_by=actor)
    assert daily_scan.apply().get()["absence"] >= 1
    assert set(Flag.objects.filter(kind=Flag.ABSENCE).values_list("record_id", flat=True)) == {ql_record.pk}
