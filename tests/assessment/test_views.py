"""Pages: per role, bad input through the forms, and query counts pinned independent of the number of reserves."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import AnnualAppraisal, InabilityReport, Leave, QuarterReview, QuarterSubmission
from assessment.quarters import current_quarter
from org.models import AuditLog
from reserves.compliance import quarter_bounds
from tests.assessment.conftest import populate_village
from tests.conftest import make_person, make_record

D = datetime.date
TODAY = datetime.date.today()
YEAR, QUARTER = current_quarter(TODAY)

ALL = [
    "county_admin",
    "county_staff",
    "township_a_admin",
    "township_a_staff",
    "township_b_admin",
    "village_secretary",
    "mentor",
    "city_viewer",
    "outsider",
]
EDITORS_OF_A1 = {"county_admin", "county_staff", "township_a_admin", "township_a_staff"}
WRITERS_OF_A1 = EDITORS_OF_A1 | {"village_secretary"}
READERS_OF_A1 = WRITERS_OF_A1 | {"city_viewer"}


def only(allowed, ok=200):
    return {role: ok if role in allowed else 404 for role in ALL}


@pytest.fixture
def objects(cast, people):
    record = people["a1"]
    leave = services.leave_create(
        actor=cast.village_secretary,
        record=record,
        village=cast.village_a1,
        start=TODAY,
        end=TODAY,
        reason="事假",
    )
    return {
        "quarter_overview": {},
        "quarter_township": {"year": YEAR, "quarter": QUARTER, "pk": cast.township_a.pk},
        "quarter_reopen": {"year": YEAR, "quarter": QUARTER, "pk": cast.township_a.pk},
        "quarter_village": {"year": YEAR, "quarter": QUARTER, "pk": cast.village_a1.pk},
        "appraisal_village": {"pk": cast.village_a1.pk},
        "leave_list": {"pk": cast.village_a1.pk},
        "leave_add": {"pk": cast.village_a1.pk},
        "absence_add": {"pk": cast.village_a1.pk},
        "inability_add": {"pk": cast.village_a1.pk},
        "leave_decide": {"pk": leave.pk},
        "leave_close": {"pk": leave.pk},
        "record_assessment": {"pk": record.pk},
    }


GET_PAGES = {
    "quarter_overview": only(set(ALL) - {"mentor", "outsider"}),
    "quarter_township": only(EDITORS_OF_A1 | {"city_viewer"}),
    "quarter_reopen": only({"county_admin", "county_staff"}),
    "quarter_village": only(READERS_OF_A1),
    "appraisal_village": only(READERS_OF_A1),
    "leave_list": only(READERS_OF_A1),
    "leave_add": only(WRITERS_OF_A1),
    "absence_add": only(WRITERS_OF_A1),
    "inability_add": only(WRITERS_OF_A1),
    "leave_decide": only(WRITERS_OF_A1),
    "leave_close": only(WRITERS_OF_A1),
    "record_assessment": only(READERS_OF_A1 | {"mentor"}),
}


@pytest.mark.parametrize("name", sorted(GET_PAGES))
def test_every_page_per_role(client, cast, objects, name):
    url = reverse(name, kwargs=objects[name])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")
    got = {}
    for role, user in cast.users().items():
        client.force_login(user)
        got[role] = client.get(url).status_code
    assert got == GET_PAGES[name]


@pytest.mark.parametrize("name", ["quarter_submit"])
def test_submit_is_post_only_and_for_the_township(client, cast, name):
    url = reverse(name, args=[YEAR, QUARTER, cast.township_a.pk])
    assert client.post(url).status_code == 302 and client.post(url).url.startswith("/login/")
    got = {}
    for role, user in cast.users().items():
        client.force_login(user)
        got[role] = client.post(url).status_code
        QuarterSubmission.objects.all().delete()
    assert got == only(EDITORS_OF_A1, ok=302)
    client.force_login(cast.township_a_admin)
    assert client.get(url).status_code == 405


def test_village_secretary_of_a1_sees_only_a1(client, cast, people):
    client.force_login(cast.village_secretary)
    for village in (cast.village_a2, cast.community_a3, cast.village_b1):
        assert client.get(reverse("quarter_village", args=[YEAR, QUARTER, village.pk])).status_code == 404
        assert client.get(reverse("leave_list", args=[village.pk])).status_code == 404
    assert client.get(reverse("quarter_township", args=[YEAR, QUARTER, cast.township_a.pk])).status_code == 404
    page = client.get(reverse("quarter_overview"))
    assert [v.name for v in page.context["villages"]] == ["兰沟村"] and page.context["rows"] == []
    assert client.get(reverse("record_assessment", args=[people["a2"].pk])).status_code == 404


# --- the bulk quarterly page ---------------------------------------------------------------------------------------


def bulk_url(cast, year=YEAR, quarter=QUARTER):
    return reverse("quarter_village", args=[year, quarter, cast.village_a1.pk])


def test_township_fills_a_whole_village_on_one_page(client, cast):
    records = populate_village(cast.village_a1, 3)
    client.force_login(cast.township_a_staff)
    data = {}
    for r in records:
        data |= {f"t{r.pk}-potential": "有潜力", f"t{r.pk}-shortcomings": "经验不足", f"t{r.pk}-rating": "good"}
        data |= {f"v{r.pk}-potential": "", f"v{r.pk}-shortcomings": "", f"v{r.pk}-rating": ""}
    response = client.post(bulk_url(cast), data)
    assert response.status_code == 302
    assert QuarterReview.objects.filter(township_rating="good", village_rating="").count() == 3
    page = client.get(bulk_url(cast))
    assert [c["editable"] for c in page.context["records"][0].cells] == [True, True]


def test_village_secretary_fills_only_the_village_column(client, cast, a1_record):
    client.force_login(cast.village_secretary)
    page = client.get(bulk_url(cast))
    assert [c["editable"] for c in page.context["records"][0].cells] == [True, False]
    pk = a1_record.pk
    client.post(
        bulk_url(cast),
        {
            f"v{pk}-potential": "能干",
            f"v{pk}-shortcomings": "年轻",
            f"v{pk}-rating": "good",
            f"t{pk}-potential": "伪造",
            f"t{pk}-shortcomings": "伪造",
            f"t{pk}-rating": "poor",
        },
    )
    review = QuarterReview.objects.get()
    assert (review.village_rating, review.township_rating, review.township_potential) == ("good", "", "")


def test_a_rating_off_the_scale_shows_a_chinese_error_and_writes_nothing(client, cast, a1_record):
    client.force_login(cast.township_a_admin)
    pk = a1_record.pk
    response = client.post(
        bulk_url(cast), {f"t{pk}-potential": "好", f"t{pk}-shortcomings": "无", f"t{pk}-rating": "excellent"}
    )
    assert response.status_code == 200
    assert response.context["errors"] == ["李兰的乡镇评定意见：评定等次只能是“好、较好、一般、差”之一。"]
    assert "评定等次只能是" in response.content.decode()
    assert response.context["records"][0].cells[1]["values"]["potential"] == "好"  # the typing is kept
    assert not QuarterReview.objects.exists()


def test_a_locked_quarter_shows_no_inputs_and_refuses_a_post(client, cast, a1_record):
    old = TODAY.year - 2
    client.force_login(cast.township_a_admin)
    page = client.get(bulk_url(cast, old, 1))
    assert page.context["status"].state == "expired" and not page.context["editable"]
    pk = a1_record.pk
    response = client.post(
        bulk_url(cast, old, 1), {f"t{pk}-potential": "好", f"t{pk}-shortcomings": "无", f"t{pk}-rating": "good"}
    )
    assert response.status_code == 200 and "已锁定" in response.context["errors"][0]
    assert not QuarterReview.objects.exists()


def test_a_future_quarter_is_refused(client, cast, a1_record):
    year, quarter = (YEAR + 1, QUARTER)
    client.force_login(cast.township_a_admin)
    pk = a1_record.pk
    response = client.post(
        bulk_url(cast, year, quarter), {f"t{pk}-potential": "好", f"t{pk}-shortcomings": "无", f"t{pk}-rating": "good"}
    )
    assert response.status_code == 200 and "尚未开始，不能评议" in response.context["errors"][0]
    assert not QuarterReview.objects.exists()


def test_bad_quarter_in_the_url_is_404(client, cast):
    client.force_login(cast.township_a_admin)
    assert client.get(reverse("quarter_village", args=[YEAR, 5, cast.village_a1.pk])).status_code == 404


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_bulk_page_query_count_is_pinned_with_forty_reserves(client, cast):
    populate_village(cast.village_a1, 5)
    client.force_login(cast.township_a_admin)
    few = count_queries(client, bulk_url(cast))
    records = populate_village(cast.village_a1, 35)
    for r in records[:20]:
        QuarterReview.objects.create(
            record=r, year=YEAR, quarter=QUARTER, village=cast.village_a1, township_rating="good"
        )
    response = client.get(bulk_url(cast))
    assert len(response.context["records"]) == 40
    # session, user, grants, village, county, policy, calendar, submission, records, reviews, the county's versions
    assert (few, count_queries(client, bulk_url(cast))) == (11, 11)


def test_bulk_page_query_count_for_the_village_secretary(client, cast):
    populate_village(cast.village_a1, 2)
    client.force_login(cast.village_secretary)
    few = count_queries(client, bulk_url(cast))
    populate_village(cast.village_a1, 38)
    assert count_queries(client, bulk_url(cast)) == few == 12  # + the secretary's membership


# --- township and county pages -------------------------------------------------------------------------------------


def test_township_page_counts_reviews_per_village_and_submits(client, cast, a1_record):
    make_record(make_person(cast.village_a2, name="王甘"))
    client.force_login(cast.township_a_admin)
    url = reverse("quarter_township", args=[YEAR, QUARTER, cast.township_a.pk])
    page = client.get(url)
    counts = {row["village"].name: row["count"] for row in page.context["rows"]}
    assert counts["兰沟村"]["total"] == 1 and counts["甘家沟村"]["total"] == 1 and page.context["can_submit"]
    response = client.post(reverse("quarter_submit", args=[YEAR, QUARTER, cast.township_a.pk]), follow=True)
    assert "还有2名后备干部未填写乡镇评定意见" in response.content.decode()
    assert not QuarterSubmission.objects.filter(state="submitted").exists()


def test_township_submits_when_complete_and_the_county_reopens(client, cast, a1_record):
    QuarterReview.objects.create(
        record=a1_record, year=YEAR, quarter=QUARTER, village=cast.village_a1, township_rating="good"
    )
    client.force_login(cast.township_a_admin)
    response = client.post(reverse("quarter_submit", args=[YEAR, QUARTER, cast.township_a.pk]), follow=True)
    assert "评议已锁定" in response.content.decode()
    assert QuarterSubmission.objects.get().state == "submitted"
    client.force_login(cast.county_admin)
    overview = client.get(reverse("quarter_overview"), {"year": YEAR, "quarter": QUARTER})
    row = next(r for r in overview.context["rows"] if r["township"] == cast.township_a)
    assert row["status"].state == "submitted" and row["can_reopen"]
    url = reverse("quarter_reopen", args=[YEAR, QUARTER, cast.township_a.pk])
    assert client.post(url, {"reason": " "}).status_code == 200
    assert QuarterSubmission.objects.get().state == "submitted"
    assert client.post(url, {"reason": "兰沟村评议需更正"}).status_code == 302
    assert QuarterSubmission.objects.get().state == "reopened"
    assert AuditLog.objects.get(action="assessment.quarter_reopen").changes["reason"] == "兰沟村评议需更正"


def test_overview_query_count_is_pinned(client, cast):
    client.force_login(cast.county_admin)
    populate_village(cast.village_a1, 3)
    few = count_queries(client, reverse("quarter_overview"))
    for village in (cast.village_a2, cast.community_a3, cast.village_b1):
        populate_village(village, 10)
    # session, user, grants, townships, counts, submissions, counties, policies, calendar (one county), villages
    assert (few, count_queries(client, reverse("quarter_overview"))) == (10, 10)


def test_township_page_query_count_is_pinned(client, cast):
    client.force_login(cast.township_a_admin)
    url = reverse("quarter_township", args=[YEAR, QUARTER, cast.township_a.pk])
    populate_village(cast.village_a1, 2)
    few = count_queries(client, url)
    populate_village(cast.village_a2, 30)
    # session, user, grants, township, county, policy, calendar, submission, the county's versions, villages, counts
    assert (few, count_queries(client, url)) == (11, 11)


# --- appraisal page --------------------------------------------------------------------------------------------------


def appraisal_url(cast, year):
    return reverse("appraisal_village", args=[cast.village_a1.pk]) + f"?year={year}"


def test_appraisal_page_saves_and_refuses_off_scale(client, cast, a1_record):
    year = TODAY.year - 1
    client.force_login(cast.township_a_admin)
    assert client.post(appraisal_url(cast, year), {f"a{a1_record.pk}": "incompetent"}).status_code == 302
    assert AnnualAppraisal.objects.get().result == "incompetent"
    response = client.post(appraisal_url(cast, year), {f"a{a1_record.pk}": "good"})
    assert response.status_code == 200 and response.context["errors"] == [
        "考核结果只能是“优秀、称职、基本称职、不称职”之一。"
    ]
    assert AnnualAppraisal.objects.get().result == "incompetent"


def test_village_secretary_reads_but_cannot_post_appraisals(client, cast, a1_record):
    client.force_login(cast.village_secretary)
    year = TODAY.year - 1
    assert not client.get(appraisal_url(cast, year)).context["editable"]
    assert client.post(appraisal_url(cast, year), {f"a{a1_record.pk}": "competent"}).status_code == 404
    assert not AnnualAppraisal.objects.exists()


def test_appraisal_page_query_count_is_pinned(client, cast):
    client.force_login(cast.township_a_admin)
    url = appraisal_url(cast, TODAY.year - 1)
    populate_village(cast.village_a1, 3)
    few = count_queries(client, url)
    for r in populate_village(cast.village_a1, 30):
        AnnualAppraisal.objects.create(record=r, year=TODAY.year - 1, result="competent", village=cast.village_a1)
    assert (few, count_queries(client, url)) == (7, 7)  # + the county's versions (is appraisal a rule there?)


# --- attendance pages ------------------------------------------------------------------------------------------------


def test_village_secretary_enters_a_leave_and_cannot_approve_three_days(client, cast, ql, a1_record, leader):
    client.force_login(cast.village_secretary)
    start = TODAY + datetime.timedelta(days=3)
    end = start + datetime.timedelta(days=2)
    response = client.post(
        reverse("leave_add", args=[cast.village_a1.pk]),
        {"record": a1_record.pk, "start": start.isoformat(), "end": end.isoformat(), "reason": "探亲"},
    )
    assert response.status_code == 302
    leave = Leave.objects.get()
    response = client.post(reverse("leave_decide", args=[leave.pk]), {"decision": "approve"})
    assert response.status_code == 200
    assert "须报乡（镇）包村领导审批" in response.content.decode()
    assert Leave.objects.get().state == "pending"
    client.force_login(cast.township_a_staff)
    assert client.post(reverse("leave_decide", args=[leave.pk]), {"decision": "approve"}).status_code == 302
    assert Leave.objects.get().state == "approved"


def test_closing_a_leave_before_it_starts_is_refused_on_the_form(client, cast, a1_record):
    leave = services.leave_create(
        actor=cast.village_secretary,
        record=a1_record,
        village=cast.village_a1,
        start=TODAY + datetime.timedelta(days=5),
        end=TODAY + datetime.timedelta(days=5),
        reason="事假",
    )
    client.force_login(cast.village_secretary)
    response = client.post(reverse("leave_close", args=[leave.pk]), {"returned_on": TODAY.isoformat()})
    assert response.status_code == 200 and "请假尚未开始，不能销假" in response.content.decode()
    assert Leave.objects.get().returned_on is None


def test_bad_leave_dates_on_the_form_write_nothing(client, cast, a1_record):
    client.force_login(cast.village_secretary)
    response = client.post(
        reverse("leave_add", args=[cast.village_a1.pk]),
        {"record": a1_record.pk, "start": "2026-06-05", "end": "2026-06-01", "reason": "事假"},
    )
    assert response.status_code == 200 and "请假结束日期不能早于开始日期" in response.content.decode()
    assert not Leave.objects.exists()


def test_absence_form_refuses_a_future_end(client, cast, a1_record):
    client.force_login(cast.township_a_admin)
    response = client.post(
        reverse("absence_add", args=[cast.village_a1.pk]),
        {"record": a1_record.pk, "start": TODAY.isoformat(), "end": (TODAY + datetime.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200 and "缺勤终止日期不能晚于今天" in response.content.decode()


def test_a_late_inability_report_says_so(client, cast, ql, a1_record):
    client.force_login(cast.village_secretary)
    response = client.post(
        reverse("inability_add", args=[cast.village_a1.pk]),
        {
            "record": a1_record.pk,
            "found_on": (TODAY - datetime.timedelta(days=9)).isoformat(),
            "reported_on": TODAY.isoformat(),
            "reason": "长期外出，无法履职",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "已标注为逾期报告" in text and "逾期4天" in text
    assert InabilityReport.objects.get().late


def test_a_record_of_another_village_cannot_be_picked_on_the_form(client, cast, people):
    client.force_login(cast.township_a_admin)
    response = client.post(
        reverse("leave_add", args=[cast.village_a1.pk]),
        {"record": people["a2"].pk, "start": TODAY.isoformat(), "end": TODAY.isoformat(), "reason": "事假"},
    )
    assert response.status_code == 200 and not Leave.objects.exists()


def test_leave_list_query_count_is_pinned(client, cast, ql):
    client.force_login(cast.township_a_admin)
    url = reverse("leave_list", args=[cast.village_a1.pk])

    def add(n):
        for r in populate_village(cast.village_a1, n):
            services.leave_create(
                actor=cast.township_a_admin, record=r, village=cast.village_a1, start=TODAY, end=TODAY, reason="事假"
            )

    add(2)
    few = count_queries(client, url)
    add(20)
    # session, user, grants, village, county, policy, count, page of leaves, absences, reports
    assert (few, count_queries(client, url)) == (10, 10)


# --- the record's history -------------------------------------------------------------------------------------------


def test_record_history_page_query_count_does_not_grow(client, cast, a1_record):
    client.force_login(cast.township_a_admin)
    url = reverse("record_assessment", args=[a1_record.pk])
    few = count_queries(client, url)
    start, _ = quarter_bounds(YEAR, QUARTER)
    for year in range(2021, 2025):
        AnnualAppraisal.objects.create(record=a1_record, year=year, result="competent", village=cast.village_a1)
        for quarter in range(1, 5):
            QuarterReview.objects.create(
                record=a1_record, year=year, quarter=quarter, village=cast.village_a1, township_rating="good"
            )
    for month in range(1, 6):
        services.absence_add(
            actor=cast.township_a_admin,
            record=a1_record,
            village=cast.village_a1,
            start=D(2024, month, 1),
            end=D(2024, month, 2),
            today=D(2024, 12, 31),
        )
    assert count_queries(client, url) == few
