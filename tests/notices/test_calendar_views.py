"""The county's holiday arrangement page: county admins only; adding, refusing a duplicate, deleting."""

import datetime

import pytest
from django.urls import reverse

from notices.models import CalendarDay
from org.models import AuditLog
from tests.notices.conftest import post_notice

D = datetime.date


@pytest.fixture
def day(cast):
    return CalendarDay.objects.create(county=cast.county, date=D(2027, 1, 1), kind="holiday", note="元旦")


def test_calendar_pages_are_for_county_admins_only(client, cast, day):
    list_url, add_url = reverse("calendar_list"), reverse("calendar_add")
    delete_url = reverse("calendar_delete", args=[day.pk])
    for url, method in [(list_url, "get"), (add_url, "post"), (delete_url, "post")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for role, user in cast.users().items():
        if role == "county_admin":
            continue
        client.force_login(user)
        assert client.get(list_url).status_code == 404, role
        assert client.post(add_url, {"date": "2027-02-11", "kind": "holiday"}).status_code == 404, role
        assert client.post(delete_url).status_code == 404, role
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D(2027, 1, 1)]
    client.force_login(cast.county_admin)
    assert client.get(list_url).status_code == 200
    assert client.get(add_url).status_code == 405


def test_list_explains_the_library_and_shows_the_year(client, cast, day):
    client.force_login(cast.county_admin)
    page = client.get(reverse("calendar_list"), {"year": 2027}).content.decode()
    assert "2004—2026" in page and "2027-01-01" in page and "元旦" in page
    assert "已录入" in page
    page = client.get(reverse("calendar_list"), {"year": 2028}).content.decode()
    assert "尚未录入节假日安排，目前按周一至周五估算" in page
    page = client.get(reverse("calendar_list"), {"year": 2026}).content.decode()
    assert "已内置" in page and "国庆节：10月1日—10月7日放假" in page
    assert client.get(reverse("calendar_list"), {"year": "abc"}).status_code == 200


def test_adding_a_day_recounts_a_running_notice(client, cast):
    notice = post_notice(cast, start=D(2026, 12, 30), days=5)
    client.force_login(cast.county_admin)
    response = client.post(
        reverse("calendar_add"), {"county": cast.county.pk, "year": 2027, "date": "2027-01-01", "kind": "holiday"}
    )
    assert response.status_code == 302 and "year=2027" in response.url
    assert CalendarDay.objects.get().created_by == cast.county_admin
    notice.refresh_from_db()
    assert (notice.end, notice.estimated) == (D(2027, 1, 6), False)
    assert AuditLog.objects.filter(action="calendar.add").count() == 1


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"date": "2027-01-01", "kind": "workday"}, "date", "2027年1月1日已有安排，如需修改请先删除原安排。"),
        ({"date": "", "kind": "holiday"}, "date", "请填写日期。"),
        ({"date": "2027-13-01", "kind": "holiday"}, "date", "日期格式不正确。"),
        ({"date": "1999-10-01", "kind": "holiday"}, "date", "请填写2000年至2100年之间的日期。"),
        ({"date": "2027-02-11", "kind": ""}, "kind", "请选择类型。"),
    ],
)
def test_bad_days_show_chinese_errors_and_nothing_is_written(client, cast, day, data, field, message):
    client.force_login(cast.county_admin)
    response = client.post(reverse("calendar_add"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert list(CalendarDay.objects.values_list("date", "kind")) == [(D(2027, 1, 1), "holiday")]
    assert not AuditLog.objects.filter(action="calendar.add").exists()


def test_deleting_a_day(client, cast, day):
    client.force_login(cast.county_admin)
    response = client.post(reverse("calendar_delete", args=[day.pk]))
    assert response.status_code == 302 and "year=2027" in response.url
    assert not CalendarDay.objects.exists()
    assert AuditLog.objects.get(action="calendar.delete").changes["date"] == "2027-01-01"


def test_another_countys_day_is_not_found(client, cast):
    from org import roles
    from reserves.builders import unit

    other = unit(roles.COUNTY, "东坡区", "511402", cast.city)
    theirs = CalendarDay.objects.create(county=other, date=D(2027, 1, 1), kind="holiday")
    client.force_login(cast.county_admin)
    assert client.post(reverse("calendar_delete", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("calendar_list"), {"county": other.pk}).status_code == 404
    assert CalendarDay.objects.filter(pk=theirs.pk).exists()


def test_calendar_list_query_count_does_not_grow_with_rows(client, cast, django_assert_num_queries):
    # session, user, scope, the admin's counties, the year's rows (with who entered them).
    client.force_login(cast.county_admin)
    for i in range(1, 4):
        CalendarDay.objects.create(county=cast.county, date=D(2027, 1, i), kind="holiday")
    with django_assert_num_queries(5):
        client.get(reverse("calendar_list"), {"year": 2027})
    for i in range(1, 20):
        CalendarDay.objects.create(county=cast.county, date=D(2027, 2, i), kind="holiday", created_by=cast.county_admin)
    with django_assert_num_queries(5):
        client.get(reverse("calendar_list"), {"year": 2027})
