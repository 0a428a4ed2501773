"""取消资格: the village proposes → the township approves → the county files → the record ends as removed."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from lifecycle import services
from lifecycle.models import Removal, Step
from org.models import Attachment, AuditLog
from reserves.flags import flag_raise
from reserves.models import Filing, Flag, ReserveRecord
from reserves.selectors import person_history
from tests.lifecycle.conftest import county_files, propose_removal, refused

D = datetime.date
TODAY = datetime.date.today()


@pytest.fixture
def record(people):
    return people["a1"]


def test_proposed_approved_and_filed_the_record_ends_as_removed_that_day(cast, record):
    removal = propose_removal(cast, record)
    assert removal.state == Removal.PROPOSED and removal.initiated_by == "village"
    assert ReserveRecord.objects.get(pk=record.pk).status == "active"
    services.removal_approve(actor=cast.township_a_admin, removal=removal, note="经党委会研究同意")
    removal.refresh_from_db()
    assert removal.state == Removal.APPROVED
    filing = Filing.objects.get(subject=removal.subject)
    assert filing.kind == "removal" and filing.state == Filing.SUBMITTED and filing.unit == cast.township_a
    assert ReserveRecord.objects.get(pk=record.pk).ended_on is None  # only filing ends it
    county_files(cast, removal)
    removal.refresh_from_db()
    record.refresh_from_db()
    assert removal.state == Removal.FILED and removal.ended_on == TODAY
    assert (record.status, record.ended_on) == ("removed", TODAY)
    assert "现实表现不好" in record.end_reason
    assert not ReserveRecord.objects.in_pool(cast.village_a1, TODAY).filter(pk=record.pk).exists()
    assert ReserveRecord.objects.in_pool(cast.village_a1, TODAY - datetime.timedelta(days=1)).filter(pk=record.pk)
    steps = [s.action for s in Step.objects.filter(subject=removal.subject)]
    assert steps == ["propose", "approve", "file"]
    actors = [s.actor for s in Step.objects.filter(subject=removal.subject)]
    assert actors == [cast.village_secretary, cast.township_a_admin, cast.county_staff]
    # Every step is on the person's history (the audit log, on the record).
    history = {e.action for e in person_history(record.person)}
    assert {"removal.propose", "removal.approve", "removal.file", "record.close"} <= history


def test_township_return_then_resubmit_then_county_return_then_resubmit_then_filed(cast, record):
    ta = cast.township_a_admin
    removal = propose_removal(cast, record)
    assert "须说明理由" in refused(services.removal_return, actor=ta, removal=removal, reason=" ")
    services.removal_return(actor=ta, removal=removal, reason="请补充具体事实")
    removal.refresh_from_db()
    assert (removal.state, removal.returned_step) == (Removal.RETURNED, "township")
    services.removal_resubmit(
        actor=cast.village_secretary, removal=removal, grounds=["performance"], account="补充：3月、5月两次缺席。"
    )
    removal.refresh_from_db()
    assert removal.state == Removal.PROPOSED and removal.grounds == ["performance"]
    services.removal_approve(actor=ta, removal=removal)
    county_files(cast, removal, accept=False, note="事实不清，请核实")
    removal.refresh_from_db()
    assert (removal.state, removal.returned_step, removal.return_reason) == (
        Removal.RETURNED,
        "county",
        "事实不清，请核实",
    )
    assert ReserveRecord.objects.get(pk=record.pk).ended_on is None
    services.removal_resubmit(
        actor=cast.village_secretary, removal=removal, grounds=["performance"], account="经核实：3月、5月两次缺席。"
    )
    services.removal_approve(actor=ta, removal=removal)
    county_files(cast, removal)
    assert ReserveRecord.objects.get(pk=record.pk).status == "removed"
    assert Filing.objects.filter(subject=removal.subject).count() == 2


def test_withdrawn_from_proposed_or_returned_but_not_once_at_the_county(cast, record):
    removal = propose_removal(cast, record)
    assert "须说明理由" in refused(services.removal_withdraw, actor=cast.village_secretary, removal=removal, reason="")
    services.removal_withdraw(actor=cast.village_secretary, removal=removal, reason="本人已改正")
    removal.refresh_from_db()
    assert removal.state == Removal.WITHDRAWN and not removal.is_open
    # approving a withdrawn proposal
    assert "已撤回" in refused(services.removal_approve, actor=cast.township_a_admin, removal=removal)
    # a new proposal is possible once the old one is withdrawn; at the county it can no longer be withdrawn
    second = propose_removal(cast, record)
    services.removal_approve(actor=cast.township_a_admin, removal=second)
    message = refused(services.removal_withdraw, actor=cast.village_secretary, removal=second, reason="x")
    assert "联系县委组织部退回" in message
    second.refresh_from_db()
    county_files(cast, second, accept=False, note="退回")
    services.removal_withdraw(actor=cast.township_a_admin, removal=second, reason="乡镇决定不再取消")
    assert Removal.objects.get(pk=second.pk).state == Removal.WITHDRAWN


def test_each_actor_is_limited_to_their_step(cast, record):
    removal = propose_removal(cast, record)
    # a village secretary approving
    assert "由乡镇党委" in refused(services.removal_approve, actor=cast.village_secretary, removal=removal)
    # the county cannot take the township's step either (it files, after the township)
    assert "由乡镇党委" in refused(services.removal_approve, actor=cast.county_admin, removal=removal)
    # another township
    assert "由乡镇党委" in refused(services.removal_approve, actor=cast.township_b_admin, removal=removal)
    # the county filing before the township approved: nothing is in the inbox, and the handler refuses
    assert not Filing.objects.filter(subject=removal.subject).exists()
    fake = Filing(kind="removal", subject=removal.subject, decision_note="")
    assert "尚未经乡镇党委审批同意" in refused(services.removal_file, actor=cast.county_admin, filing=fake)
    # a township cannot file at the county
    services.removal_approve(actor=cast.township_a_admin, removal=removal)
    from reserves.filings import filing_decide

    filing = Filing.objects.get(subject=removal.subject)
    assert "只有县委组织部" in refused(filing_decide, actor=cast.township_a_admin, filing=filing, accept=True)
    # approving twice
    assert "可能已经办理过" in refused(services.removal_approve, actor=cast.township_a_admin, removal=removal)
    assert AuditLog.objects.filter(action="removal.approve").count() == 1
    # proposers: a mentor, a city viewer, the county, another township's secretary
    for actor in (cast.mentor, cast.city_viewer, cast.county_admin, cast.township_b_admin):
        message = refused(propose_removal, cast, record, actor=actor)
        assert "无权提出" in message


def test_a_second_open_removal_for_the_same_reserve_is_refused(cast, record):
    propose_removal(cast, record)
    assert "已有一条正在办理的取消资格" in refused(propose_removal, cast, record)
    assert Removal.objects.count() == 1
    # and the partial unique index holds even past the service
    with pytest.raises(IntegrityError), transaction.atomic():
        Removal.objects.create(
            record=record, village=record.village, state=Removal.RETURNED, grounds=["other"], account="x"
        )


def test_a_township_may_propose_where_the_village_cannot_recorded_as_such(cast, record):
    message = refused(propose_removal, cast, record, actor=cast.township_a_staff)
    assert "村（社区）党组织无法提出的原因" in message
    removal = propose_removal(cast, record, actor=cast.township_a_staff, initiator_note="村党组织书记为当事人近亲属")
    assert removal.initiated_by == "township" and removal.initiator_note == "村党组织书记为当事人近亲属"
    assert Step.objects.get(subject=removal.subject).label == "乡镇党委直接提出取消资格建议"


def test_bad_input_changes_nothing(cast, record, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert "请至少选择一项" in refused(propose_removal, cast, record, grounds=[])
    assert "不在规定的范围内" in refused(propose_removal, cast, record, grounds=["made_up"])
    assert "请写明具体情况" in refused(propose_removal, cast, record, account="  ")
    fake = SimpleUploadedFile("说明.pdf", b"MZ\x90 not a pdf", content_type="application/pdf")
    assert "不是PDF或图片" in refused(propose_removal, cast, record, upload=fake)
    assert not Removal.objects.exists() and not Step.objects.exists() and not Attachment.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="removal.").exists()
    record.status, record.ended_on, record.end_reason = "used", D(2026, 1, 5), "当选"
    record.save()
    assert "已于2026年1月5日出库（已使用）" in refused(propose_removal, cast, record)


def test_flags_pre_fill_the_proposal_and_are_resolved_when_filed(cast, record, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    flag, _ = flag_raise(
        record=record,
        kind=Flag.APPRAISAL,
        source="assessment.appraisal:7",
        reason="2025年度考核不称职",
        on=D(2026, 1, 20),
    )
    age, _ = flag_raise(record=record, kind=Flag.AGE_OUT, source="age:2026", reason="明年满36岁", on=D(2026, 2, 1))
    prefill = services.removal_prefill(record)
    assert prefill["grounds"] == ["appraisal", "other"]
    assert "2025年度考核不称职" in prefill["account"]
    pdf = SimpleUploadedFile("考核结果.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    removal = propose_removal(cast, record, grounds=prefill["grounds"], flags=[flag], upload=pdf)
    assert Attachment.objects.get(owner=removal.subject).purpose == "取消资格建议材料"
    services.removal_approve(actor=cast.township_a_admin, removal=removal)
    county_files(cast, removal)
    flag.refresh_from_db()
    age.refresh_from_db()
    assert flag.resolved_on == TODAY and "已取消资格" in flag.resolution
    assert age.resolved_on is None  # not chosen as grounds: left alone
    # a flag of another record is refused


def test_filing_a_record_that_ended_meanwhile_is_refused_and_nothing_changes(cast, record):
    from reserves.services import record_close

    removal = propose_removal(cast, record)
    services.removal_approve(actor=cast.township_a_admin, removal=removal)
    record_close(actor=cast.township_a_admin, record=record, status="exited", ended_on=TODAY, reason="本人申请退出")
    assert "不能再取消资格" in refused(county_files, cast, removal)
    assert Filing.objects.get(subject=removal.subject).state == Filing.SUBMITTED
    assert Removal.objects.get(pk=removal.pk).state == Removal.APPROVED


def test_a_removal_cannot_start_while_a_use_or_transfer_is_open(cast, record):
    from tests.lifecycle.conftest import propose_use

    use = propose_use(cast, record)
    assert "正在办理的择优使用" in refused(propose_removal, cast, record)
    services.use_withdraw(actor=cast.village_secretary, use=use, reason="岗位已调整")
    assert propose_removal(cast, record).state == Removal.PROPOSED
