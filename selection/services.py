"""The selection pipeline as explicit transitions. Each runs in one transaction, locks the round row, checks the
stage it expects and refuses in Chinese otherwise; a second click on the same step is refused, not repeated."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from notices.models import Notice
from notices.services import notice_post, notice_verdict
from org import roles
from org.attachments import attachment_save
from org.audit import audit
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C
from reserves.eligibility import FAIL, check_eligibility
from reserves.filings import filing_submit
from reserves.models import Person, ReserveRecord
from reserves.policy import county_of, policy_in_force
from reserves.services import person_create, record_open
from selection.models import (
    APPROVING,
    CHANNEL_SELF,
    KIND_QL,
    KIND_QS,
    STAGE_LABELS,
    STAGES,
    VOTE_OPTIONS,
    Candidacy,
    EvaluationMeeting,
    Nomination,
    Round,
)


def _require(actor, perm, unit, message="您无权办理该乡镇的选拔工作。"):
    if not get_scope(actor).has(perm, unit):
        raise ValidationError(message)


def _lock(round_: Round, expected: str | tuple[str, ...]) -> Round:
    """Lock the round and check its stage; the refusal says where the round actually is."""
    # of=self: PostgreSQL cannot lock the nullable side (policy) of an outer join, and only the round needs it.
    locked = Round.objects.select_for_update(of=("self",)).select_related("township", "policy").get(pk=round_.pk)
    expected = (expected,) if isinstance(expected, str) else expected
    if locked.stage not in expected:
        wanted = "、".join(locked.label_of(s) for s in expected)
        raise ValidationError(
            f"该选拔当前处于“{locked.stage_label}”阶段，不能办理“{wanted}”阶段的事项（可能已经办理过，请刷新页面）。"
        )
    return locked


def _advance(actor, round_: Round, to: str, request=None, **changes):
    before = round_.stage
    round_.stage = to
    round_.save(update_fields=["stage", *[k for k in changes if hasattr(round_, k)]])
    audit(
        actor,
        "selection.stage",
        round_,
        unit=round_.township,
        request=request,
        changes={"stage": [STAGE_LABELS[before], STAGE_LABELS[to]]} | {k: str(v) for k, v in changes.items()},
    )


def _next_stage(round_: Round) -> str:
    keys = [k for k, _ in STAGES[round_.kind]]
    return keys[keys.index(round_.stage) + 1]


# --- 1. announcement ---------------------------------------------------------------------------------------------


@transaction.atomic
def round_open(
    *,
    actor,
    township: OrgUnit,
    villages,
    kind: str,
    reserve_type: str,
    title: str,
    announcement: str,
    announced_on: datetime.date,
    nomination_deadline: datetime.date,
    request=None,
) -> Round:
    _require(actor, roles.EDIT_PEOPLE, township)
    villages = list(villages)
    if township.level != roles.TOWNSHIP:
        raise ValidationError("选拔由乡镇党委组织。")
    if not villages:
        raise ValidationError({"villages": "请至少选择一个村（社区）。"})
    outside = [v.name for v in villages if v.parent_id != township.pk or not v.is_village]
    if outside:
        raise ValidationError({"villages": f"{'、'.join(outside)}不属于{township.name}。"})
    if nomination_deadline < announced_on:
        raise ValidationError({"nomination_deadline": "推荐截止日期不能早于公告日期。"})
    if not title.strip() or not announcement.strip():
        raise ValidationError("请填写公告标题和正文。")
    county = county_of(township)
    policy = policy_in_force(county, announced_on) if county else None
    round_ = Round.objects.create(
        township=township,
        kind=kind,
        reserve_type=reserve_type,
        title=title.strip(),
        announcement=announcement.strip(),
        announced_on=announced_on,
        nomination_deadline=nomination_deadline,
        policy=policy,
        created_by=actor,
    )
    round_.villages.set(villages)
    audit(
        actor,
        "selection.open",
        round_,
        unit=township,
        request=request,
        changes={
            "title": round_.title,
            "villages": "、".join(v.name for v in villages),
            "policy": str(policy) if policy else "无",
        },
    )
    return round_


@transaction.atomic
def round_cancel(*, actor, round_: Round, reason: str, request=None) -> Round:
    round_ = _lock(round_, tuple(k for k, _ in STAGES[round_.kind] if k not in {"closed", "filing"}))
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    if not reason.strip():
        raise ValidationError({"reason": "请说明终止原因。"})
    round_.cancel_reason = reason.strip()
    _advance(actor, round_, "cancelled", request, cancel_reason=round_.cancel_reason)
    return round_


# --- 2. 三推: nominations ------------------------------------------------------------------------------------------


def _check_ban(candidacy_person: Person, round_: Round, ban_override: str):
    if not round_.policy or not round_.policy.ban_years:
        return
    result = check_eligibility(candidacy_person, round_.policy, on=round_.announced_on)
    ban = [c for c in result.conditions if c.key == "ban" and c.status == FAIL]
    if ban and not ban_override.strip():
        raise ValidationError({"ban_override": f"{ban[0].reason}"})


@transaction.atomic
def nominate(
    *,
    actor,
    round_: Round,
    village: OrgUnit,
    channel: str,
    nominated_by: str,
    nominated_on: datetime.date,
    person: Person | None = None,
    new_person: dict | None = None,
    cross_village_reason: str = "",
    ban_override: str = "",
    upload=None,
    request=None,
) -> Nomination:
    """Record one nomination. A person may arrive through several channels; each is kept once."""
    round_ = _lock(round_, "announced")
    scope = get_scope(actor)
    is_township = scope.has(roles.EDIT_PEOPLE, round_.township)
    if not scope.has(roles.NOMINATE, village):
        raise ValidationError("您无权为该村（社区）录入推荐人选。")
    if not round_.villages.filter(pk=village.pk).exists():
        raise ValidationError({"village": f"{village.name}不在本次选拔范围内。"})
    if round_.kind == KIND_QL and channel != CHANNEL_SELF:
        raise ValidationError({"channel": "清流县办法的选拔采取个人报名。"})
    if channel not in {c for c, _ in Nomination._meta.get_field("channel").choices}:
        raise ValidationError({"channel": "请选择推荐渠道。"})
    if not nominated_by.strip():
        raise ValidationError({"nominated_by": "请填写推荐人或推荐单位。"})
    if nominated_on > datetime.date.today():
        raise ValidationError({"nominated_on": "推荐日期不能晚于今天。"})
    if nominated_on < round_.announced_on:
        raise ValidationError({"nominated_on": "推荐日期不能早于公告日期。"})
    if (person is None) == (new_person is None):
        raise ValidationError("请选择已登记的人员，或登记新人员。")
    if person is None:
        person = person_create(actor=actor, data=new_person, request=request, perm=roles.NOMINATE)
    else:
        if not Person.objects.for_user(actor).filter(pk=person.pk).exists() and not is_township:
            raise ValidationError("未找到该人员。")
    if not person.village.code.startswith(round_.township.code):
        raise ValidationError("该人员不属于本乡镇，不能参加本乡镇的选拔。")
    if person.village_id != village.pk:
        if not is_township:
            raise ValidationError("村（社区）党组织书记只能推荐本村（社区）的人员。")
        if not cross_village_reason.strip():
            raise ValidationError({"cross_village_reason": "推荐外村人员须说明理由（本村没有合适人选，由乡镇统筹）。"})
    if ReserveRecord.objects.filter(person=person, reserve_type=round_.reserve_type, ended_on__isnull=True).exists():
        raise ValidationError("该人员已是在库的同类后备干部。")
    candidacy = Candidacy.objects.filter(round=round_, person=person).first()
    if candidacy is None:
        _check_ban(person, round_, ban_override)
        candidacy = Candidacy.objects.create(
            round=round_,
            person=person,
            village=village,
            cross_village_reason=cross_village_reason.strip(),
            ban_override=ban_override.strip(),
        )
    elif candidacy.village_id != village.pk:
        raise ValidationError(f"该人员已作为{candidacy.village.name}的人选被推荐。")
    if candidacy.nominations.filter(channel=channel).exists():
        raise ValidationError({"channel": "该人员已通过这一渠道被推荐过，不能重复推荐。"})
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                candidacy=candidacy,
                channel=channel,
                nominated_by=nominated_by.strip(),
                nominated_on=nominated_on,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationError({"channel": "该人员已通过这一渠道被推荐过，不能重复推荐。"}) from None
    if upload is not None:
        attachment_save(
            actor=actor, unit=village, owner=nomination.subject, upload=upload, purpose="推荐表", request=request
        )
    audit(
        actor,
        "selection.nominate",
        candidacy,
        unit=village,
        request=request,
        changes={"channel": nomination.get_channel_display(), "by": nomination.nominated_by},
    )
    return nomination


@transaction.atomic
def round_close_nominations(*, actor, round_: Round, request=None) -> Round:
    round_ = _lock(round_, "announced")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    if not round_.candidacies.exists():
        raise ValidationError("尚无任何推荐人选，不能进入资格审查。")
    _advance(actor, round_, "review", request)
    return round_


# --- 3. 资格审查 --------------------------------------------------------------------------------------------------


@transaction.atomic
def candidacy_review(
    *,
    actor,
    candidacy: Candidacy,
    passed: bool,
    note: str = "",
    checklist: dict | None = None,
    reviewed_on: datetime.date | None = None,
    request=None,
) -> Candidacy:
    """Check the county's conditions in force on the announcement date; the reviewer confirms warnings (with a
    written reason) or fails the candidate. Blocking failures cannot be passed, except a ban already overridden."""
    round_ = _lock(candidacy.round, "review")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    candidacy = Candidacy.objects.select_for_update().select_related("person").get(pk=candidacy.pk)
    if candidacy.state not in (Candidacy.NOMINATED, Candidacy.QUALIFIED, Candidacy.FAILED):
        raise ValidationError("该候选人已退出本次选拔。")
    policy = round_.policy
    if policy and policy.ql7_checklist and checklist is None:
        raise ValidationError("请逐项核查十种不得确定为后备干部的情形。")
    result = check_eligibility(candidacy.person, policy, on=round_.announced_on, checklist=checklist)
    failures = [c for c in result.failures if not (c.key == "ban" and candidacy.ban_override)]
    warnings = result.warnings
    note = note.strip()
    if passed and failures:
        reasons = "；".join(f"{c.label}：{c.reason}" for c in failures)
        raise ValidationError(f"不符合资格条件，不能通过审查（{reasons}）。")
    if passed and warnings and not note:
        raise ValidationError(
            {"note": "存在需确认的条件，请写明确认理由：" + "；".join(f"{c.label}：{c.reason}" for c in warnings)}
        )
    if not passed and not failures and not note:
        raise ValidationError({"note": "审查不通过时须写明理由。"})
    candidacy.eligibility = result.as_json()
    candidacy.checklist = checklist
    candidacy.review_note = note or "；".join(f"{c.label}：{c.reason}" for c in failures)
    candidacy.reviewed_on = reviewed_on or datetime.date.today()
    candidacy.reviewed_by = actor
    candidacy.state = Candidacy.QUALIFIED if passed else Candidacy.FAILED
    candidacy.save()
    audit(
        actor,
        "selection.review",
        candidacy,
        unit=candidacy.village,
        request=request,
        changes={
            "result": candidacy.get_state_display(),
            "note": candidacy.review_note,
            "policy": str(policy) if policy else "无",
        },
    )
    return candidacy


@transaction.atomic
def candidacy_withdraw(*, actor, candidacy: Candidacy, reason: str, request=None) -> Candidacy:
    round_ = _lock(candidacy.round, tuple(k for k, _ in STAGES[candidacy.round.kind] if k != "closed"))
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    candidacy = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    if candidacy.state not in Candidacy.ACTIVE:
        raise ValidationError("该候选人已不在本次选拔中。")
    if not reason.strip():
        raise ValidationError({"reason": "请说明退出原因（如：本人申请、公示异议属实）。"})
    candidacy.state, candidacy.exit_reason = Candidacy.WITHDRAWN, reason.strip()
    candidacy.save(update_fields=["state", "exit_reason"])
    audit(
        actor,
        "selection.withdraw",
        candidacy,
        unit=candidacy.village,
        request=request,
        changes={"reason": candidacy.exit_reason},
    )
    return candidacy


def _unreviewed(round_):
    return round_.candidacies.filter(state=Candidacy.NOMINATED).count()


@transaction.atomic
def round_finish_review(*, actor, round_: Round, request=None) -> Round:
    round_ = _lock(round_, "review")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    left = _unreviewed(round_)
    if left:
        raise ValidationError(f"还有{left}名候选人未完成资格审查。")
    if not round_.candidacies.filter(state=Candidacy.QUALIFIED).exists():
        raise ValidationError("没有通过资格审查的候选人，不能进入下一步；可终止本次选拔。")
    _advance(actor, round_, _next_stage(round_), request)
    return round_


# --- 4. 两选(1): 党员群众评选 ---------------------------------------------------------------------------------------


@transaction.atomic
def meeting_record(
    *,
    actor,
    round_: Round,
    village: OrgUnit,
    date: datetime.date,
    place: str,
    categories: list,
    expected: int,
    present: int,
    upload=None,
    request=None,
) -> EvaluationMeeting:
    round_ = _lock(round_, "evaluation")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    if not round_.villages.filter(pk=village.pk).exists():
        raise ValidationError(f"{village.name}不在本次选拔范围内。")
    if expected <= 0 or present < 0:
        raise ValidationError({"expected": "应到人数须大于0，实到人数不能为负数。"})
    if present > expected:
        raise ValidationError({"present": f"实到人数（{present}）不能多于应到人数（{expected}）。"})
    quorum = round_.policy.quorum_percent if round_.policy else 50
    if present * 100 <= expected * quorum:
        raise ValidationError(
            {
                "present": f"实到人数须超过应到人数的{quorum}%（应到{expected}人，至少须到"
                f"{expected * quorum // 100 + 1}人），本次会议不足法定人数。"
            }
        )
    if not categories:
        raise ValidationError({"categories": "请选择参会人员类别。"})
    if date < round_.announced_on or date > datetime.date.today():
        raise ValidationError({"date": "会议日期须在公告日期之后、今天之前。"})
    meeting, created = EvaluationMeeting.objects.update_or_create(
        round=round_,
        village=village,
        defaults={
            "date": date,
            "place": place.strip(),
            "categories": categories,
            "expected": expected,
            "present": present,
            "created_by": actor,
        },
    )
    if not created:
        # New attendance may make recorded votes impossible: check them again.
        for c in round_.candidacies.filter(village=village).exclude(votes={}):
            if sum(c.votes.values()) > present:
                raise ValidationError({"present": f"{c.person.name}已录入的票数多于新的实到人数，请先修改票数。"})
    if upload is not None:
        attachment_save(
            actor=actor, unit=village, owner=meeting.subject, upload=upload, purpose="会议记录", request=request
        )
    audit(
        actor,
        "selection.meeting",
        meeting,
        unit=village,
        request=request,
        changes={"expected": expected, "present": present, "date": str(date)},
    )
    return meeting


@transaction.atomic
def votes_record(
    *, actor, round_: Round, village: OrgUnit, counts: dict[int, dict[str, int]], request=None
) -> list[Candidacy]:
    """Votes of one village's meeting, for each qualified candidate; all or nothing."""
    round_ = _lock(round_, "evaluation")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    meeting = EvaluationMeeting.objects.filter(round=round_, village=village).first()
    if meeting is None:
        raise ValidationError("请先登记该村（社区）的评选会议（应到、实到人数）。")
    options = [key for key, _ in VOTE_OPTIONS[round_.policy.vote_scale if round_.policy else "four_grade"]]
    candidacies = {
        c.pk: c
        for c in round_.candidacies.select_for_update(of=("self",))
        .select_related("person")
        .filter(village=village, state=Candidacy.QUALIFIED)
    }
    errors = []
    for cid, votes in counts.items():
        c = candidacies.get(cid)
        if c is None:
            raise ValidationError("候选人不在该村（社区）的评选名单中。")
        if set(votes) - set(options):
            raise ValidationError("票种与本县设置的测评票种不符。")
        if any(v is None or v < 0 for v in votes.values()):
            errors.append(f"{c.person.name}：票数不能为负数")
        elif sum(votes.values()) > meeting.present:
            errors.append(f"{c.person.name}：票数合计{sum(votes.values())}，多于实到人数{meeting.present}")
    if errors:
        raise ValidationError("；".join(errors) + "。")
    saved = []
    for cid, votes in counts.items():
        c = candidacies[cid]
        c.votes = {k: int(votes.get(k) or 0) for k in options}
        approving = sum(v for k, v in c.votes.items() if k in APPROVING)
        c.approval = (Decimal(approving) * 100 / meeting.present).quantize(Decimal("0.1")) if meeting.present else 0
        c.save(update_fields=["votes", "approval"])
        saved.append(c)
    audit(
        actor, "selection.votes", round_, unit=village, request=request, changes={c.person.name: c.votes for c in saved}
    )
    return saved


