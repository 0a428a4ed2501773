"""The user's pages: notifications (mark read, mark all read, filter by kind), the bell, preferences, and the county
admin's sent log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from org.models import AuditLog
from reminders.models import ChannelAddress, Notification, Outbox, Preference
from reserves.builders import make_user, unit
from tests.conftest import PASSWORD

_seq = iter(range(100_000))


def note(user, *, kind="mentor_missing", read=False, unit_code="511425100201", title="结对帮带未落实：李兰"):
    return Notification.objects.create(
        recipient=user,
        kind=kind,
        subject=f"test:{next(_seq)}",
        period="2026Q4",
        title=title,
        body="请安排帮带干部。",
        url="/mentoring/compliance/",
        unit_code=unit_code,
        read_at=timezone.now() if read else None,
        batch="t",
    )


def count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- notifications -------------------------------------------------------------------------------------------------


def test_the_list_shows_only_ones_own_notifications_newest_first(client, cast):
    note(cast.township_a_admin, title="第一条")
    note(cast.township_a_admin, title="第二条", kind="training_risk", read=True)
    note(cast.township_b_admin, title="别人的")
    client.force_login(cast.township_a_admin)
    html = client.get(reverse("notification_list")).content.decode()
    assert "第一条" in html and "第二条" in html and "别人的" not in html
    assert html.index("第二条") < html.index("第一条")
    assert "1 条未读" in html


def test_filter_by_kind_and_unread(client, cast):
    note(cast.township_a_admin, title="结对一", kind="mentor_missing")
    note(cast.township_a_admin, title="培训一", kind="training_risk")
    note(cast.township_a_admin, title="培训已读", kind="training_risk", read=True)
    client.force_login(cast.township_a_admin)
    html = client.get(reverse("notification_list"), {"kind": "training_risk"}).content.decode()
    assert "培训一" in html and "培训已读" in html and "结对一" not in html
    html = client.get(reverse("notification_list"), {"kind": "training_risk", "unread": "1"}).content.decode()
    assert "培训一" in html and "培训已读" not in html
    html = client.get(reverse("notification_list"), {"kind": "no_such"}).content.decode()
    assert "结对一" in html  # an unknown kind is ignored, not an error page


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(client, cast):
    n = note(cast.township_a_admin)
    client.force_login(cast.township_a_admin)
    response = client.post(reverse("notification_read", args=[n.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/mentoring/compliance/"
    n.refresh_from_db()
    assert n.read_at is not None
    first = n.read_at
    client.post(reverse("notification_read", args=[n.pk]))
    n.refresh_from_db()
    assert n.read_at == first  # read once, the time kept


def test_mark_read_goes_back_to_a_local_page_only(client, cast):
    n = note(cast.township_a_admin)
    client.force_login(cast.township_a_admin)
    back = reverse("notification_list") + "?kind=mentor_missing"
    assert client.post(reverse("notification_read", args=[n.pk]), {"next": back})["Location"] == back
    m = note(cast.township_a_admin)
    response = client.post(reverse("notification_read", args=[m.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notification_list")


def test_nobody_marks_anothers_notification(client, cast):
    n = note(cast.township_a_admin)
    client.force_login(cast.county_admin)
    assert client.post(reverse("notification_read", args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_touches_only_ones_own_and_the_chosen_kind(client, cast):
    a = note(cast.township_a_admin, kind="mentor_missing")
    b = note(cast.township_a_admin, kind="training_risk")
    other = note(cast.township_b_admin)
    client.force_login(cast.township_a_admin)
    client.post(reverse("notification_read_all"), {"kind": "training_risk"})
    assert Notification.objects.filter(pk=b.pk, read_at__isnull=False).exists()
    assert Notification.objects.filter(pk=a.pk, read_at__isnull=True).exists()
    response = client.post(reverse("notification_read_all"), follow=True)
    assert "已将 1 条提醒标为已读" in response.content.decode()
    assert Notification.objects.filter(pk=other.pk, read_at__isnull=True).exists()


# Every page: session, user, guardian grants (the scope). Then: the page's count, its rows, the unread count per kind.
def test_the_list_query_count_is_pinned_and_does_not_grow_with_rows(client, cast):
    client.force_login(cast.township_a_admin)
    for _ in range(3):
        note(cast.township_a_admin)
    few = count(client, reverse("notification_list"))
    for i in range(60):
        note(cast.township_a_admin, kind="training_risk", read=i % 2 == 0)
    assert (few, count(client, reverse("notification_list"))) == (6, 6)


# --- the bell ----------------------------------------------------------------------------------------------------


def test_every_page_has_the_bell_that_loads_its_count_afterwards(client, cast):
    note(cast.township_a_admin)
    client.force_login(cast.township_a_admin)
    home = client.get(reverse("home")).content.decode()
    assert f'hx-get="{reverse("notification_bell")}"' in home and 'hx-trigger="load, every 120s"' in home
    badge = client.get(reverse("notification_bell")).content.decode()
    assert 'data-unread="1"' in badge and "条未读提醒" in badge


def test_the_bell_is_empty_without_unread_and_caps_at_99(client, cast):
    client.force_login(cast.township_a_admin)
    assert client.get(reverse("notification_bell")).content.decode().strip() == ""
    Notification.objects.bulk_create(
        [
            Notification(recipient=cast.township_a_admin, kind="absence", subject=f"x:{i}", title="t", batch="b")
            for i in range(120)
        ]
    )
    assert ">99+<" in client.get(reverse("notification_bell")).content.decode()


def test_the_bell_costs_one_query_after_the_session_and_user(client, cast):
    client.force_login(cast.township_a_admin)
    note(cast.township_a_admin)
    assert count(client, reverse("notification_bell")) == 3  # session, user, the COUNT


def test_a_user_who_must_change_the_password_gets_no_bell(client, cast):
    u = make_user("newbie", "新用户", cast.township_a, "township_staff", PASSWORD, must_change=True)
    client.force_login(u)
    html = client.get(reverse("password_change")).content.decode()
    assert reverse("notification_bell") not in html


# --- preferences -------------------------------------------------------------------------------------------------


def _all_on(**extra):
    from reminders.forms import field_name
    from reminders.kinds import EXTERNAL_CHANNELS, KINDS

    data = {field_name(k.key, c): "on" for k in KINDS for c in EXTERNAL_CHANNELS}
    data.update({"sms": "", "wecom": ""})
    data.update(extra)
    return data


def test_switching_email_off_for_one_kind(client, cast):
    from reminders.forms import field_name

    client.force_login(cast.township_a_admin)
    page = client.get(reverse("reminder_preferences")).content.decode()
    assert "培训未达要求预警" in page and "每周汇总" in page and "未设置" in page
    data = _all_on()
    data.pop(field_name("training_risk", "email"))
    response = client.post(reverse("reminder_preferences"), data)
    assert response.status_code == 302
    assert set(Preference.objects.filter(user=cast.township_a_admin).values_list("kind", "channel")) == {
        ("training_risk", "email")
    }
    entry = AuditLog.objects.get(action="reminders.preferences")
    assert "培训未达要求预警（电子邮件）" in entry.changes["关闭"][1]
    client.post(reverse("reminder_preferences"), _all_on())
    assert not Preference.objects.filter(user=cast.township_a_admin).exists()


def test_a_bad_phone_number_is_refused_with_a_clear_message_and_nothing_changes(client, cast):
    from reminders.forms import field_name

    client.force_login(cast.township_a_admin)
    data = _all_on(sms="1380013800")
    data.pop(field_name("digest", "email"))
    response = client.post(reverse("reminder_preferences"), data)
    assert response.status_code == 200
    assert "手机号码应为11位，当前为10位。" in response.content.decode()
    assert not Preference.objects.exists() and not ChannelAddress.objects.exists()


def test_sms_and_wecom_addresses_are_saved_and_cleared(client, cast):
    client.force_login(cast.township_a_admin)
    client.post(reverse("reminder_preferences"), _all_on(sms="+86 138-0013-8000", wecom="qz.shuji"))
    assert dict(ChannelAddress.objects.values_list("channel", "address")) == {"sms": "13800138000", "wecom": "qz.shuji"}
    entry = AuditLog.objects.get(action="reminders.preferences")
    assert "13800138000" not in str(entry.changes)  # the number itself is not written to the log
    client.post(reverse("reminder_preferences"), _all_on())
    assert not ChannelAddress.objects.exists()


def test_preferences_query_count_is_pinned(client, cast):
    client.force_login(cast.township_a_admin)
    assert count(client, reverse("reminder_preferences")) == 5  # session, user, scope, opt-outs, addresses


# --- the sent log ----------------------------------------------------------------------------------------------------


@pytest.fixture
def other_county(cast):
    county = unit("county", "东坡区", "511402", cast.city)
    return unit("village", "外县村", "511402100201", unit("township", "外县镇", "511402100", county))


def test_the_sent_log_shows_the_countys_notifications_with_every_channel(client, cast, other_county):
    n = note(cast.township_a_admin, title="本县提醒")
    Outbox.objects.create(notification=n, channel="email", address="ta@example.gov.cn", state="sent", batch="t")
    Outbox.objects.create(notification=n, channel="sms", address="13800138000", state="unknown", batch="t")
    note(cast.township_a_admin, title="外县提醒", unit_code=other_county.code)
    client.force_login(cast.county_admin)
    html = client.get(reverse("reminder_sent_log")).content.decode()
    assert "本县提醒" in html and "外县提醒" not in html
    assert "青竹书记" in html and "已发送" in html and "发送中断，未确认" in html
    assert "138****8000" in html and "13800138000" not in html


def test_the_sent_log_filters_by_channel_and_state(client, cast):
    a = note(cast.township_a_admin, title="邮件失败")
    Outbox.objects.create(notification=a, channel="email", address="x@example.gov.cn", state="failed", batch="t")
    note(cast.township_a_admin, title="只有站内", read=True)
    client.force_login(cast.county_admin)
    html = client.get(reverse("reminder_sent_log"), {"state": "failed"}).content.decode()
    assert "邮件失败" in html and "只有站内" not in html
    html = client.get(reverse("reminder_sent_log"), {"state": "read"}).content.decode()
    assert "只有站内" in html and "邮件失败" not in html
    html = client.get(reverse("reminder_sent_log"), {"state": "read", "channel": "email"}).content.decode()
    assert "只适用于站内提醒" in html


def test_the_sent_log_query_count_is_pinned_and_does_not_grow_with_rows(client, cast):
    client.force_login(cast.county_admin)

    def add(n):
        for _ in range(n):
            x = note(cast.township_a_admin)
            Outbox.objects.create(notification=x, channel="email", address="x@example.gov.cn", batch="t")

    add(2)
    few = count(client, reverse("reminder_sent_log"))
    add(40)
    # session, user, scope (audit-log grant), count, page rows (recipient joined), their outbox rows
    assert (few, count(client, reverse("reminder_sent_log"))) == (6, 6)


def test_the_list_links_to_the_sent_log_for_county_admins_only(client, cast):
    client.force_login(cast.county_admin)
    assert reverse("reminder_sent_log") in client.get(reverse("notification_list")).content.decode()
    client.force_login(cast.township_a_admin)
    assert reverse("reminder_sent_log") not in client.get(reverse("notification_list")).content.decode()
