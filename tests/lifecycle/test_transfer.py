"""调动: within a township the township decides and the move is made at once; across townships the source proposes,
the receiving township agrees and the county approves (through its inbox). History stays: past rosters unchanged."""

import datetime

import pytest

from lifecycle import rules, services
from lifecycle.models import Step, Transfer
from org.models import AuditLog
from reserves.compliance import quarter_bounds, quarter_of
from reserves.models import Filing, Person, ReservePlacement, ReserveRecord
from tests.lifecycle.conftest import county_files, propose_removal, refused

D = datetime.date
TODAY = datetime.date.today()


def last_quarter_end(today):
    year, q = quarter_of(today)
    year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    return quarter_bounds(year, q)[1]


@pytest.fixture
def record(people):
    return people["a1"]


def roster(unit, on):
    return set(ReserveRecord.objects.in_pool(unit, on).values_list("pk", flat=True))


def test_across_townships_the_receiving_township_and_the_county_approve_and_last_quarter_stays(cast, record, people):
    end = last_quarter_end(TODAY)
    before = {u.name: roster(u, end) for u in (cast.village_a1, cast.township_a, cast.village_b1, cast.township_b)}
    transfer = services.transfer_propose(
        actor=cast.township_a_admin, record=record, target_village=cast.village_b1, reason="随家庭迁居汉阳镇"
    )
    assert transfer.state == Transfer.PROPOSED and transfer.crosses_townships
    assert ReserveRecord.objects.get(pk=record.pk).village == cast.village_a1  # nothing moves yet
    # the source township cannot agree for the receiving one, the county neither
    for actor in (cast.township_a_admin, cast.county_admin, cast.village_secretary):
        assert "由乡镇党委" in refused(services.transfer_target_approve, actor=actor, transfer=transfer)
    services.transfer_target_approve(actor=cast.township_b_admin, transfer=transfer, note="同意调入")
    transfer.refresh_from_db()
    assert transfer.state == Transfer.TARGET_APPROVED
    assert Filing.objects.get(subject=transfer.subject).kind == "transfer"
    county_files(cast, transfer, note="同意")
    transfer.refresh_from_db()
    record.refresh_from_db()
    assert (transfer.state, transfer.moved_on) == (Transfer.DONE, TODAY)
    assert record.village == cast.village_b1
    assert Person.objects.get(pk=record.person_id).village == cast.village_b1
    placements = list(ReservePlacement.objects.filter(record=record).order_by("start"))
    assert [(p.village, p.end, p.reason) for p in placements] == [
        (cast.village_a1, TODAY, "entry"),
        (cast.village_b1, None, "transfer"),
    ]
    # last quarter's roster: unchanged everywhere
    after = {u.name: roster(u, end) for u in (cast.village_a1, cast.township_a, cast.village_b1, cast.township_b)}
    assert after == before and record.pk in after["兰沟村"] and record.pk not in after["汉阳村"]
    assert record.pk in roster(cast.village_b1, TODAY) and record.pk not in roster(cast.village_a1, TODAY)
    # and last quarter's stipend month is still paid by township A
    placement = rules.paying_placement(record, end.year, end.month)
    assert placement.village == cast.village_a1
    assert [s.action for s in Step.objects.filter(subject=transfer.subject)] == ["propose", "approve", "file"]
    assert {"record.move", "person.move"} <= set(AuditLog.objects.values_list("action", flat=True))


def test_within_a_township_the_move_is_made_at_once_and_may_be_dated_back(cast, record):
    transfer = services.transfer_propose(
        actor=cast.township_a_staff,
        record=record,
        target_village=cast.village_a2,
        reason="甘家沟村缺额统筹",
        on=D(2026, 6, 1),
    )
    assert (transfer.state, transfer.moved_on) == (Transfer.DONE, D(2026, 6, 1))
    assert record.pk in roster(cast.village_a2, D(2026, 6, 1)) and record.pk in roster(cast.village_a1, D(2026, 5, 31))


def test_returned_resubmitted_returned_by_the_county_and_withdrawn(cast, record):
    transfer = services.transfer_propose(
        actor=cast.township_a_admin, record=record, target_village=cast.village_b1, reason="工作需要"
    )
    assert "须说明理由" in refused(services.transfer_return, actor=cast.township_b_admin, transfer=transfer, reason="")
    services.transfer_return(actor=cast.township_b_admin, transfer=transfer, reason="汉阳村已满额")
    transfer.refresh_from_db()
    assert transfer.state == Transfer.RETURNED
    services.transfer_resubmit(actor=cast.township_a_admin, transfer=transfer, reason="汉阳村将出缺，提前调入")
    services.transfer_target_approve(actor=cast.township_b_admin, transfer=transfer)
    assert "联系县委组织部退回" in refused(
        services.transfer_withdraw, actor=cast.township_a_admin, transfer=transfer, reason="x"
    )
    county_files(cast, transfer, accept=False, note="暂缓")
    transfer.refresh_from_db()
    assert (transfer.state, transfer.returned_step) == (Transfer.RETURNED, "county")
    services.transfer_withdraw(actor=cast.township_a_admin, transfer=transfer, reason="不再调动")
    assert Transfer.objects.get(pk=transfer.pk).state == Transfer.WITHDRAWN
    assert ReserveRecord.objects.get(pk=record.pk).village == cast.village_a1


def test_refusals(cast, record):
    assert "请说明调动原因" in refused(
        services.transfer_propose, actor=cast.township_a_admin, record=record, target_village=cast.village_a2, reason=""
    )
    assert "相同" in refused(
        services.transfer_propose,
        actor=cast.township_a_admin,
        record=record,
        target_village=cast.village_a1,
        reason="x",
    )
    assert "无权提出" in refused(
        services.transfer_propose,
        actor=cast.village_secretary,
        record=record,
        target_village=cast.village_a2,
        reason="x",
    )
    assert "无权提出" in refused(
        services.transfer_propose, actor=cast.county_admin, record=record, target_village=cast.village_a2, reason="x"
    )
    assert "不能晚于今天" in refused(
        services.transfer_propose,
        actor=cast.township_a_admin,
        record=record,
        target_village=cast.village_a2,
        reason="x",
        on=TODAY + datetime.timedelta(days=1),
    )
    assert not Transfer.objects.exists()
    propose_removal(cast, record)
    assert "正在办理的取消资格" in refused(
        services.transfer_propose,
        actor=cast.township_a_admin,
        record=record,
        target_village=cast.village_a2,
        reason="x",
    )