@transaction.atomic
def round_finish_evaluation(*, actor, round_: Round, request=None) -> Round:
    round_ = _lock(round_, "evaluation")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    qualified = round_.candidacies.filter(state=Candidacy.QUALIFIED)
    villages = set(qualified.values_list("village_id", flat=True))
    met = set(round_.meetings.values_list("village_id", flat=True))
    if villages - met:
        names = "、".join(OrgUnit.objects.filter(pk__in=villages - met).values_list("name", flat=True))
        raise ValidationError(f"{names}尚未登记评选会议。")
    missing = [c.person.name for c in qualified.select_related("person") if not c.votes]
    if missing:
        raise ValidationError(f"尚未录入测评票数：{'、'.join(missing)}。")
    _advance(actor, round_, "selection", request)
    return round_


# --- 5. 两选(2): 组织挑选, 公示(1), 考察, 党委会 ---------------------------------------------------------------


def _notice_places(villages, place: str):
    return [(v, f"{v.name}{place}") for v in villages]


NOTICE_COLUMNS = ["序号", "姓名", "性别", "出生年月", "学历", "政治面貌", "村（社区）"]


def _notice_rows(candidacies) -> list[dict[str, str]]:
    """The names table printed with a notice: a snapshot of what was posted."""
    return [
        {
            "序号": str(i),
            "姓名": c.person.name,
            "性别": c.person.get_sex_display(),
            "出生年月": f"{c.person.birth_date.year}.{c.person.birth_date.month:02d}",
            "学历": c.person.get_education_display(),
            "政治面貌": c.person.get_political_status_display(),
            "村（社区）": c.village.name,
        }
        for i, c in enumerate(candidacies, start=1)
    ]


