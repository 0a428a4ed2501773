"""择优使用: the village recommends → departments' opinions → the township approves → the county files → one notice
in both villages for the policy's length → elected or appointed (record used) or not (stays in the pool)."""

import datetime

import pytest

from lifecycle import services
from lifecycle.models import Step, Use, UseOpinion
from notices.models import Notice
from notices.services import objection_add, objection_resolve
from org.models import AuditLog
from reserves.models import Filing, ReserveRecord
from tests.conftest import make_person, make_record
from tests.lifecycle.conftest import (
    NOTICE_START,
    county_files,
    propose_use,
    record_opinions,
    refused,
    use_to_notice,
)

D = datetime.date
TODAY = datetime.date.today()


@pytest.fixture
def record(people):
    return people["a1"]


def test_recommended_for_another_township_noticed_in_both_villages_and_elected(cast, record):
    ta = cast.township_a_admin
    message = refused(propose_use, cast, record, target=cast.village_b1)
    assert "须说明统筹调配的理由" in message
    use = propose_use(cast, record, target=cast.village_b1, cross_reason="汉阳村暂无合适人选，县内统筹")
    assert "请先录入" in refused(services.use_approve, actor=ta, use=use)
    record_opinions(cast, use, agrees=False)
    assert "纪检监察不同意" in refused(services.use_approve, actor=ta, use=use)
    services.use_approve(actor=ta, use=use, note="纪检所提问题已核实澄清")
    assert "尚未备案" in refused(services.use_post_notice, actor=ta, use=Use.objects.get(pk=use.pk), start=NOTICE_START)
    county_files(cast, use)
    use.refresh_from_db()
    assert use.state == Use.FILED
    notice = services.use_post_notice(actor=ta, use=use, start=NOTICE_START, place="党务公开栏")
    assert notice.kind == Notice.KIND_USE and notice.working_days == cast.policy.notice_use_days == 5
    assert notice.unit == cast.township_a and notice.county == cast.county
    places = {(p.village, p.place) for p in notice.places.all()}
    assert places == {(cast.village_a1, "兰沟村党务公开栏"), (cast.village_b1, "汉阳村党务公开栏")}
    assert notice.rows[0]["姓名"] == record.person.name and notice.rows[0]["拟任职务"] == "村民委员会委员"
    assert notice.columns[-2:] == ["拟任职村（社区）", "拟任职务"]
    use.refresh_from_db()
    # recording an election before the notice ended
    message = refused(services.use_record_outcome, actor=ta, use=use, outcome=Use.ELECTED, on=notice.end)
    assert "公示期未满" in message
    assert ReserveRecord.objects.get(pk=record.pk).status == "active"
    elected_on = notice.end + datetime.timedelta(days=3)
    services.use_record_outcome(actor=ta, use=use, outcome=Use.ELECTED, on=elected_on, note="村民委员会选举")
    use.refresh_from_db()
    record.refresh_from_db()
    assert (use.state, use.outcome, use.outcome_on) == (Use.USED, Use.ELECTED, elected_on)
    assert (record.status, record.ended_on) == ("used", elected_on)
    assert "依法选举当选为汉阳村村民委员会委员" in record.end_reason
    # the person stays in history: the record is still there, ended, and the person unchanged
    assert record.person.village == cast.village_a1
    actions = [s.action for s in Step.objects.filter(subject=use.subject)]
    assert actions == ["propose", "opinions", "approve", "file", "notice", "outcome"]


def test_the_receiving_township_sees_the_use_and_its_notice(cast, record):
    use = use_to_notice(cast, record, target=cast.village_b1, cross_reason="县内统筹")
    assert Use.objects.for_user(cast.township_b_admin).filter(pk=use.pk).exists()
    assert Notice.objects.for_user(cast.township_b_admin).filter(pk=use.notice_id).exists()
    # but may not take the township's steps: those belong to the reserve's own township
    assert "由乡镇党委" in refused(
        services.use_record_outcome, actor=cast.township_b_admin, use=use, outcome=Use.APPOINTED, on=TODAY
    )


def test_not_elected_the_reserve_stays_in_the_pool(cast, record):
    ta = cast.township_a_admin
    use = use_to_notice(cast, record, position="cun_director")
    assert "期满后方可登记" in refused(
        services.use_record_outcome, actor=ta, use=use, outcome=Use.NOT_ELECTED, on=use.notice.end
    )
    services.use_record_outcome(
        actor=ta, use=use, outcome=Use.NOT_ELECTED, on=use.notice.end + datetime.timedelta(days=1), note="得票未过半"
    )
    use.refresh_from_db()
    assert use.state == Use.NOT_USED and use.close_reason == "得票未过半"
    assert ReserveRecord.objects.get(pk=record.pk).status == "active"
    # the use is over: the reserve can be recommended again
    assert propose_use(cast, record).state == Use.PROPOSED


