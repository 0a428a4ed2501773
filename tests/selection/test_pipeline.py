"""The whole 三推两选两公示 pipeline through its services, and each refusal on the way."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from notices.services import objection_add, objection_resolve
from org.models import Attachment, AuditLog
from reserves.models import Filing, ReserveRecord
from reserves.services import record_close
from selection import services
from selection.models import Candidacy, Round
from tests.conftest import make_person, make_record
from tests.selection.conftest import candidacy_of, run_to_selection

D = datetime.date


def refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return " ".join(exc.value.messages)


def test_three_candidates_go_through_every_stage_and_two_enter_the_pool(cast, round_, trio):
    ta = cast.township_a_admin
    ids = run_to_selection(cast, round_, trio)
    c_jia = candidacy_of(round_, trio[0])
    assert c_jia.nominations.count() == 2
    assert str(c_jia.approval) == "85.7"  # (20 + 10) / 35
    notice1 = services.inspection_candidates_select(
        actor=ta,
        round_=round_,
        chosen_ids=[ids["甲"], ids["乙"], ids["丙"]],
        staffing_note="兰沟村缺1名委员",
        notice_start=D(2026, 9, 30),
    )
    assert (notice1.first_day, notice1.end) == (D(2026, 9, 30), D(2026, 10, 9))  # National Day skipped
    assert {p.village for p in notice1.places.all()} == {cast.village_a1, cast.village_a2}
    services.round_start_inspection(actor=ta, round_=round_, on=D(2026, 10, 10))
    services.inspection_record(
        actor=ta,
        round_=round_,
        team="李某（组长）、王某",
        date=D(2026, 10, 12),
        findings={ids["甲"]: "表现突出", ids["乙"]: "群众基础一般", ids["丙"]: "能力较强"},
    )
    services.round_finish_inspection(actor=ta, round_=round_)
    notice2 = services.decision_record(
        actor=ta,
        round_=round_,
        date=D(2026, 10, 15),
        text="确定甲、丙为后备干部",
        decided_ids=[ids["甲"], ids["丙"]],
        notice_start=D(2026, 10, 16),
    )
    assert notice2.kind == "village" and notice2.end == D(2026, 10, 20)
    services.round_finish(actor=ta, round_=round_, on=D(2026, 10, 21))
    round_.refresh_from_db()
    assert round_.stage == "closed"
    records = ReserveRecord.objects.filter(entry_method="selection").order_by("person__name")
    assert [(r.person.name, r.village, r.entered_on) for r in records] == [
        ("丙", cast.village_a2, D(2026, 10, 21)),
        ("甲", cast.village_a1, D(2026, 10, 21)),
    ]
    assert records[0].policy == cast.policy
    assert candidacy_of(round_, trio[1]).state == Candidacy.NOT_SELECTED
    assert candidacy_of(round_, trio[0]).record == records[1]
    stages = list(AuditLog.objects.filter(action="selection.stage").values_list("changes", flat=True))
    assert len(stages) == 8  # announced → … → closed, one entry per transition


def test_the_next_step_waits_for_the_notice_and_says_how_many_working_days_remain(cast, round_, trio):
    ids = run_to_selection(cast, round_, trio)
    services.inspection_candidates_select(
        actor=cast.township_a_admin,
        round_=round_,
        chosen_ids=[ids["甲"]],
        staffing_note="x",
        notice_start=D(2026, 9, 30),
    )
    message = refused(services.round_start_inspection, actor=cast.township_a_admin, round_=round_, on=D(2026, 10, 8))
    assert "公示期未满" in message and "1 个工作日" in message.replace("1个", "1 个")
    assert Round.objects.get(pk=round_.pk).stage == "notice1"


def test_an_unresolved_objection_blocks_the_next_step_until_handled(cast, round_, trio):
    ta = cast.township_a_admin
    ids = run_to_selection(cast, round_, trio)
    notice = services.inspection_candidates_select(
        actor=ta, round_=round_, chosen_ids=[ids["甲"], ids["丙"]], staffing_note="x", notice_start=D(2026, 9, 30)
    )
    objection = objection_add(
        actor=ta, notice=notice, received_on=D(2026, 10, 8), from_whom="匿名", about="甲", content="反映甲长期在外务工"
    )
    assert "异议" in refused(services.round_start_inspection, actor=ta, round_=round_, on=D(2026, 10, 12))
    objection_resolve(
        actor=ta, objection=objection, handling="经核实，已返乡创业", result="rejected", resolved_on=D(2026, 10, 12)
    )
    services.round_start_inspection(actor=ta, round_=round_, on=D(2026, 10, 12))
    assert Round.objects.get(pk=round_.pk).stage == "inspection"


def test_votes_beyond_present_and_bad_attendance_are_refused(cast, round_, trio):
    ta = cast.township_a_admin
    services.round_close_nominations(actor=ta, round_=round_)
    for p in trio:
        services.candidacy_review(actor=ta, candidacy=candidacy_of(round_, p), passed=True, note="符合")
    services.round_finish_review(actor=ta, round_=round_)
    meet = {
        "actor": ta,
        "round_": round_,
        "village": cast.village_a1,
        "date": D(2026, 9, 20),
        "place": "村委会",
        "categories": ["member_reps"],
    }
    assert "不能多于应到人数" in refused(services.meeting_record, **meet, expected=30, present=31)
    assert "不足法定人数" in refused(services.meeting_record, **meet, expected=30, present=15)
    assert "应到人数须大于0" in refused(services.meeting_record, **meet, expected=0, present=0)
    services.meeting_record(**meet, expected=30, present=16)
    jia = candidacy_of(round_, trio[0])
    message = refused(
        services.votes_record,
        actor=ta,
        round_=round_,
        village=cast.village_a1,
        counts={jia.pk: {"excellent": 10, "competent": 7}},
    )
    assert "多于实到人数16" in message
    assert "负数" in refused(
        services.votes_record, actor=ta, round_=round_, village=cast.village_a1, counts={jia.pk: {"excellent": -1}}
    )
    assert Candidacy.objects.get(pk=jia.pk).votes == {}


def test_a_later_stage_cannot_be_reached_by_skipping(cast, round_, trio):
    message = refused(
        services.inspection_candidates_select,
        actor=cast.township_a_admin,
        round_=round_,
        chosen_ids=[],
        staffing_note="x",
        notice_start=D(2026, 9, 30),
    )
    assert "发布公告、三推" in message and "组织挑选" in message
    assert "尚未登记评选会议" not in message


def test_confirming_a_transition_twice_gives_one_transition(cast, round_, trio):
    services.round_close_nominations(actor=cast.township_a_admin, round_=round_)
    assert "资格审查" in refused(services.round_close_nominations, actor=cast.township_a_admin, round_=round_)
    assert AuditLog.objects.filter(action="selection.stage").count() == 1


def test_nomination_refusals(cast, round_, trio):
    ta = cast.township_a_admin
    base = {"actor": ta, "round_": round_, "nominated_by": "x", "nominated_on": D(2026, 9, 8)}
    other = make_person(cast.village_b1, name="外乡镇")
    assert "不属于本乡镇" in refused(services.nominate, **base, village=cast.village_a1, channel="self", person=other)
    assert "重复推荐" in refused(
        services.nominate, **base, village=cast.village_a1, channel="village_org", person=trio[0]
    )
    outsider = make_person(cast.village_a2, name="外村")
    assert "跨村" in refused(
        services.nominate, **base, village=cast.village_a1, channel="self", person=outsider
    ) or "理由" in refused(services.nominate, **base, village=cast.village_a1, channel="self", person=outsider)
    services.nominate(
        **base,
        village=cast.village_a1,
        channel="self",
        person=outsider,
        cross_village_reason="兰沟村无合适人选，乡镇统筹",
    )
    assert candidacy_of(round_, outsider).cross_village_reason
    assert "不在本次选拔范围" in refused(
        services.nominate, **base, village=cast.community_a3, channel="self", person=make_person(cast.community_a3)
    )


def test_village_secretary_nominates_only_in_own_village(cast, round_):
    sec = cast.village_secretary
    new = {
        "name": "新人",
        "id_number": "11010519491231002X",
        "village": cast.village_a1,
        "education": "college",
        "source_group": "group_leader",
        "political_status": "masses",
    }
    nomination = services.nominate(
        actor=sec,
        round_=round_,
        village=cast.village_a1,
        channel="village_org",
        nominated_by="兰沟村党总支",
        nominated_on=D(2026, 9, 5),
        new_person=new,
    )
    assert nomination.candidacy.person.name == "新人"
    assert "无权" in refused(
        services.nominate,
        actor=sec,
        round_=round_,
        village=cast.village_a2,
        channel="self",
        nominated_by="本人",
        nominated_on=D(2026, 9, 5),
        person=make_person(cast.village_a2),
    )
    assert "无权办理" in refused(services.round_close_nominations, actor=sec, round_=round_)


def test_reselection_ban_refuses_unless_overridden_with_a_reason(cast, round_):
    from reserves.policy import policy_create, preset_values

    policy_create(
        actor=cast.county_admin, county=cast.county, effective_from=D(2026, 1, 1), values=preset_values("QL2022")
    )
    ql_round = services.round_open(
        actor=cast.township_a_admin,
        township=cast.township_a,
        villages=[cast.village_a1],
        kind="qs",
        reserve_type="village_reserve",
        title="补选",
        announcement="x",
        announced_on=D(2026, 9, 1),
        nomination_deadline=D(2026, 9, 10),
    )
    person = make_person(cast.village_a1)
    record = make_record(person, entered=D(2020, 1, 1))
    record_close(actor=cast.county_admin, record=record, status="removed", ended_on=D(2022, 6, 1), reason="取消")
    args = {
        "actor": cast.township_a_admin,
        "round_": ql_round,
        "village": cast.village_a1,
        "channel": "self",
        "nominated_by": "本人",
        "nominated_on": D(2026, 9, 2),
        "person": person,
    }
    assert "5年内不得参加选拔" in refused(services.nominate, **args)
    services.nominate(**args, ban_override="经县委组织部同意，表现突出")
    assert candidacy_of(ql_round, person).ban_override


def test_failed_review_keeps_its_reasons_and_warnings_need_a_reason(cast, round_, trio):
    ta = cast.township_a_admin
    old = make_person(cast.village_a1, name="年长", birth=D(1980, 1, 1), education="junior")
    services.nominate(
        actor=ta,
        round_=round_,
        village=cast.village_a1,
        channel="self",
        nominated_by="本人",
        nominated_on=D(2026, 9, 8),
        person=old,
    )
    services.round_close_nominations(actor=ta, round_=round_)
    c = candidacy_of(round_, old)
    assert "不能通过审查" in refused(services.candidacy_review, actor=ta, candidacy=c, passed=True, note="x")
    services.candidacy_review(actor=ta, candidacy=c, passed=False)
    c.refresh_from_db()
    assert c.state == Candidacy.FAILED and "学历" in c.review_note
    # QS "about 35": a 36-year-old only warns; passing needs a written reason
    warn = make_person(cast.village_a2, name="三十六", birth=D(1990, 1, 1))
    round2 = services.round_open(
        actor=ta,
        township=cast.township_a,
        villages=[cast.village_a2],
        kind="qs",
        reserve_type="village_reserve",
        title="二轮",
        announcement="x",
        announced_on=D(2026, 9, 1),
        nomination_deadline=D(2026, 9, 10),
    )
    services.nominate(
        actor=ta,
        round_=round2,
        village=cast.village_a2,
        channel="self",
        nominated_by="本人",
        nominated_on=D(2026, 9, 2),
        person=warn,
    )
    services.round_close_nominations(actor=ta, round_=round2)
    c2 = candidacy_of(round2, warn)
    assert "确认理由" in refused(services.candidacy_review, actor=ta, candidacy=c2, passed=True)
    services.candidacy_review(actor=ta, candidacy=c2, passed=True, note="年龄略超，能力突出")
    assert Candidacy.objects.get(pk=c2.pk).state == Candidacy.QUALIFIED


def test_results_go_to_the_county_first_when_the_policy_asks(cast, round_, trio):
    ta = cast.township_a_admin
    cast.policy.selection_filing_required = True
    cast.policy.save()
    round_.policy.refresh_from_db()
    ids = run_to_selection(cast, round_, trio)
    services.inspection_candidates_select(
        actor=ta, round_=round_, chosen_ids=[ids["甲"]], staffing_note="x", notice_start=D(2026, 9, 30)
    )
    services.round_start_inspection(actor=ta, round_=round_, on=D(2026, 10, 10))
    services.inspection_record(actor=ta, round_=round_, team="考察组", date=D(2026, 10, 12), findings={ids["甲"]: "好"})
    services.round_finish_inspection(actor=ta, round_=round_)
    services.decision_record(
        actor=ta,
        round_=round_,
        date=D(2026, 10, 15),
        text="确定甲",
        decided_ids=[ids["甲"]],
        notice_start=D(2026, 10, 16),
    )
    services.round_finish(actor=ta, round_=round_, on=D(2026, 10, 21))
    assert Round.objects.get(pk=round_.pk).stage == "filing"
    assert not ReserveRecord.objects.filter(entry_method="selection").exists()
    from reserves.filings import filing_decide

    filing = Filing.objects.get(subject=round_.subject)
    assert "只有县委组织部" in refused(filing_decide, actor=ta, filing=filing, accept=True)
    filing_decide(actor=cast.county_staff, filing=filing, accept=False, note="请补充考察材料")
    assert Round.objects.get(pk=round_.pk).stage == "notice2"
    services.round_finish(actor=ta, round_=round_, on=D(2026, 10, 22))
    filing = Filing.objects.get(subject=round_.subject, state="submitted")
    filing_decide(actor=cast.county_admin, filing=filing, accept=True)
    assert "已办理" in refused(filing_decide, actor=cast.county_admin, filing=filing, accept=True)
    assert Round.objects.get(pk=round_.pk).stage == "closed"
    assert ReserveRecord.objects.filter(entry_method="selection", person=trio[0]).count() == 1


def test_ql_variant_applications_exam_joint_review_and_county_decision(cast):
    ta = cast.township_a_admin
    r = services.round_open(
        actor=ta,
        township=cast.township_a,
        villages=[cast.village_a1],
        kind="ql",
        reserve_type="village_reserve",
        title="清流式选拔",
        announcement="x",
        announced_on=D(2026, 9, 1),
        nomination_deadline=D(2026, 9, 10),
    )
    a, b = make_person(cast.village_a1, name="报名甲"), make_person(cast.village_a1, name="报名乙")
    assert "个人报名" in refused(
        services.nominate,
        actor=ta,
        round_=r,
        village=cast.village_a1,
        channel="village_org",
        nominated_by="x",
        nominated_on=D(2026, 9, 2),
        person=a,
    )
    for p in (a, b):
        services.nominate(
            actor=ta,
            round_=r,
            village=cast.village_a1,
            channel="self",
            nominated_by="本人",
            nominated_on=D(2026, 9, 2),
            person=p,
        )
    services.round_close_nominations(actor=ta, round_=r)
    for p in (a, b):
        services.candidacy_review(actor=ta, candidacy=candidacy_of(r, p), passed=True, note="初审通过")
    services.round_finish_review(actor=ta, round_=r)
    assert Round.objects.get(pk=r.pk).stage == "exam"
    ca, cb = candidacy_of(r, a), candidacy_of(r, b)
    from decimal import Decimal

    assert "0至100" in refused(services.scores_record, actor=ta, round_=r, scores={ca.pk: (Decimal(120), None)})
    services.scores_record(
        actor=ta, round_=r, scores={ca.pk: (Decimal(88), Decimal(90)), cb.pk: (Decimal(70), Decimal(75))}
    )
    services.round_finish_exam(actor=ta, round_=r)
    services.joint_review_record(actor=ta, round_=r, results={ca.pk: (True, ""), cb.pk: (False, "信访部门有意见")})
    services.round_finish_joint_review(actor=ta, round_=r)
    assert "县委组织部" in refused(
        services.county_decide, actor=ta, round_=r, date=D(2026, 10, 20), text="x", decided_ids=[ca.pk]
    )
    services.county_decide(
        actor=cast.county_admin, round_=r, date=D(2026, 10, 20), text="确定报名甲", decided_ids=[ca.pk]
    )
    assert Round.objects.get(pk=r.pk).stage == "closed"
    assert ReserveRecord.objects.get(person=a).entry_method == "selection"
    assert not ReserveRecord.objects.filter(person=b).exists()


def test_attachments_must_be_pdf_or_image_and_at_most_10_mb(cast, round_, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    person = make_person(cast.village_a1)
    args = {
        "actor": cast.township_a_admin,
        "round_": round_,
        "village": cast.village_a1,
        "nominated_by": "x",
        "nominated_on": D(2026, 9, 5),
        "person": person,
    }
    html = SimpleUploadedFile("form.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    assert "不是PDF或图片" in refused(services.nominate, **args, channel="self", upload=html)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    assert "超过10MB" in refused(services.nominate, **args, channel="self", upload=big)
    assert not Candidacy.objects.exists() and not Attachment.objects.exists()
    ok = SimpleUploadedFile("form.pdf", b"%PDF-1.4\n%ok\n", content_type="application/pdf")
    nomination = services.nominate(**args, channel="self", upload=ok)
    assert Attachment.objects.get(owner=nomination.subject).content_type == "application/pdf"


def test_notices_print_the_names_table_of_the_people_posted(cast, round_, trio):
    ids = run_to_selection(cast, round_, trio)
    notice = services.inspection_candidates_select(
        actor=cast.township_a_admin,
        round_=round_,
        chosen_ids=[ids["甲"], ids["丙"]],
        staffing_note="x",
        notice_start=D(2026, 9, 30),
    )
    assert notice.columns[:3] == ["序号", "姓名", "性别"]
    assert [(r["姓名"], r["村（社区）"], r["出生年月"]) for r in notice.rows] == [
        ("甲", "兰沟村", "1992.03"),
        ("丙", "甘家沟村", "1990.01"),
    ]