@transaction.atomic
def inspection_candidates_select(
    *,
    actor,
    round_: Round,
    chosen_ids: list[int],
    staffing_note: str,
    notice_start: datetime.date,
    place: str = "公示栏",
    contact: str = "",
    request=None,
) -> Notice:
    """Pick the inspection candidates from the results and the villages' 两委 staffing plan, and post notice 1."""
    round_ = _lock(round_, "selection")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    qualified = {
        c.pk: c
        for c in round_.candidacies.select_for_update(of=("self",))
        .select_related("person", "village")
        .filter(state=Candidacy.QUALIFIED)
    }
    chosen = [qualified[i] for i in chosen_ids if i in qualified]
    if len(chosen) != len(set(chosen_ids)):
        raise ValidationError("所选人员不在通过评选的候选人中。")
    if not chosen:
        raise ValidationError("请至少确定一名考察对象。")
    if not staffing_note.strip():
        raise ValidationError({"staffing_note": "请说明结合村“两委”班子职数配备情况的考虑。"})
    _settle(
        qualified.values(), [c.pk for c in chosen], chosen_state=Candidacy.INSPECTION, exit_reason="未被确定为考察对象"
    )
    policy = round_.policy
    notice = _post_round_notice(
        actor=actor,
        round_=round_,
        kind=Notice.KIND_CANDIDATE,
        title=f"关于{round_.title}考察对象的公示",
        body=f"经村党组织推荐、党员群众推荐和个人自我推荐，资格审查和党员群众评选，{round_.township.name}党委研究，"
        f"确定以下同志为{round_.get_reserve_type_display()}考察对象，现予公示（名单附后）。",
        days=policy.notice_candidate_days if policy else 3,
        people=chosen,
        start=notice_start,
        place=place,
        contact=contact,
        request=request,
    )
    round_.staffing_note, round_.notice1 = staffing_note.strip(), notice
    _advance(actor, round_, "notice1", request, staffing_note=round_.staffing_note, notice1=notice.end)
    return notice


