"""轮训 programmes (3YR "每年至少全覆盖轮训一遍,培训时间不少于3天"): recorded and scoped like trainings, sessions attach
to one programme of their unit or a unit above and of its year, and the sessions of one programme add up under the
COUNT_PROGRAMME rule — through the services and through the pages."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from org.models import AuditLog
from reserves.compliance import DUE, OK
from reserves.models import CountyPolicy
from reserves.policy import preset_values
from tests.conftest import make_person, make_record
from tests.training.conftest import D
from training import rules, services
from training.models import Enrolment, TrainingEvent, TrainingProgramme


def session(**over):
    return {
        "form": "concentrated",
        "start": D(2026, 3, 1),
        "end": D(2026, 3, 2),
        "days": Decimal("1.5"),
        "content": "全覆盖轮训第一期",
        "organiser": "县委组织部",
    } | over


@pytest.fixture
def county_lunxun(cast):
    return services.programme_create(
        actor=cast.county_admin, unit=cast.county, data={"name": "书记后备力量全覆盖轮训", "year": 2026}
    )


@pytest.fixture
def township_lunxun(cast):
    return services.programme_create(
        actor=cast.township_a_admin, unit=cast.township_a, data={"name": "青竹街道轮训", "year": 2026}
    )


def unchanged(fn):
    counts = (TrainingProgramme.objects.count(), TrainingEvent.objects.count(), AuditLog.objects.count())
    with pytest.raises(ValidationError) as exc:
        fn()
    assert (TrainingProgramme.objects.count(), TrainingEvent.objects.count(), AuditLog.objects.count()) == counts
    return exc


def as_3yr(cast):
    """The cast's county on the 三年行动 preset from 2024."""
    return CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2024, 1, 1), preset="3YR2024", **preset_values("3YR2024")
    )


# --- services --------------------------------------------------------------------------------------------------------


def test_a_county_records_a_programme_and_it_is_audited(cast, county_lunxun):
    assert (county_lunxun.unit, county_lunxun.year, str(county_lunxun)) == (
        cast.county,
        2026,
        "2026年 书记后备力量全覆盖轮训",
    )
    entry = AuditLog.objects.get(action="training.programme_create")
    assert entry.unit_code == cast.county.code and entry.changes == {"name": "书记后备力量全覆盖轮训", "year": 2026}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "  ", "year": 2026}, "name", "请填写轮训班名称"),
        ({"name": "轮训", "year": 1999}, "year", "请填写2000至2100之间的年度"),
        ({"name": "轮训", "year": None}, "year", "请填写2000至2100之间的年度"),
        ({"name": "青竹街道轮训", "year": 2026}, "name", "已有同名轮训班"),
    ],
)
def test_bad_programme_input_is_refused_in_chinese_and_nothing_is_written(cast, township_lunxun, data, field, message):
    exc = unchanged(lambda: services.programme_create(actor=cast.township_a_admin, unit=cast.township_a, data=data))
    assert message in " ".join(exc.value.message_dict[field])


def test_a_programme_needs_a_township_or_county_in_the_users_edit_scope(cast):
    data = {"name": "轮训", "year": 2026}
    exc = unchanged(lambda: services.programme_create(actor=cast.township_b_admin, unit=cast.township_a, data=data))
    assert "无权" in " ".join(exc.value.messages)
    exc = unchanged(lambda: services.programme_create(actor=cast.township_a_admin, unit=cast.village_a1, data=data))
    assert "乡镇或县" in " ".join(exc.value.messages)
    exc = unchanged(lambda: services.programme_create(actor=cast.village_secretary, unit=cast.township_a, data=data))
    assert "无权" in " ".join(exc.value.messages)


