"""Delivery guarantees: in-app exactly once, other channels at most once and never silently lost."""

import datetime
import logging
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reminders import channels, services, tasks
from reminders.models import ChannelAddress, Notification, Outbox, Preference
from reminders.scan import Item
from tests.conftest import make_person, make_record, require_service
from tests.reminders.conftest import TUE_DEC_1, TUE_NOV_3, D, got, scan


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_the_scan_run_twice_sends_once(cast, people, with_emails):
    first = scan(cast, TUE_NOV_3)
    assert first["created"] > 0
    services.deliver()
    rows, outbox, sent = Notification.objects.count(), Outbox.objects.count(), len(mail.outbox)
    assert outbox == rows and sent == rows  # everyone here has an address
    again = scan(cast, TUE_NOV_3)
    services.deliver()
    assert again["created"] == 0
    assert (Notification.objects.count(), Outbox.objects.count(), len(mail.outbox)) == (rows, outbox, sent)


def test_the_whole_scan_twice_through_the_tasks_sends_once(
    cast, people, with_emails, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan.delay(TUE_NOV_3.isoformat())
    n, sent = Notification.objects.count(), len(mail.outbox)
    assert n > 0 and sent == n and not Outbox.objects.exclude(state=Outbox.SENT).exists()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scan.delay(TUE_NOV_3.isoformat())
    assert (Notification.objects.count(), len(mail.outbox)) == (n, sent)


def test_an_email_says_what_it_is_and_where_to_look(cast, people, with_emails, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://cadres.example.gov.cn"]
    scan(cast, TUE_NOV_3)
    services.deliver()
    n = got("mentor_missing", recipient=cast.township_b_admin).get()
    (message,) = [m for m in mail.outbox if m.extra_headers["X-Reminder-Outbox"] == str(n.deliveries.get().pk)]
    assert message.to == ["tb_admin@example.gov.cn"]
    assert message.subject == f"【村级后备干部管理】未按要求结对帮带：{n.title}"
    assert n.body in message.body and f"https://cadres.example.gov.cn{n.url}" in message.body
    html = message.alternatives[0][0]
    assert f'href="https://cadres.example.gov.cn{n.url}"' in html


def test_no_address_no_outbox_and_an_opt_out_stops_only_that_kind(cast, people, with_emails):
    cast.township_a_staff.email = ""
    cast.township_a_staff.save()
    Preference.objects.create(user=cast.township_a_admin, kind="training_risk", channel="email")
    scan(cast, TUE_NOV_3)
    assert got("training_risk", recipient=cast.township_a_admin).exists()  # in-app always
    assert not Outbox.objects.filter(notification__recipient=cast.township_a_staff).exists()
    kinds = set(Outbox.objects.filter(notification__recipient=cast.township_a_admin).values_list("notification__kind"))
    assert ("training_risk",) not in kinds and ("mentor_missing",) in kinds


def test_sms_and_wecom_go_through_the_logging_channel_masked(cast, people, caplog):
    ChannelAddress.objects.create(user=cast.township_b_admin, channel="sms", address="13800138000")
    ChannelAddress.objects.create(user=cast.township_b_admin, channel="wecom", address="hanyang.sj")
    scan(cast, TUE_NOV_3)
    with caplog.at_level(logging.WARNING, logger="reminders.channels"):
        services.deliver()
    rows = Outbox.objects.filter(notification__recipient=cast.township_b_admin)
    assert {r.channel for r in rows} == {"sms", "wecom"} and {r.state for r in rows} == {"sent"}
    text = caplog.text
    assert "短信未接入服务商" in text and "138****8000" in text and "13800138000" not in text
    assert "政务微信未接入服务商" in text and "hanyang.sj" in text


def _one_outbox(cast, address="ta_admin@example.gov.cn"):
    item = Item("filing_waiting", "reserves.filing:1", "", [cast.county_admin.pk], "备案", "等待", "/filings/", "")
    cast.county_admin.email = address
    cast.county_admin.save()
    services.write([item], enqueue=False)
    return Outbox.objects.get()


def test_a_row_claimed_by_another_worker_is_left_to_it(cast):
    row = _one_outbox(cast)
    Outbox.objects.filter(pk=row.pk).update(state=Outbox.SENDING, claimed_at=timezone.now())
    assert services.deliver() == {}
    assert mail.outbox == [] and Outbox.objects.get().state == Outbox.SENDING


def test_an_interrupted_send_is_marked_unknown_and_never_resent(cast):
    row = _one_outbox(cast)
    Outbox.objects.filter(pk=row.pk).update(state=Outbox.SENDING, claimed_at=timezone.now())
    assert services.decide_interrupted() == 0  # still within the time a send may take
    later = timezone.now() + services.INTERRUPTED_AFTER + datetime.timedelta(seconds=1)
    assert services.decide_interrupted(later) == 1
    row.refresh_from_db()
    assert row.state == Outbox.UNKNOWN and "不再重发" in row.error
    services.deliver()
    assert mail.outbox == []


def test_the_scan_decides_interrupted_sends_first(cast):
    row = _one_outbox(cast)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Outbox.objects.filter(pk=row.pk).update(state=Outbox.SENDING, claimed_at=long_ago)
    services.scan_all(TUE_NOV_3, enqueue=False)
    assert Outbox.objects.get(pk=row.pk).state == Outbox.UNKNOWN


class Refusing(channels.EmailChannel):
    def open(self):
        raise channels.NotSent("无法连接邮件服务器：Connection refused")


class Exploding(channels.EmailChannel):
    def send(self, message):
        raise TimeoutError("timed out after DATA")


def test_a_server_that_refuses_the_connection_leaves_the_rows_pending_for_a_retry(cast, monkeypatch):
    row = _one_outbox(cast)
    monkeypatch.setitem(channels._FACTORIES, "email", Refusing)
    with pytest.raises(channels.NotSent):
        services.deliver()
    row.refresh_from_db()
    assert row.state == Outbox.PENDING and "Connection refused" in row.error and row.attempts == 0
    monkeypatch.setitem(channels._FACTORIES, "email", channels.EmailChannel)
    assert services.deliver() == {"sent": 1}
    assert len(mail.outbox) == 1


def test_a_failure_after_the_claim_is_failed_not_retried(cast, monkeypatch):
    row = _one_outbox(cast)
    monkeypatch.setitem(channels._FACTORIES, "email", Exploding)
    assert services.deliver() == {"failed": 1}
    row.refresh_from_db()
    assert row.state == Outbox.FAILED and "timed out" in row.error and row.attempts == 1
    monkeypatch.setitem(channels._FACTORIES, "email", channels.EmailChannel)
    assert services.deliver() == {} and mail.outbox == []


def test_the_sweep_task_sends_what_is_pending(cast):
    _one_outbox(cast)
    assert tasks.sweep.delay().get() == {"unknown": 0, "sent": 1}


def test_send_reminders_now_runs_the_scan_and_the_delivery(cast, people, with_emails, capsys):
    call_command("send_reminders", "--now", "--date", TUE_NOV_3.isoformat())
    out = capsys.readouterr().out
    assert "511425：新提醒" in out and "提醒扫描完成：1 个县" in out
    assert len(mail.outbox) == Notification.objects.count() > 0
    call_command("send_reminders", "--now", "--date", TUE_NOV_3.isoformat())
    assert "新提醒 0 条" in capsys.readouterr().out


def test_send_reminders_refuses_a_bad_date(cast):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--now", "--date", "2026-13-01")


# --- the scan's query count does not grow with the number of reserves ---------------------------------------------


def _populate(cast, n):
    villages = [cast.village_a1, cast.village_a2, cast.community_a3, cast.village_b1]
    for i in range(n):
        make_record(
            make_person(villages[i % 4], name=f"后备{i}"),
            entered=D(2023, 12, 15) if i % 2 else D(2020, 3, 1),
            mentor=cast.mentor if i % 3 == 0 else None,
        )


def _scan_queries(cast, on):
    """(queries other than the batched inserts of notifications and outbox rows, those inserts)."""
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        result = scan(cast, on)
    assert result["created"] > 0
    sql = [q["sql"] for q in ctx.captured_queries]
    inserts = [s for s in sql if s.startswith("INSERT") and ("reminders_notification" in s or "reminders_outbox" in s)]
    return len(sql) - len(inserts), len(inserts)


# One county on 1 December (every kind with a season is in season): policy, calendar (the county's rows for three
# years), units, members (4); notices: rounds, uses (2; objections only for ended notices); quarters: this quarter's
# counts and submissions, the previous quarter's grace deadline (3); appraisals (1); training (1); pairing (1);
# mentors' entries (1); talks (1); leave (1); absence (1); age-out (the policy's limit only warns: 0); below target
# (1); filings (1); roster calls (1; the submissions only when a call is open); writing: savepoint, select the rows
# won, users, addresses, opt-outs, release (6); the digest (not
# a Monday: 0); the audit entry (1). Plus the inserts, batched: 1,000 rows a statement on PostgreSQL, fewer on SQLite
# (its 999-parameter limit), so they grow with the rows written, not with the reads.
SCAN_QUERIES = 26


def test_the_scan_query_count_is_pinned_and_does_not_grow_with_reserves(cast, with_emails):
    _populate(cast, 8)
    few, few_inserts = _scan_queries(cast, TUE_DEC_1)
    _populate(cast, 40)
    many, many_inserts = _scan_queries(cast, TUE_DEC_1)
    assert (few, many) == (SCAN_QUERIES, SCAN_QUERIES)
    assert few_inserts >= 2 and many_inserts >= few_inserts
    rows = Notification.objects.count() + Outbox.objects.count()
    assert many_inserts <= 2 + rows // 90  # whole batches, never a statement per row


# --- two writers at once (PostgreSQL: real row locks on the unique index) ---------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_write_each_notification_once(cast, people, with_emails):
    require_service("DATABASE_URL", 5432, "PostgreSQL")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.scan_county(cast.county, TUE_NOV_3, enqueue=False)["created"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    total = Notification.objects.count()
    assert sum(results) == total > 0  # the rows were shared out, none twice
    assert Outbox.objects.count() == total
    keys = Notification.objects.values_list("kind", "subject", "period", "recipient_id")
    assert len(set(keys)) == total