def _settle(candidates, chosen_ids, *, chosen_state: str, exit_reason: str):
    """The chosen move on, the rest leave the round with the reason: two UPDATEs, not one per candidate."""
    pks = [c.pk for c in candidates]
    Candidacy.objects.filter(pk__in=pks).filter(pk__in=chosen_ids).update(state=chosen_state)
    Candidacy.objects.filter(pk__in=pks).exclude(pk__in=chosen_ids).update(
        state=Candidacy.NOT_SELECTED, exit_reason=exit_reason
    )


def _post_round_notice(
    *, actor, round_: Round, kind: str, title: str, body: str, days: int, people, start, place, contact, request
):
    """Post one of the round's two notices in the villages of `people`, with their names table."""
    policy = round_.policy
    return notice_post(
        actor=actor,
        kind=kind,
        unit=round_.township,
        county=county_of(round_.township),
        subject=round_.subject,
        title=title,
        body=body,
        start=start,
        working_days=days,
        posting_day_counts=policy.notice_posting_day_counts if policy else True,
        places=_notice_places(sorted({c.village for c in people}, key=lambda v: v.code), place),
        rows=_notice_rows(people),
        columns=NOTICE_COLUMNS,
        contact=contact,
        request=request,
    )


def _require_notice_over(round_: Round, notice: Notice, on: datetime.date):
    blocks = round_.policy.objection_blocks if round_.policy else True
    verdict = notice_verdict(notice, on=on, objection_blocks=blocks)
    if not verdict:
        raise ValidationError(verdict.reason)