def test_a_session_belongs_to_a_programme_of_its_unit_or_above_and_of_the_programmes_year(
    cast, people, county_lunxun, township_lunxun
):
    # A township's session of the county's programme, and of its own.
    own = services.training_create(
        actor=cast.township_a_admin, unit=cast.township_a, data=session(programme=township_lunxun)
    )
    above = services.training_create(
        actor=cast.township_a_admin, unit=cast.township_a, data=session(programme=county_lunxun)
    )
    assert (own.programme, above.programme) == (township_lunxun, county_lunxun)
    assert AuditLog.objects.filter(action="training.create", changes__programme=str(county_lunxun)).exists()

    def refused(actor, unit, programme, **over):
        exc = unchanged(
            lambda: services.training_create(actor=actor, unit=unit, data=session(programme=programme, **over))
        )
        return " ".join(exc.value.message_dict["programme"])

    # A county training cannot be a session of a township's programme.
    assert "青竹街道的培训" not in refused(cast.county_admin, cast.county, township_lunxun)
    assert "由青竹街道组织" in refused(cast.county_admin, cast.county, township_lunxun)
    # Township B does not see township A's programme.
    assert "不在您的管辖范围内" in refused(cast.township_b_admin, cast.township_b, township_lunxun)
    # The session ends in the programme's year (the rule counts a training in the year it ends).
    message = refused(cast.township_a_admin, cast.township_a, county_lunxun, start=D(2025, 12, 1), end=D(2025, 12, 2))
    assert "为2026年度，本期培训的结束日期须在2026年内" in message
    # A person's own training may be a session too (of their township's or county's programme).
    single = services.training_record_single(
        actor=cast.township_a_admin, record=people["a1"], data=session(programme=county_lunxun)
    )
    assert single.programme == county_lunxun and single.is_individual


def test_moving_a_session_out_of_its_year_or_a_programme_to_another_year_is_refused(cast, county_lunxun):
    event = services.training_create(actor=cast.county_admin, unit=cast.county, data=session(programme=county_lunxun))
    with pytest.raises(ValidationError) as exc:
        services.training_update(
            actor=cast.county_admin,
            event=event,
            data=session(programme=county_lunxun, start=D(2027, 1, 5), end=D(2027, 1, 6)),
        )
    assert "结束日期须在2026年内" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        services.programme_update(actor=cast.county_admin, programme=county_lunxun, data={"name": "x", "year": 2027})
    assert "不在2027年内" in " ".join(exc.value.messages)
    county_lunxun.refresh_from_db()
    assert (county_lunxun.name, county_lunxun.year) == ("书记后备力量全覆盖轮训", 2026)
    # Leaving the programme is an ordinary change, audited.
    services.training_update(actor=cast.county_admin, event=event, data=session())
    event.refresh_from_db()
    assert event.programme is None
    entry = AuditLog.objects.get(action="training.update")
    assert entry.changes["programme"] == [str(county_lunxun), None]


def test_a_programme_with_sessions_cannot_be_deleted_an_empty_one_can(cast, county_lunxun):
    event = services.training_create(actor=cast.county_admin, unit=cast.county, data=session(programme=county_lunxun))
    exc = unchanged(lambda: services.programme_delete(actor=cast.county_admin, programme=county_lunxun))
    assert "已有1期培训，不能删除" in " ".join(exc.value.messages)
    exc = unchanged(lambda: services.programme_delete(actor=cast.township_a_admin, programme=county_lunxun))
    assert "无权" in " ".join(exc.value.messages)
    event.delete()
    services.programme_delete(actor=cast.county_admin, programme=county_lunxun)
    assert not TrainingProgramme.objects.exists()
    assert AuditLog.objects.filter(action="training.programme_delete").count() == 1


def test_programme_update_is_audited_and_refuses_a_duplicate_name(cast, county_lunxun):
    services.programme_create(actor=cast.county_admin, unit=cast.county, data={"name": "另一轮", "year": 2026})
    with pytest.raises(ValidationError) as exc:
        services.programme_update(
            actor=cast.county_admin, programme=county_lunxun, data={"name": "另一轮", "year": 2026}
        )
    assert "已有同名轮训班" in " ".join(exc.value.messages)
    services.programme_update(
        actor=cast.county_admin, programme=county_lunxun, data={"name": "全覆盖轮训", "year": 2026, "note": "分两期"}
    )
    entry = AuditLog.objects.get(action="training.programme_update")
    assert entry.changes == {"name": ["书记后备力量全覆盖轮训", "全覆盖轮训"], "note": ["", "分两期"]}


# --- pages -----------------------------------------------------------------------------------------------------------