def test_an_upheld_objection_ends_the_use_and_blocks_the_election(cast, record):
    ta = cast.township_a_admin
    use = use_to_notice(cast, record)
    objection = objection_add(
        actor=ta, notice=use.notice, received_on=D(2026, 10, 9), from_whom="村民", about=record.person.name, content="x"
    )
    message = refused(services.use_record_outcome, actor=ta, use=use, outcome=Use.ELECTED, on=TODAY)
    assert "异议尚未处理完毕" in message
    assert "没有经核查属实的异议" in refused(
        services.use_record_outcome, actor=ta, use=use, outcome=Use.OBJECTION, on=TODAY
    )
    objection_resolve(
        actor=ta, objection=objection, handling="经核查属实", result="upheld", resolved_on=D(2026, 10, 12)
    )
    assert "异议经核查属实" in refused(services.use_record_outcome, actor=ta, use=use, outcome=Use.ELECTED, on=TODAY)
    services.use_record_outcome(actor=ta, use=use, outcome=Use.OBJECTION, on=D(2026, 10, 12))
    assert Use.objects.get(pk=use.pk).state == Use.NOT_USED
    assert ReserveRecord.objects.get(pk=record.pk).status == "active"


def test_return_resubmit_withdraw(cast, record):
    ta = cast.township_a_admin
    use = propose_use(cast, record)
    services.use_return(actor=ta, use=use, reason="请明确职务")
    use.refresh_from_db()
    services.use_resubmit(
        actor=cast.village_secretary,
        use=use,
        target_village=cast.village_a1,
        position="cun_deputy",
        occasion="election",
        recommendation="推荐为村党组织副书记人选",
    )
    use.refresh_from_db()
    assert (use.state, use.position, use.occasion) == (Use.PROPOSED, "cun_deputy", "election")
    record_opinions(cast, use)
    services.use_approve(actor=ta, use=use)
    county_files(cast, use, accept=False, note="换届时再报")
    use.refresh_from_db()
    assert (use.state, use.returned_step) == (Use.RETURNED, "county")
    services.use_withdraw(actor=cast.village_secretary, use=use, reason="换届时再推荐")
    assert Use.objects.get(pk=use.pk).state == Use.WITHDRAWN
    assert "已撤回" in refused(services.use_approve, actor=ta, use=Use.objects.get(pk=use.pk))


def test_bad_input_gets_a_chinese_error_and_changes_nothing(cast, record):
    ta = cast.township_a_admin
    # a target village outside the county
    from reserves.builders import unit

    other_county = unit("county", "东坡区", "511402", cast.city)
    other_town = unit("township", "苏祠街道", "511402001", other_county)
    outside = unit("village", "外县村", "511402001201", other_town, "cun")
    assert "不在本县" in refused(propose_use, cast, record, target=outside, cross_reason="x")
    # a community position for a village
    assert "请选择相应的职务" in refused(propose_use, cast, record, position="sq_director")
    assert "请选择换届或届中出缺" in refused(propose_use, cast, record, occasion="later")
    assert "推荐意见" in refused(propose_use, cast, record, recommendation=" ")
    assert not Use.objects.exists()
    # using a removed person
    removed = make_record(make_person(cast.village_a1, name="已取消"), ended=D(2025, 6, 1), status="removed")
    assert "已于2025年6月1日出库（已取消）" in refused(propose_use, cast, removed)
    # opinions: all or nothing
    use = propose_use(cast, record)
    rows = [
        {"department": "discipline", "agrees": True, "opinion": "同意", "given_on": D(2026, 9, 1)},
        {"department": "other", "agrees": True, "opinion": "同意", "given_on": D(2026, 9, 1)},
        {"department": "health", "agrees": None, "opinion": "", "given_on": TODAY + datetime.timedelta(days=1)},
    ]
    message = refused(services.use_opinions_record, actor=ta, use=use, rows=rows)
    assert "第2行：“其他部门”须填写部门名称" in message and "第3行" in message and "日期不能晚于今天" in message
    assert not UseOpinion.objects.exists()
    assert "有关方面的意见由乡镇党委录入" in refused(
        services.use_opinions_record, actor=cast.village_secretary, use=use, rows=rows[:1]
    )
    # the outcome before the notice
    assert "尚未公示" in refused(services.use_record_outcome, actor=ta, use=use, outcome=Use.ELECTED, on=TODAY)
    assert not AuditLog.objects.filter(action="use.outcome").exists()


def test_a_community_use_takes_community_positions_and_one_place_when_same_village(cast, people):
    record = people["a3"]  # 青竹社区
    sec = cast.township_a_staff
    use = services.use_propose(
        actor=sec,
        record=record,
        target_village=cast.community_a3,
        position="sq_committee",
        occasion="election",
        recommendation="推荐",
        initiator_note="社区党组织书记空缺",
    )
    assert use.initiated_by == "township"
    record_opinions(cast, use)
    services.use_approve(actor=cast.township_a_admin, use=use)
    county_files(cast, use)
    notice = services.use_post_notice(actor=sec, use=Use.objects.get(pk=use.pk), start=NOTICE_START)
    assert [p.village for p in notice.places.all()] == [cast.community_a3]
    assert Filing.objects.get(subject=use.subject).kind == "use"


def test_a_committee_member_is_elected_by_law_a_party_post_may_be_appointed(cast, people):
    ta = cast.township_a_admin
    committee = use_to_notice(cast, people["a1"], position="cun_committee")
    on = committee.notice.end + datetime.timedelta(days=1)
    message = refused(services.use_record_outcome, actor=ta, use=committee, outcome=Use.APPOINTED, on=on)
    assert "依法由选举产生" in message
    party = use_to_notice(cast, people["a2"], position="cun_member", actor=cast.township_a_staff, initiator_note="x")
    services.use_record_outcome(actor=ta, use=party, outcome=Use.APPOINTED, on=on, note="乡镇党委任命")
    assert ReserveRecord.objects.get(pk=people["a2"].pk).status == "used"