@transaction.atomic
def round_start_inspection(*, actor, round_: Round, on: datetime.date | None = None, request=None) -> Round:
    round_ = _lock(round_, "notice1")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    _require_notice_over(round_, round_.notice1, on or datetime.date.today())
    if not round_.candidacies.filter(state=Candidacy.INSPECTION).exists():
        raise ValidationError("所有考察对象均已退出，无法继续；可终止本次选拔。")
    _advance(actor, round_, "inspection", request)
    return round_


@transaction.atomic
def inspection_record(
    *, actor, round_: Round, team: str, date: datetime.date, findings: dict[int, str], request=None
) -> Round:
    round_ = _lock(round_, "inspection")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    if not team.strip():
        raise ValidationError({"team": "请填写考察组成员。"})
    if date > datetime.date.today() or date < round_.announced_on:
        raise ValidationError({"date": "考察日期须在公告日期之后、今天之前。"})
    candidates = {c.pk: c for c in round_.candidacies.filter(state=Candidacy.INSPECTION)}
    empty = [c.person.name for pk, c in candidates.items() if not (findings.get(pk) or "").strip()]
    if empty:
        raise ValidationError(f"请填写每名考察对象的考察情况：{'、'.join(empty)}。")
    for pk, c in candidates.items():
        c.findings = findings[pk].strip()
        c.save(update_fields=["findings"])
    round_.inspection_team, round_.inspection_date = team.strip(), date
    round_.save(update_fields=["inspection_team", "inspection_date"])
    audit(
        actor,
        "selection.inspection",
        round_,
        unit=round_.township,
        request=request,
        changes={"team": round_.inspection_team, "date": str(date)},
    )
    return round_


