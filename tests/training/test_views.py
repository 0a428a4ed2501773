"""Pages of the training app: each role sees and does what it may, bulk entry works, lists have pinned query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.models import AuditLog
from reserves.dates import shift_years_back
from tests.conftest import make_person, make_record
from tests.training.conftest import D
from training import rules, services
from training.models import Enrolment, PracticeAssignment, TrainingEvent

ROLES_A1_VIEW = {
    "county_admin",
    "county_staff",
    "township_a_admin",
    "township_a_staff",
    "village_secretary",
    "city_viewer",
}
EDITORS_A = {"county_admin", "county_staff", "township_a_admin", "township_a_staff"}


def event_data(**over):
    return {
        "form": "concentrated",
        "start": D(2026, 3, 1),
        "end": D(2026, 3, 5),
        "days": Decimal(5),
        "content": "乡村振兴政策",
        "organiser": "青竹街道党工委",
    } | over


@pytest.fixture
def event(cast, people):
    event = services.training_create(actor=cast.township_a_admin, unit=cast.township_a, data=event_data())
    services.enrol(actor=cast.township_a_admin, event=event, records=[people["a1"], people["a2"]])
    return event


@pytest.fixture
def assignment(cast, people):
    return services.practice_add(
        actor=cast.township_a_admin,
        record=people["a1"],
        data={"kind": "shadowing", "content": "跟班", "start": D(2026, 3, 1), "end": D(2026, 3, 30)},
    )


def status_of(client, cast, role, url, method="get"):
    client.force_login(cast.users()[role])
    return getattr(client, method)(url).status_code


ALL_ROLES = [
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


@pytest.mark.parametrize("role", ALL_ROLES)
def test_event_pages_per_role(client, cast, event, people, assignment, role):
    record = people["a1"]
    got = {
        "list": status_of(client, cast, role, reverse("training_event_list")),
        "gaps": status_of(client, cast, role, reverse("training_gaps")),
        "detail": status_of(client, cast, role, reverse("training_event_detail", args=[event.pk])),
        "edit": status_of(client, cast, role, reverse("training_event_edit", args=[event.pk])),
        "enrol": status_of(client, cast, role, reverse("training_enrol", args=[event.pk])),
        "create": status_of(client, cast, role, reverse("training_event_create")),
        "record": status_of(client, cast, role, reverse("training_record", args=[record.pk])),
        "single": status_of(client, cast, role, reverse("training_single", args=[record.pk])),
        "practice_add": status_of(client, cast, role, reverse("practice_add", args=[record.pk])),
        "practice_edit": status_of(client, cast, role, reverse("practice_edit", args=[assignment.pk])),
        "delete": status_of(client, cast, role, reverse("training_event_delete", args=[event.pk])),
    }
    ok = lambda allowed: 200 if role in allowed else 404  # noqa: E731
    assert got == {
        "list": 200,
        "gaps": 200,
        "detail": ok(ROLES_A1_VIEW),
        "edit": ok(EDITORS_A),
        "enrol": ok(EDITORS_A),
        "create": ok(EDITORS_A | {"township_b_admin"}),
        "record": ok(ROLES_A1_VIEW | {"mentor"}),  # the mentor is paired with A1's reserve
        "single": ok(EDITORS_A),
        "practice_add": ok(EDITORS_A),
        "practice_edit": ok(EDITORS_A),
        "delete": ok(EDITORS_A),  # GET: the confirmation page
    }


@pytest.mark.parametrize(
    "name, args",
    [
        ("training_unenrol", "enrolment"),
        ("practice_delete", "assignment"),
    ],
)
def test_post_only_actions_are_404_for_township_b_and_redirect_anonymous(client, cast, event, assignment, name, args):
    pk = {"event": event.pk, "enrolment": event.enrolments.first().pk, "assignment": assignment.pk}[args]
    url = reverse(name, args=[pk])
    response = client.post(url)
    assert response.status_code == 302 and "/login/" in response.url
    for role in ("township_b_admin", "village_secretary", "city_viewer", "mentor"):
        assert status_of(client, cast, role, url, "post") == 404
    assert status_of(client, cast, "township_a_admin", url, "get") == 405


@pytest.mark.parametrize(
    "name, key",
    [
        ("training_event_list", None),
        ("training_gaps", None),
        ("training_event_detail", "event"),
        ("training_enrol", "event"),
        ("training_record", "record"),
        ("practice_add", "record"),
    ],
)
def test_anonymous_is_sent_to_login(client, event, people, name, key):
    args = [] if key is None else [event.pk if key == "event" else people["a1"].pk]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/login/" in response.url


def test_event_list_is_scoped(client, cast, event):
    services.training_create(actor=cast.township_b_admin, unit=cast.township_b, data=event_data(content="汉阳培训"))
    services.training_create(actor=cast.county_admin, unit=cast.county, data=event_data(content="县级培训"))

    def seen(role):
        client.force_login(cast.users()[role])
        return {e.content for e in client.get(reverse("training_event_list")).context["page"]}

    assert seen("county_admin") == {"乡村振兴政策", "汉阳培训", "县级培训"}
    assert seen("township_a_admin") == {"乡村振兴政策", "县级培训"}
    assert seen("village_secretary") == {"乡村振兴政策", "县级培训"}
    assert seen("township_b_admin") == {"汉阳培训", "县级培训"}
    assert seen("mentor") == set() and seen("outsider") == set()
    client.force_login(cast.county_admin)
    response = client.get(reverse("training_event_list"), {"township": cast.township_b.pk})
    assert {e.content for e in response.context["page"]} == {"汉阳培训"}


def test_village_secretary_sees_only_their_villages_enrolments(client, cast, event):
    client.force_login(cast.village_secretary)
    response = client.get(reverse("training_event_detail", args=[event.pk]))
    assert [e.record.person.name for e in response.context["enrolments"]] == ["李兰"]
    assert response.context["hidden"] == 1
    assert not response.context["can_edit"] and not response.context["can_enrol"]
    assert "另有 1 人不在您的管辖范围内" in response.content.decode()


def test_township_creates_a_training_and_lands_on_bulk_enrolment(client, cast):
    client.force_login(cast.township_a_staff)
    response = client.post(
        reverse("training_event_create"),
        {
            "unit": cast.township_a.pk,
            "form": "night_school",
            "start": "2026-04-01",
            "end": "2026-04-03",
            "days": "2.5",
            "content": "农业技术",
            "organiser": "青竹街道",
        },
    )
    event = TrainingEvent.objects.get()
    assert response.status_code == 302 and response.url == reverse("training_enrol", args=[event.pk])
    assert event.days == Decimal("2.5")


def test_training_form_shows_chinese_errors_and_writes_nothing(client, cast):
    client.force_login(cast.township_a_admin)
    response = client.post(
        reverse("training_event_create"),
        {
            "unit": cast.township_a.pk,
            "form": "concentrated",
            "start": "2026-04-01",
            "end": "2026-04-02",
            "days": "3",
            "content": "x",
            "organiser": "y",
        },
    )
    assert response.status_code == 200 and not TrainingEvent.objects.exists()
    assert "不能超过培训期间的日历天数（2天）" in response.content.decode()
    response = client.post(
        reverse("training_event_create"),
        {"unit": cast.township_a.pk, "form": "concentrated", "start": "2026-04-03", "end": "2026-04-01", "days": "1"},
    )
    assert "结束日期不能早于开始日期" in response.content.decode() and not TrainingEvent.objects.exists()


def test_bulk_enrolment_page_lists_the_pool_filters_by_village_and_enrols_the_checked(client, cast, people):
    event = services.training_create(actor=cast.township_a_admin, unit=cast.township_a, data=event_data())
    make_record(
        make_person(cast.village_a1, name="已出库"), entered=D(2020, 3, 1), ended=D(2025, 1, 1), status="removed"
    )
    client.force_login(cast.township_a_admin)
    url = reverse("training_enrol", args=[event.pk])
    names = [r.person.name for r in client.get(url).context["candidates"]]
    assert sorted(names) == ["李兰", "王甘", "陈青"]  # township A, in the pool during the training
    filtered = client.get(url, {"village": cast.village_a2.pk}).context["candidates"]
    assert [r.person.name for r in filtered] == ["王甘"]
    response = client.post(url, {"records": [people["a1"].pk, people["a3"].pk]})
    assert response.status_code == 302 and response.url == reverse("training_event_detail", args=[event.pk])
    assert {e.record for e in Enrolment.objects.all()} == {people["a1"], people["a3"]}
    page = client.get(url)
    assert page.context["already"] == 2 and "已报名" in page.content.decode()


def test_bulk_enrolment_refusal_shows_the_reason_and_writes_nothing(client, cast, event, people):
    client.force_login(cast.township_a_admin)
    url = reverse("training_enrol", args=[event.pk])
    response = client.post(url, {"records": [people["a3"].pk, people["a1"].pk]})  # A1 is enrolled already
    assert response.status_code == 200
    assert "李兰已报名本次培训，不能重复报名" in response.content.decode()
    assert Enrolment.objects.count() == 2
    # An id outside the user's scope is refused without naming the person.
    response = client.post(url, {"records": [people["b1"].pk]})
    assert "不在您管辖范围内" in response.content.decode() and "赵汉" not in response.content.decode()
    response = client.post(url, {"records": ["x"]})
    assert "提交的数据有误" in response.content.decode()
    response = client.post(url, {})
    assert "请至少勾选" in response.content.decode()
    assert Enrolment.objects.count() == 2


def test_county_training_enrolment_page_for_a_township_lists_only_its_reserves(client, cast, people):
    event = services.training_create(actor=cast.county_admin, unit=cast.county, data=event_data(form="party_school"))
    client.force_login(cast.township_b_admin)
    names = [r.person.name for r in client.get(reverse("training_enrol", args=[event.pk])).context["candidates"]]
    assert names == ["赵汉"]
    client.force_login(cast.county_admin)
    response = client.get(reverse("training_enrol", args=[event.pk]), {"township": cast.township_b.pk})
    assert [r.person.name for r in response.context["candidates"]] == ["赵汉"]
    assert status_of(client, cast, "township_a_admin", reverse("training_event_edit", args=[event.pk])) == 404


def test_unenrol_and_delete_from_the_event_page(client, cast, event, people):
    client.force_login(cast.township_a_staff)
    enrolment = event.enrolments.get(record=people["a2"])
    response = client.post(reverse("training_unenrol", args=[enrolment.pk]))  # without the button's confirm
    assert response.status_code == 302 and event.enrolments.count() == 2
    response = client.post(reverse("training_unenrol", args=[enrolment.pk]), {"confirm": "1"})
    assert response.status_code == 302 and event.enrolments.count() == 1
    page = client.get(reverse("training_event_delete", args=[event.pk]))
    assert page.status_code == 200 and "1 人的报名记录将一并删除" in page.content.decode()
    assert TrainingEvent.objects.exists()
    response = client.post(reverse("training_event_delete", args=[event.pk]))
    assert response.url == reverse("training_event_list") and not TrainingEvent.objects.exists()


def test_record_page_shows_history_and_checks(client, cast, people, event, assignment):
    record = people["a1"]
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("training_record", args=[record.pk]))
    body = response.content.decode()
    assert [t.pk for t in response.context["trainings"]] == [event.pk]
    assert [a.pk for a in response.context["practice"]] == [assignment.pk]
    # QS imposes the training rule but not shadowing: the page shows only the training check.
    assert [c.key for c in response.context["checks"]] == ["training"]
    assert "到乡镇跟班学习：" not in body
    assert "2026.03.01—03.05" in body and "登记个人培训" in body and "跟班学习（乡镇）" in body
    client.force_login(cast.mentor)
    body = client.get(reverse("training_record", args=[record.pk])).content.decode()
    assert "登记个人培训" not in body and reverse("training_event_detail", args=[event.pk]) not in body


def test_single_training_and_practice_through_the_forms(client, cast, people):
    record = people["a1"]
    client.force_login(cast.township_a_staff)
    response = client.post(
        reverse("training_single", args=[record.pk]),
        {
            "form": "online",
            "start": "2026-05-01",
            "end": "2026-05-01",
            "days": "0.5",
            "content": "学习强国专题",
            "organiser": "学习强国",
        },
    )
    assert response.status_code == 302 and response.url == reverse("training_record", args=[record.pk])
    assert TrainingEvent.objects.get().is_individual
    url = reverse("practice_add", args=[record.pk])
    response = client.post(
        url, {"kind": "key_project", "content": "征地拆迁", "start": "2026-05-01", "end": "2026-04-01"}
    )
    assert response.status_code == 200 and "结束日期不能早于开始日期" in response.content.decode()
    assert not PracticeAssignment.objects.exists()
    response = client.post(
        url, {"kind": "key_project", "content": "征地拆迁", "start": "2026-05-01", "performance": "协调得力"}
    )
    assert response.status_code == 302
    a = PracticeAssignment.objects.get()
    response = client.post(
        reverse("practice_edit", args=[a.pk]),
        {"kind": "key_project", "content": "征地拆迁", "start": "2026-05-01", "end": "2026-06-30", "assessment": "好"},
    )
    a.refresh_from_db()
    assert response.status_code == 302 and (a.end, a.assessment) == (D(2026, 6, 30), "好")
    assert client.post(reverse("practice_delete", args=[a.pk])).status_code == 302
    assert PracticeAssignment.objects.exists()  # the button sends confirm=1
    assert client.post(reverse("practice_delete", args=[a.pk]), {"confirm": "1"}).status_code == 302
    assert not PracticeAssignment.objects.exists()
    assert AuditLog.objects.filter(action__startswith="practice.").count() == 3


def test_gap_list_shows_overdue_and_at_risk_reserves_with_deadlines(client, cast, people):
    today = datetime.date.today()
    # A1, A2 entered 2020-03-01 and never trained: a closed 3-year window was missed, overdue.
    # "将到期": the first window closes in about 30 days: at risk. "新入库": due in three years, not listed.
    # A3 trained last week: met, not listed.
    entered = shift_years_back(today, 3) + datetime.timedelta(days=30)
    make_record(make_person(cast.village_a2, name="将到期"), entered=entered)
    make_record(make_person(cast.village_a2, name="新入库"), entered=today - datetime.timedelta(days=10))
    services.training_record_single(
        actor=cast.township_a_admin,
        record=people["a3"],
        data=event_data(start=today - datetime.timedelta(days=6), end=today - datetime.timedelta(days=1)),
    )
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("training_gaps"))
    rows = {r.person.name: (r.status, r.deadline) for r in response.context["rows"]}
    assert rows == {
        "将到期": ("due", rules.rolling_window(entered, 3, today)[2]),
        "李兰": ("overdue", D(2026, 2, 28) if today < D(2029, 3, 1) else rows["李兰"][1]),
        "王甘": ("overdue", rows["王甘"][1]),
    }
    assert [r.person.name for r in response.context["rows"]][0] in {"李兰", "王甘"}  # the missed deadline first
    body = response.content.decode()
    assert "即将逾期" in body and "已逾期" in body
    client.force_login(cast.township_b_admin)
    assert {r.person.name for r in client.get(reverse("training_gaps")).context["rows"]} == {"赵汉"}
    client.force_login(cast.county_admin)
    response = client.get(reverse("training_gaps"))
    assert {r.person.name for r in response.context["rows"]} == {"李兰", "王甘", "将到期", "赵汉"}
    response = client.get(reverse("training_gaps"), {"township": cast.township_a.pk, "village": cast.village_a2.pk})
    assert {r.person.name for r in response.context["rows"]} == {"王甘", "将到期"}
    client.force_login(cast.village_secretary)
    assert {r.person.name for r in client.get(reverse("training_gaps")).context["rows"]} == {"李兰"}
    client.force_login(cast.mentor)
    assert {r.person.name for r in client.get(reverse("training_gaps")).context["rows"]} == {"李兰"}
    client.force_login(cast.outsider)
    assert list(client.get(reverse("training_gaps")).context["rows"]) == []


def test_gap_list_for_shadowing_under_ql(client, cast, people):
    from reserves.models import CountyPolicy
    from reserves.policy import preset_values

    CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2022, 1, 1), preset="QL2022", **preset_values("QL2022")
    )
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("training_gaps"), {"rule": "shadowing"})
    assert {r.person.name for r in response.context["rows"]} == {"李兰", "王甘", "陈青"}
    assert response.context["rule_label"] == "到乡镇跟班学习"
    # QL has no training rule: without a choice the list is the shadowing one; asked for training it says so.
    response = client.get(reverse("training_gaps"))
    assert response.context["rule"] == "shadowing"
    assert '<option value="shadowing" selected>' in response.content.decode()  # the filter says which list
    assert {r.person.name for r in response.context["rows"]} == {"李兰", "王甘", "陈青"}
    response = client.get(reverse("training_gaps"), {"rule": "training"})
    assert list(response.context["rows"]) == [] and not response.context["applies"]
    assert "本县现行政策未要求培训，不列出名单" in response.content.decode()


def test_gap_list_of_a_cd_county_shows_no_training_gap(client, cast, people):
    from reserves.models import CountyPolicy
    from reserves.policy import preset_values

    client.force_login(cast.township_a_admin)
    assert client.get(reverse("training_gaps")).context["rows"]  # under QS the untrained reserves are listed
    CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2025, 1, 1), preset="CD2025", **preset_values("CD2025")
    )
    for rule in ("training", "shadowing"):
        response = client.get(reverse("training_gaps"), {"rule": rule})
        assert response.status_code == 200 and list(response.context["rows"]) == []
        assert "本县现行政策未要求" in response.content.decode()
    body = client.get(reverse("training_record", args=[people["a1"].pk])).content.decode()
    assert "本县现行政策未规定培训天数或到乡镇跟班学习的要求" in body and "已逾期" not in body


# --- query counts ----------------------------------------------------------------------------------------------------


def populate(cast, n):
    """n more reserves in township A with a training each, a practice entry each, and one event enrolling them."""
    records = [
        make_record(make_person([cast.village_a1, cast.village_a2, cast.community_a3][i % 3], name=f"人{i}"))
        for i in range(n)
    ]
    # Online learning does not count under QS, so every one of them is overdue and listed on the gap page.
    event = services.training_create(actor=cast.township_a_admin, unit=cast.township_a, data=event_data(form="online"))
    services.enrol(actor=cast.township_a_admin, event=event, records=records)
    for r in records:
        services.training_record_single(actor=cast.township_a_admin, record=r, data=event_data(form="meeting", days=2))
        services.practice_add(
            actor=cast.township_a_admin,
            record=r,
            data={"kind": "assistant", "content": "村书记助理", "start": D(2026, 1, 1), "end": None},
        )
    return event, records


def count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


# Every page: session, user, guardian grants (the scope). Then:
# - event list (county user): township choices, count, rows (unit joined, enrolment count annotated);
# - gap list (township user): county of the scope, policy in force, village choices, count, rows (person, village
#   and township joined; status and deadline annotated);
# - enrolment page: the event (unit joined), village choices, candidates (person, village, township joined),
#   enrolled ids;
# - event detail: the event, visible enrolments (joined), total count;
# - record page: the record (joined), trainings, practice, county, policy.
PAGES = {
    "event_list": ("county_admin", lambda event, record: reverse("training_event_list"), {}, 6),
    "gaps": ("township_a_admin", lambda event, record: reverse("training_gaps"), {}, 8),
    "gaps_county": ("county_admin", lambda event, record: reverse("training_gaps"), {}, 8),
    "enrol": ("township_a_admin", lambda event, record: reverse("training_enrol", args=[event.pk]), {}, 7),
    "detail": ("township_a_admin", lambda event, record: reverse("training_event_detail", args=[event.pk]), {}, 6),
    "record": ("township_a_admin", lambda event, record: reverse("training_record", args=[record.pk]), {}, 8),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_query_count_is_pinned_and_independent_of_rows(client, cast, name):
    role, url_of, params, expected = PAGES[name]
    client.force_login(cast.users()[role])
    event, records = populate(cast, 3)
    few = count(client, url_of(event, records[0]), params)
    more_event, more = populate(cast, 30)
    services.enrol(actor=cast.township_a_admin, event=event, records=more)
    for _ in range(3):
        services.training_record_single(actor=cast.township_a_admin, record=records[0], data=event_data(days=1))
    many = count(client, url_of(event, records[0]), params)
    assert (few, many) == (expected, expected)
    if name.startswith("gaps"):
        assert len(client.get(url_of(event, records[0]), params).context["rows"]) == 33
