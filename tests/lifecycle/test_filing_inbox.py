"""The county's filing inbox (备案): every item waiting for the county — removals, uses, transfers and selection
results — oldest first, with its age in working days; filed or returned one by one or several at once."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from lifecycle import services
from lifecycle.models import Removal, Use
from notices.models import CalendarDay
from reserves.filings import filing_submit, waiting_working_days
from reserves.models import Filing, ReserveRecord
from tests.conftest import make_person, make_record
from tests.lifecycle.conftest import propose_removal, propose_use, record_opinions

D = datetime.date


def by_township(cast, record):
    if record.village == cast.village_a1:
        return {}
    return {"actor": cast.township_a_staff, "initiator_note": "村党组织书记空缺"}


def approved_removal(cast, record):
    removal = propose_removal(cast, record, **by_township(cast, record))
    services.removal_approve(actor=cast.township_a_admin, removal=removal)
    return removal


def approved_use(cast, record):
    use = propose_use(cast, record, **by_township(cast, record))
    record_opinions(cast, use)
    services.use_approve(actor=cast.township_a_admin, use=use)
    return use


def backdate(subject, when):
    Filing.objects.filter(subject=subject).update(submitted_at=when)


def test_inbox_lists_every_kind_oldest_first_with_its_age_in_working_days(client, cast, people):
    removal = approved_removal(cast, people["a1"])
    use = approved_use(cast, people["a2"])
    selection = filing_submit(
        actor=cast.township_a_admin,
        kind="selection",
        subject="selection.round:99",
        title="青竹街道：2026年选拔",
        unit=cast.township_a,
        county=cast.county,
    )
    now = timezone.now()
    backdate(use.subject, now - datetime.timedelta(days=20))
    backdate(removal.subject, now - datetime.timedelta(days=7))
    client.force_login(cast.county_staff)
    rows = client.get(reverse("filing_list")).context["rows"]
    assert [f.kind for f in rows] == ["use", "removal", "selection"]
    assert rows[2].age == 0  # submitted today
    assert 0 < rows[1].age <= 7 and rows[1].age < rows[0].age
    assert rows[1].link == reverse("removal_detail", args=[removal.pk])
    assert rows[0].link == reverse("use_detail", args=[use.pk])
    assert selection.pk == rows[2].pk
    only_removals = client.get(reverse("filing_list"), {"kind": "removal"}).context["rows"]
    assert [f.kind for f in only_removals] == ["removal"]


def test_age_counts_working_days_on_the_county_calendar(cast):
    # Submitted Friday 2026-09-25; on Monday 2026-10-12 the National Day week (Oct 1–7 off, Sat Oct 10 on) is behind.
    filing = Filing(county=cast.county, submitted_at=timezone.make_aware(datetime.datetime(2026, 9, 25, 10)))
    filing.pk = 1
    waiting_working_days([filing], D(2026, 10, 12))
    # Sep 28, 29, 30, Oct 8, 9, 10 (make-up Saturday), 12
    assert filing.age == 7
    CalendarDay.objects.create(county=cast.county, date=D(2026, 10, 12), kind=CalendarDay.HOLIDAY)
    waiting_working_days([filing], D(2026, 10, 12))
    assert filing.age == 6


def test_several_filed_at_once_each_in_its_own_transaction(client, cast, people):
    a1, a2, a3 = (approved_removal(cast, people[k]) for k in ("a1", "a2", "a3"))
    # a3's record ends meanwhile: its filing will be refused, the others go through
    from reserves.services import record_close

    record_close(
        actor=cast.township_a_admin, record=people["a3"], status="exited", ended_on=D(2026, 11, 1), reason="本人申请"
    )
    client.force_login(cast.county_admin)
    ids = list(Filing.objects.filter(state="submitted").values_list("pk", flat=True))
    response = client.post(reverse("filing_list"), {"ids": [str(i) for i in ids], "decision": "file"})
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "已备案 2 项。" in messages and any("不能再取消资格" in m for m in messages)
    assert [Removal.objects.get(pk=r.pk).state for r in (a1, a2, a3)] == ["filed", "filed", "approved"]
    assert ReserveRecord.objects.filter(status="removed").count() == 2
    # a second submission of the same ids (another tab) files nothing twice
    again = client.post(reverse("filing_list"), {"ids": [str(i) for i in ids], "decision": "file"})
    assert any("未重复办理" in str(m) for m in get_messages(again.wsgi_request))
    assert Filing.objects.filter(state="filed").count() == 2


def test_returning_several_needs_a_reason_and_only_the_county_decides(client, cast, people):
    use = approved_use(cast, people["a1"])
    ids = [str(Filing.objects.get(subject=use.subject).pk)]
    client.force_login(cast.county_staff)
    response = client.post(reverse("filing_list"), {"ids": ids, "decision": "return", "note": ""})
    assert any("退回时须说明理由" in str(m) for m in get_messages(response.wsgi_request))
    assert Use.objects.get(pk=use.pk).state == Use.APPROVED
    client.post(reverse("filing_list"), {"ids": ids, "decision": "return", "note": "请补充部门意见"})
    assert Use.objects.get(pk=use.pk).state == Use.RETURNED
    for role in ("township_a_admin", "village_secretary", "city_viewer"):
        client.force_login(cast.users()[role])
        assert client.post(reverse("filing_list"), {"ids": ids, "decision": "file"}).status_code == 404


def test_townships_see_their_own_submissions_only(client, cast, people):
    approved_removal(cast, people["a1"])
    client.force_login(cast.township_b_admin)
    assert list(client.get(reverse("filing_list")).context["rows"]) == []
    client.force_login(cast.township_a_staff)
    page = client.get(reverse("filing_list")).content.decode()
    assert "取消后备干部资格" in page and 'name="ids"' not in page  # townships watch, the county decides


@pytest.mark.parametrize("n", [3, 30])
def test_inbox_query_count_is_pinned(client, cast, django_assert_num_queries, n):
    """session, user, guardian grants (scope), count, page rows (unit, submitted_by, decided_by joined), the
    counties' calendar rows for the ages: 6, whatever the number of items."""
    for i in range(n):
        person = make_person(cast.village_a1 if i % 2 else cast.village_b1, name=f"人{i}")
        record = make_record(person)
        unit = cast.township_a if i % 2 else cast.township_b
        filing_submit(
            actor=cast.township_a_admin,
            kind="removal",
            subject=f"lifecycle.removal:{record.pk}",
            title=f"取消{i}",
            unit=unit,
            county=cast.county,
        )
    client.force_login(cast.county_admin)
    # 8: the six of before, plus the subjects of each filing kind on the page (for the confirmation texts) and the
    # policy in force of the county (its ban and stipend rules); the same for 3 or 30 filings.
    with django_assert_num_queries(8):
        response = client.get(reverse("filing_list"))
    assert len(response.context["rows"]) == n