@transaction.atomic
def round_finish_inspection(*, actor, round_: Round, request=None) -> Round:
    round_ = _lock(round_, "inspection")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    if not round_.inspection_date:
        raise ValidationError("请先登记考察组、考察日期和考察情况。")
    _advance(actor, round_, "decision", request)
    return round_


@transaction.atomic
def decision_record(
    *,
    actor,
    round_: Round,
    date: datetime.date,
    text: str,
    decided_ids: list[int],
    notice_start: datetime.date,
    place: str = "公示栏",
    contact: str = "",
    upload=None,
    request=None,
) -> Notice:
    """乡镇党委会集体研究决定, then notice 2 in each decided reserve's own village."""
    round_ = _lock(round_, "decision")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    if round_.kind != KIND_QS:
        raise ValidationError("该选拔由县人才工作领导小组决定。")
    candidates = {
        c.pk: c
        for c in round_.candidacies.select_for_update(of=("self",))
        .select_related("person", "village")
        .filter(state=Candidacy.INSPECTION)
    }
    if set(decided_ids) - set(candidates):
        raise ValidationError("所选人员不在考察对象中。")
    if not decided_ids:
        raise ValidationError("请至少确定一名后备干部；如均不合适，可终止本次选拔。")
    if not text.strip():
        raise ValidationError({"text": "请填写党委会研究决定的内容。"})
    if date < (round_.inspection_date or round_.announced_on) or date > datetime.date.today():
        raise ValidationError({"date": "会议日期须在考察之后、今天之前。"})
    decided = [candidates[i] for i in decided_ids]
    _settle(candidates.values(), decided_ids, chosen_state=Candidacy.DECIDED, exit_reason="乡镇党委会研究未确定")
    policy = round_.policy
    notice = _post_round_notice(
        actor=actor,
        round_=round_,
        kind=Notice.KIND_VILLAGE,
        title=f"关于{round_.title}人选的公示",
        body=f"经组织考察、{round_.township.name}党委会集体研究，拟确定以下同志为"
        f"{round_.get_reserve_type_display()}，现在所在村（社区）予以公示，接受党员群众监督（名单附后）。",
        days=policy.notice_village_days if policy else 3,
        people=decided,
        start=notice_start,
        place=place,
        contact=contact,
        request=request,
    )
    if upload is not None:
        attachment_save(
            actor=actor,
            unit=round_.township,
            owner=round_.subject,
            upload=upload,
            purpose="党委会会议记录",
            request=request,
        )
    round_.decision_date, round_.decision_text, round_.notice2 = date, text.strip(), notice
    round_.save(update_fields=["decision_date", "decision_text", "notice2"])
    _advance(actor, round_, "notice2", request, decision_date=date)
    return notice