def test_programmes_are_scoped_like_trainings(client, cast, county_lunxun, township_lunxun):
    url_a = reverse("training_programme_detail", args=[township_lunxun.pk])
    url_county = reverse("training_programme_detail", args=[county_lunxun.pk])
    client.force_login(cast.township_b_admin)
    listed = {p.pk for p in client.get(reverse("training_programme_list")).context["page"]}
    assert listed == {county_lunxun.pk}  # its county's, not a sibling township's
    assert client.get(url_a).status_code == 404 and client.get(url_county).status_code == 200
    client.force_login(cast.village_secretary)
    listed = {p.pk for p in client.get(reverse("training_programme_list")).context["page"]}
    assert listed == {county_lunxun.pk, township_lunxun.pk}
    body = client.get(url_a).content.decode()
    assert "登记一期培训" not in body and reverse("training_programme_edit", args=[township_lunxun.pk]) not in body
    client.force_login(cast.township_a_admin)
    body = client.get(url_county).content.decode()
    assert "登记一期培训" in body and reverse("training_programme_edit", args=[county_lunxun.pk]) not in body
    assert client.get(reverse("training_programme_edit", args=[county_lunxun.pk])).status_code == 404


def test_a_county_lunxun_in_two_sessions_through_the_pages_meets_the_3yr_rule(client, cast, people):
    as_3yr(cast)
    record = make_record(make_person(cast.village_a1, name="周轮"), entered=D(2024, 3, 1))
    client.force_login(cast.county_admin)
    response = client.post(
        reverse("training_programme_create"),
        {"unit": cast.county.pk, "year": "2026", "name": "2026年书记后备力量全覆盖轮训", "note": "分两期"},
    )
    programme = TrainingProgramme.objects.get()
    assert response.status_code == 302 and response.url == reverse("training_programme_detail", args=[programme.pk])
    # "登记一期培训" opens the training form with the programme chosen.
    form = client.get(reverse("training_event_create"), {"programme": programme.pk}).context["form"]
    assert form.initial["programme"] == programme and form.initial["unit"] == cast.county.pk
    for start, content in [(D(2026, 3, 2), "第一期"), (D(2026, 4, 6), "第二期")]:
        response = client.post(
            reverse("training_event_create"),
            {
                "unit": cast.county.pk,
                "form": "party_school",
                "start": start.isoformat(),
                "end": (start + datetime.timedelta(days=1)).isoformat(),
                "days": "1.5",
                "content": content,
                "organiser": "县委党校",
                "programme": programme.pk,
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        event = TrainingEvent.objects.get(content=content)
        assert event.programme == programme
        services.enrol(actor=cast.county_admin, event=event, records=[record])
    # An unrelated 1.5-day training of the township does not add to it, and two of those alone would not do.
    page = client.get(reverse("training_programme_detail", args=[programme.pk]))
    assert [(r.person.name, r.n_sessions, r.programme_days) for r in page.context["participants"]] == [
        ("周轮", 2, Decimal("3.0"))
    ]
    assert "各期培训（2 期，合计 3 天）" in page.content.decode()
    today = D(2026, 6, 1)
    (check,) = rules.training_checks(record, rules.policy_for(record, today), today)
    assert check.status == OK and "轮训班“2026年书记后备力量全覆盖轮训”2期，共3天" in check.reason
    body = client.get(reverse("training_event_list")).content.decode()
    assert "2026年书记后备力量全覆盖轮训" in body and "所属轮训班次" in body
    body = client.get(reverse("training_record", args=[record.pk])).content.decode()
    assert "2026年书记后备力量全覆盖轮训" in body


def test_two_unrelated_short_trainings_leave_the_reserve_on_the_3yr_gap_list(client, cast):
    as_3yr(cast)
    today = datetime.date.today()
    record = make_record(make_person(cast.village_a1, name="吴短"), entered=D(today.year - 2, 1, 10))
    done = make_record(make_person(cast.village_a1, name="郑全"), entered=D(today.year - 2, 1, 10))
    programme = services.programme_create(
        actor=cast.township_a_admin, unit=cast.township_a, data={"name": "轮训", "year": today.year}
    )
    first_day = D(today.year, 1, 1)
    for i in range(2):
        start = first_day + datetime.timedelta(days=2 * i)
        end = start + datetime.timedelta(days=1)
        if end > today:
            pytest.skip("the first days of January: no two trainings have ended yet")
        base = {**session(start=start, end=end), "content": f"专题{i}"}
        services.training_record_single(actor=cast.township_a_admin, record=record, data=base)
        services.training_record_single(actor=cast.township_a_admin, record=done, data={**base, "programme": programme})
        services.training_record_single(  # last year's, so nobody is overdue for last year
            actor=cast.township_a_admin,
            record=record if i == 0 else done,
            data=session(start=D(today.year - 1, 5, 1), end=D(today.year - 1, 5, 3), days=3),
        )
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("training_gaps"), {"rule": "training"})
    statuses = {r.person.name: r.status for r in response.context["rows"]}
    assert "郑全" not in statuses
    if today >= D(today.year, 11, 1):  # due with 31 December within 60 days: listed
        assert statuses["吴短"] == DUE
    (check,) = rules.training_checks(record, rules.policy_for(record, today), today)
    assert check.status == DUE and "不同培训的天数不能相加" in check.reason


def test_programme_form_errors_are_chinese_and_write_nothing(client, cast, county_lunxun):
    client.force_login(cast.township_a_admin)
    response = client.post(
        reverse("training_event_create"),
        {
            "unit": cast.township_a.pk,
            "form": "concentrated",
            "start": "2025-05-01",
            "end": "2025-05-02",
            "days": "2",
            "content": "专题",
            "organiser": "街道党工委",
            "programme": county_lunxun.pk,
        },
    )
    assert response.status_code == 200 and not TrainingEvent.objects.exists()
    assert "本期培训的结束日期须在2026年内" in response.content.decode()
    response = client.post(reverse("training_programme_create"), {"unit": cast.township_a.pk, "year": "2026"})
    assert response.status_code == 200 and TrainingProgramme.objects.count() == 1
    assert "必填" in response.content.decode()
    client.force_login(cast.county_admin)
    response = client.post(reverse("training_programme_delete", args=[county_lunxun.pk]))
    assert response.status_code == 302 and TrainingProgramme.objects.count() == 1  # no confirm: nothing happens
    response = client.post(reverse("training_programme_delete", args=[county_lunxun.pk]), {"confirm": "1"})
    assert response.url == reverse("training_programme_list") and not TrainingProgramme.objects.exists()


PROGRAMME_LIST_QUERIES, PROGRAMME_DETAIL_QUERIES = 5, 6


def test_programme_pages_have_pinned_query_counts(client, cast, people, county_lunxun):
    client.force_login(cast.county_admin)

    def counts():
        out = []
        for url in (
            reverse("training_programme_list"),
            reverse("training_programme_detail", args=[county_lunxun.pk]),
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    def add(n):
        for i in range(n):
            name = f"轮训{TrainingProgramme.objects.count()}"
            services.programme_create(actor=cast.county_admin, unit=cast.county, data={"name": name, "year": 2025})
            event = services.training_create(
                actor=cast.county_admin, unit=cast.county, data=session(content=f"第{i}期", programme=county_lunxun)
            )
            services.enrol(actor=cast.county_admin, event=event, records=list(people.values()))

    # Session, user, scope grants; then the list: year choices need none, count, rows (unit joined, sessions and days
    # annotated); the detail: the programme (unit joined), sessions (with visible enrolments counted), participants.
    add(1)
    few = counts()
    add(5)
    assert counts() == few == [PROGRAMME_LIST_QUERIES, PROGRAMME_DETAIL_QUERIES]
    assert Enrolment.objects.count() == 24


def test_the_edit_and_single_training_forms_offer_the_programmes_of_the_unit_and_above(
    client, cast, people, county_lunxun, township_lunxun
):
    other = services.programme_create(
        actor=cast.county_admin, unit=cast.township_b, data={"name": "东馆镇轮训", "year": 2026}
    )
    event = services.training_create(actor=cast.county_admin, unit=cast.county, data=session(programme=county_lunxun))
    client.force_login(cast.county_admin)
    url = reverse("training_event_edit", args=[event.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["programme"].queryset) == [county_lunxun]  # a county training: the county's only
    assert form.initial["programme"] == county_lunxun
    form = client.get(reverse("training_single", args=[people["a1"].pk])).context["form"]
    assert set(form.fields["programme"].queryset) == {county_lunxun, township_lunxun}
    assert other not in set(form.fields["programme"].queryset)
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in session().items()}
    response = client.post(url, data | {"programme": ""})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.programme is None