# --- 6. closing: filing and entering the pool ---------------------------------------------------------------------


def _enter_pool(actor, round_: Round, on: datetime.date, request=None):
    for c in round_.candidacies.select_related("person", "village").filter(state=Candidacy.DECIDED):
        record = record_open(
            actor=actor,
            person=c.person,
            reserve_type=round_.reserve_type,
            village=c.village,
            entered_on=on,
            entry_method=C.ENTRY_SELECTION,
            entry_reason=round_.title,
            override_reason=c.review_note or "经选拔程序资格审查通过",
            request=request,
        )
        c.state, c.record = Candidacy.ENTERED, record
        c.save(update_fields=["state", "record"])
    round_.closed_on = on
    _advance(actor, round_, "closed", request, closed_on=on)


@transaction.atomic
def round_finish(*, actor, round_: Round, on: datetime.date | None = None, request=None) -> Round:
    """After notice 2: straight into the pool, or first to the county for filing where the policy asks."""
    round_ = _lock(round_, "notice2")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    on = on or datetime.date.today()
    _require_notice_over(round_, round_.notice2, on)
    if not round_.candidacies.filter(state=Candidacy.DECIDED).exists():
        raise ValidationError("没有确定的后备干部人选。")
    if round_.policy and round_.policy.selection_filing_required:
        filing_submit(
            actor=actor,
            kind="selection",
            subject=round_.subject,
            title=f"{round_.township.name}：{round_.title}",
            unit=round_.township,
            county=county_of(round_.township),
            request=request,
        )
        _advance(actor, round_, "filing", request)
    else:
        _enter_pool(actor, round_, on, request)
    return round_


def on_filed(*, actor, filing, request=None):
    round_ = _lock(Round(pk=int(filing.subject.split(":")[1])), "filing")
    _enter_pool(actor, round_, datetime.date.today(), request)


def on_returned(*, actor, filing, request=None):
    round_ = _lock(Round(pk=int(filing.subject.split(":")[1])), "filing")
    _advance(actor, round_, "notice2", request, returned=filing.decision_note)


# --- QL variant: exam, joint review, county decision ---------------------------------------------------------------


@transaction.atomic
def scores_record(*, actor, round_: Round, scores: dict[int, tuple[Decimal, Decimal]], request=None):
    round_ = _lock(round_, "exam")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    candidates = {c.pk: c for c in round_.candidacies.select_related("person").filter(state=Candidacy.QUALIFIED)}
    for pk, (written, interview) in scores.items():
        if pk not in candidates:
            raise ValidationError("候选人不在本次考试名单中。")
        for value in (written, interview):
            if value is not None and not (0 <= value <= 100):
                raise ValidationError(f"{candidates[pk].person.name}：成绩须在0至100分之间。")
    for pk, (written, interview) in scores.items():
        c = candidates[pk]
        c.written_score, c.interview_score = written, interview
        c.save(update_fields=["written_score", "interview_score"])
    audit(
        actor,
        "selection.scores",
        round_,
        unit=round_.township,
        request=request,
        changes={candidates[pk].person.name: [str(w), str(i)] for pk, (w, i) in scores.items()},
    )


@transaction.atomic
def round_finish_exam(*, actor, round_: Round, request=None) -> Round:
    round_ = _lock(round_, "exam")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    missing = [
        c.person.name
        for c in round_.candidacies.select_related("person").filter(state=Candidacy.QUALIFIED)
        if c.written_score is None or c.interview_score is None
    ]
    if missing:
        raise ValidationError(f"尚未录入笔试或面试成绩：{'、'.join(missing)}。")
    _advance(actor, round_, "joint_review", request)
    return round_


@transaction.atomic
def joint_review_record(*, actor, round_: Round, results: dict[int, tuple[bool, str]], request=None):
    round_ = _lock(round_, "joint_review")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    candidates = {c.pk: c for c in round_.candidacies.select_related("person").filter(state=Candidacy.QUALIFIED)}
    for pk, (ok, note) in results.items():
        c = candidates.get(pk)
        if c is None:
            raise ValidationError("候选人不在协审名单中。")
        if not ok and not note.strip():
            raise ValidationError(f"{c.person.name}：协审不通过须写明意见。")
        c.joint_review_ok, c.joint_review_note = ok, note.strip()
        c.save(update_fields=["joint_review_ok", "joint_review_note"])
    audit(
        actor,
        "selection.joint_review",
        round_,
        unit=round_.township,
        request=request,
        changes={candidates[pk].person.name: "通过" if ok else f"不通过：{note}" for pk, (ok, note) in results.items()},
    )


@transaction.atomic
def round_finish_joint_review(*, actor, round_: Round, request=None) -> Round:
    round_ = _lock(round_, "joint_review")
    _require(actor, roles.EDIT_PEOPLE, round_.township)
    qualified = list(round_.candidacies.select_related("person").filter(state=Candidacy.QUALIFIED))
    missing = [c.person.name for c in qualified if c.joint_review_ok is None]
    if missing:
        raise ValidationError(f"尚未录入协审意见：{'、'.join(missing)}。")
    for c in qualified:
        if not c.joint_review_ok:
            c.state, c.exit_reason = Candidacy.NOT_SELECTED, f"协审未通过：{c.joint_review_note}"
            c.save(update_fields=["state", "exit_reason"])
    _advance(actor, round_, "decision", request)
    return round_


@transaction.atomic
def county_decide(
    *, actor, round_: Round, date: datetime.date, text: str, decided_ids: list[int], request=None
) -> Round:
    """QL §8: the county talent work leading group decides; the decided enter the pool at once."""
    round_ = _lock(round_, "decision")
    if round_.kind != KIND_QL:
        raise ValidationError("该选拔由乡镇党委会研究决定。")
    county = county_of(round_.township)
    if county is None or not get_scope(actor).has(roles.EDIT_PEOPLE, county):
        raise ValidationError("该选拔由县委组织部（县人才工作领导小组）研究决定。")
    candidates = {c.pk: c for c in round_.candidacies.filter(state=Candidacy.QUALIFIED)}
    if set(decided_ids) - set(candidates) or not decided_ids:
        raise ValidationError("请从通过协审的候选人中确定人选。")
    if not text.strip():
        raise ValidationError({"text": "请填写研究决定的内容。"})
    _settle(
        candidates.values(), decided_ids, chosen_state=Candidacy.DECIDED, exit_reason="县人才工作领导小组研究未确定"
    )
    round_.decision_date, round_.decision_text = date, text.strip()
    round_.save(update_fields=["decision_date", "decision_text"])
    _enter_pool(actor, round_, date, request)
    return round_


TRANSITIONS = {
    # stage -> (service, label of the button that leaves it)
    "announced": (round_close_nominations, "结束推荐，进入资格审查"),
    "review": (round_finish_review, "完成资格审查"),
    "evaluation": (round_finish_evaluation, "完成评选，进入组织挑选"),
    "notice1": (round_start_inspection, "公示期满，开始考察"),
    "inspection": (round_finish_inspection, "考察完毕，提交党委会"),
    "notice2": (round_finish, "公示期满，完成选拔"),
    "exam": (round_finish_exam, "成绩录入完毕，进入协审"),
    "joint_review": (round_finish_joint_review, "协审完毕，报县里决定"),
}
