"""The approval chains as explicit transitions (keyword-only, atomic, audited).

Every transition locks its item's row (`select_for_update(of=("self",))`: PostgreSQL refuses FOR UPDATE on the
nullable side of an outer join), checks the state it expects and who may take that step, and refuses in Chinese
otherwise; a second click on the same step finds the state moved on and is refused, not repeated.

Who takes which step (a grant on exactly that unit, so a county user cannot take the township's step):

- the village party organisation (村党组织书记: NOMINATE on the village) proposes; a township user may propose
  instead, with the reason the village cannot (recorded as 乡镇党委直接提出);
- the township party committee (EDIT_PEOPLE on the township) approves or returns;
- the county organisation department files or returns through the filing inbox (reserves.filings), which calls
  the `*_file` / `*_county_return` handlers registered in apps.py.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lifecycle.models import (
    ELECTED_ONLY,
    FLAG_GROUNDS,
    GROUND_LABELS,
    POSITIONS_BY_KIND,
    TOWNSHIP,
    VILLAGE,
    VILLAGE_SOURCES,
    Chain,
    Removal,
    Step,
    Transfer,
    Use,
    UseOpinion,
)
from notices.calendar import cn_date
from notices.models import Notice, Objection
from notices.services import notice_post, notice_verdict
from org import roles
from org.attachments import attachment_save
from org.audit import audit
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C
from reserves.filings import filing_submit
from reserves.flags import flag_resolve
from reserves.models import Flag, ReserveRecord
from reserves.policy import county_of, policy_in_force
from reserves.services import record_close, record_transfer

DEFAULT_USE_NOTICE_DAYS = 5  # QS §二(三)3: 不少于5个工作日


# --- who acts --------------------------------------------------------------------------------------------------


def _grant_on(actor, unit: OrgUnit | None, perm: str) -> bool:
    """The actor holds `perm` through a grant on exactly `unit` (not through an ancestor)."""
    if unit is None:
        return False
    return any(g.code == unit.code and perm in g.perms for g in get_scope(actor).grants.values())


def acts_for_village(actor, village: OrgUnit) -> bool:
    """The village party organisation: its secretary's account (NOMINATE on the village itself)."""
    return _grant_on(actor, village, roles.NOMINATE)


def acts_for_township(actor, township: OrgUnit) -> bool:
    """The township party committee: an account of the township with EDIT_PEOPLE on it."""
    return _grant_on(actor, township, roles.EDIT_PEOPLE)


def acts_for_county(actor, county: OrgUnit | None) -> bool:
    return _grant_on(actor, county, roles.EDIT_PEOPLE)


def can_propose(actor, village: OrgUnit) -> bool:
    return acts_for_village(actor, village) or acts_for_township(actor, village.parent)


def _proposer_level(actor, village: OrgUnit, initiator_note: str, what: str) -> str:
    if acts_for_village(actor, village):
        return VILLAGE
    if acts_for_township(actor, village.parent):
        if not initiator_note.strip():
            raise ValidationError(
                {"initiator_note": f"乡镇党委直接提出{what}时，须说明村（社区）党组织无法提出的原因。"}
            )
        return TOWNSHIP
    raise ValidationError(f"{what}由所在村（社区）党组织或乡镇党委提出，您无权提出。")


def _require_township(actor, chain: Chain, what: str, township: OrgUnit | None = None):
    township = township or chain.village.parent
    if not acts_for_township(actor, township):
        raise ValidationError(f"{what}由乡镇党委（{township.name}党委）办理，您无权办理。")


def _require_proposer(actor, chain: Chain, what: str):
    if not can_propose(actor, chain.village):
        raise ValidationError(f"只有{chain.village.name}党组织或{chain.village.parent.name}党委可以{what}。")


# --- shared pieces ---------------------------------------------------------------------------------------------


def _lock(model, pk: int, expected: tuple[str, ...], verb: str, why: dict[str, str] | None = None):
    """Lock the item and check its state; the refusal says where it actually is."""
    chain = model.objects.select_for_update(of=("self",)).select_related("record__person", "village__parent").get(pk=pk)
    if chain.state not in expected:
        reason = (why or {}).get(chain.state)
        raise ValidationError(
            reason or f"该事项当前状态为“{chain.state_label}”，不能{verb}（可能已经办理过，请刷新页面）。"
        )
    return chain


def _step(actor, chain: Chain, action: str, label: str, note: str = "", request=None, **changes):
    note = (note or "").strip()[:500]
    Step.objects.create(
        subject=chain.subject,
        record_id=chain.record_id,
        action=action,
        label=label,
        state=chain.state_label,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "系统",
        note=note,
    )
    # On the record, so the person's history (reserves.selectors.person_history) shows every step.
    audit(
        actor,
        f"{chain._meta.model_name}.{action}",
        chain.record,
        unit=chain.village,
        request=request,
        changes={"事项": chain.subject, "环节": label, "状态": chain.state_label}
        | ({"意见": note} if note else {})
        | {k: str(v) for k, v in changes.items()},
    )


def _lock_record(record: ReserveRecord) -> ReserveRecord:
    return (
        ReserveRecord.objects.select_for_update(of=("self",))
        .select_related("person", "village__parent")
        .get(pk=record.pk)
    )


def _require_in_pool(record: ReserveRecord, what: str):
    if record.ended_on is not None:
        raise ValidationError(
            f"该后备干部记录已于{cn_date(record.ended_on)}出库（{record.get_status_display()}），不能{what}。"
        )


def open_chains(record: ReserveRecord) -> list[Chain]:
    """The removal, use and transfer still open for a record (at most one of each)."""
    found: list[Chain] = []
    for model in (Removal, Use, Transfer):
        found.extend(model.objects.filter(record=record, state__in=model.OPEN_STATES))
    return found


def _require_no_open_chain(record: ReserveRecord):
    """One open chain per record at a time: a removal, a use and a transfer would each change where it stands."""
    for chain in open_chains(record):
        name = chain._meta.verbose_name
        raise ValidationError(f"该后备干部已有一条正在办理的{name}（{chain.state_label}），请办结或撤回后再提出。")


def _save_new(chain: Chain, what: str):
    try:
        with transaction.atomic():
            chain.save()
    except IntegrityError:  # the partial unique index: someone proposed the same at the same moment
        raise ValidationError(f"该后备干部已有一条正在办理的{what}，不能重复提出。") from None


def _county(village: OrgUnit) -> OrgUnit:
    county = county_of(village)
    if county is None:
        raise ValidationError("未找到所属县（区），无法报县委组织部备案。")
    return county


def _subject_pk(filing, model) -> int | None:
    """The pk of the chain a filing is about; None for a filing of the same kind that is not one of ours (the
    filing record is generic: another app may file a "removal" of its own), which the handlers leave alone."""
    prefix = f"{model._meta.app_label}.{model._meta.model_name}:"
    rest = filing.subject[len(prefix) :] if filing.subject.startswith(prefix) else ""
    return int(rest) if rest.isdigit() else None


def _attach(actor, chain: Chain, upload, purpose: str, request=None):
    if upload is not None:
        attachment_save(
            actor=actor, unit=chain.village, owner=chain.subject, upload=upload, purpose=purpose, request=request
        )


def _close(chain: Chain, state: str, reason: str = ""):
    chain.state, chain.closed_at, chain.close_reason = state, timezone.now(), reason.strip()[:500]


# --- removal (取消资格) -------------------------------------------------------------------------------------------


def _clean_grounds(grounds, account: str, flags, record: ReserveRecord) -> tuple[list[str], str, list[Flag]]:
    errors = {}
    grounds = [g for g in dict.fromkeys(grounds or []) if g]
    if not grounds:
        errors["grounds"] = "请至少选择一项取消资格的理由。"
    elif set(grounds) - set(GROUND_LABELS):
        errors["grounds"] = "取消资格的理由不在规定的范围内。"
    account = (account or "").strip()
    if not account:
        errors["account"] = "请写明具体情况。"
    elif len(account) > 2000:
        errors["account"] = "具体情况说明不能超过2000字，详细材料请作为附件上传。"
    flags = list(flags or [])
    if any(f.record_id != record.pk or f.resolved_on is not None for f in flags):
        errors["flags"] = "所选提示不属于该后备干部，或已处理。"
    if errors:
        raise ValidationError(errors)
    return grounds, account, flags


def removal_prefill(record: ReserveRecord) -> dict:
    """A proposal pre-filled from the record's open flags (不称职 appraisal, absence, a village's report, age)."""
    flags = list(Flag.objects.open().filter(record=record).order_by("raised_on", "id"))
    grounds = list(dict.fromkeys(FLAG_GROUNDS[f.kind] for f in flags))
    account = "\n".join(f"{f.raised_on:%Y年%m月%d日} {f.get_kind_display()}：{f.reason}" for f in flags)
    return {"flags": flags, "grounds": grounds, "account": account}


@transaction.atomic
def removal_propose(
    *,
    actor,
    record: ReserveRecord,
    grounds: list[str],
    account: str,
    flags=(),
    initiator_note: str = "",
    upload=None,
    request=None,
) -> Removal:
    """The village party organisation proposes removing a reserve of its village (a township user may, recording
    why the village cannot)."""
    record = _lock_record(record)
    level = _proposer_level(actor, record.village, initiator_note, "取消资格建议")
    _require_in_pool(record, "提出取消资格")
    grounds, account, flags = _clean_grounds(grounds, account, flags, record)
    _require_no_open_chain(record)
    removal = Removal(
        record=record,
        village=record.village,
        state=Removal.PROPOSED,
        initiated_by=level,
        initiator_note=initiator_note.strip() if level == TOWNSHIP else "",
        proposed_by=actor,
        grounds=grounds,
        account=account,
    )
    _save_new(removal, "取消资格建议")
    removal.flags.set(flags)
    _attach(actor, removal, upload, "取消资格建议材料", request)
    label = "村（社区）党组织提出取消资格建议" if level == VILLAGE else "乡镇党委直接提出取消资格建议"
    _step(actor, removal, "propose", label, removal.initiator_note, request, 理由="、".join(removal.ground_labels))
    return removal


@transaction.atomic
def removal_approve(*, actor, removal: Removal, note: str = "", request=None) -> Removal:
    """The township party committee approves; the removal goes to the county's filing inbox."""
    removal = _lock(Removal, removal.pk, (Removal.PROPOSED,), "审批")
    _require_township(actor, removal, "取消资格建议的审批")
    township = removal.village.parent
    removal.state, removal.township_note = Removal.APPROVED, note.strip()[:500]
    removal.return_reason = removal.returned_step = ""
    removal.filing = filing_submit(
        actor=actor,
        kind="removal",
        subject=removal.subject,
        title=f"{township.name}{removal.village.name} {removal.record.person.name}：取消后备干部资格",
        unit=township,
        county=_county(removal.village),
        request=request,
    )
    removal.save()
    _step(actor, removal, "approve", "乡镇党委审批同意，报县委组织部备案", note, request)
    return removal


@transaction.atomic
def removal_return(*, actor, removal: Removal, reason: str, request=None) -> Removal:
    removal = _lock(Removal, removal.pk, (Removal.PROPOSED,), "退回")
    _require_township(actor, removal, "取消资格建议的审批")
    if not (reason or "").strip():
        raise ValidationError({"note": "退回时须说明理由。"})
    removal.state, removal.return_reason, removal.returned_step = Removal.RETURNED, reason.strip()[:500], TOWNSHIP
    removal.save()
    _step(actor, removal, "return", "乡镇党委退回", reason, request)
    return removal


@transaction.atomic
def removal_resubmit(
    *, actor, removal: Removal, grounds: list[str], account: str, flags=(), upload=None, request=None
) -> Removal:
    removal = _lock(Removal, removal.pk, (Removal.RETURNED,), "重新提交")
    _require_proposer(actor, removal, "重新提交该建议")
    _require_in_pool(removal.record, "重新提交")
    grounds, account, flags = _clean_grounds(grounds, account, flags, removal.record)
    removal.grounds, removal.account, removal.state = grounds, account, Removal.PROPOSED
    removal.save()
    removal.flags.set(flags)
    _attach(actor, removal, upload, "取消资格建议材料", request)
    _step(actor, removal, "resubmit", "修改后重新提交", "", request, 理由="、".join(removal.ground_labels))
    return removal


@transaction.atomic
def removal_withdraw(*, actor, removal: Removal, reason: str, request=None) -> Removal:
    removal = _lock(
        Removal,
        removal.pk,
        (Removal.PROPOSED, Removal.RETURNED),
        "撤回",
        {Removal.APPROVED: "该建议已报县委组织部备案，不能撤回；如需撤回，请联系县委组织部退回。"},
    )
    _require_proposer(actor, removal, "撤回该建议")
    if not (reason or "").strip():
        raise ValidationError({"note": "撤回时须说明理由。"})
    _close(removal, Removal.WITHDRAWN, reason)
    removal.save()
    _step(actor, removal, "withdraw", "撤回建议", reason, request)
    return removal


def removal_file(*, actor, filing, request=None) -> Removal | None:
    """Filing handler: the county files the removal; only now does the record end as removed (today)."""
    pk = _subject_pk(filing, Removal)
    if pk is None:
        return None
    removal = _lock(
        Removal,
        pk,
        (Removal.APPROVED,),
        "备案",
        {Removal.PROPOSED: "该建议尚未经乡镇党委审批同意，县委组织部不能备案。"},
    )
    record = removal.record
    if record.ended_on is not None:
        raise ValidationError(
            f"{record.person.name}的记录已于{cn_date(record.ended_on)}出库（{record.get_status_display()}），"
            "不能再取消资格，请退回。"
        )
    today = timezone.localdate()
    reason = f"取消资格（{'、'.join(removal.ground_labels)}）：{removal.account}"[:500]
    record_close(actor=actor, record=record, status=C.STATUS_REMOVED, ended_on=today, reason=reason, request=request)
    removal.ended_on = today
    _close(removal, Removal.FILED, filing.decision_note)
    removal.save()
    for flag in removal.flags.filter(resolved_on__isnull=True):
        flag_resolve(
            flag=flag, on=today, resolution=f"已取消资格（{cn_date(today)}备案）", actor=actor, request=request
        )
    _step(actor, removal, "file", "县委组织部备案，取消资格", filing.decision_note, request, 日期=today)
    return removal


def removal_county_return(*, actor, filing, request=None) -> Removal | None:
    pk = _subject_pk(filing, Removal)
    if pk is None:
        return None
    removal = _lock(Removal, pk, (Removal.APPROVED,), "退回")
    removal.state, removal.return_reason, removal.returned_step = Removal.RETURNED, filing.decision_note, "county"
    removal.save()
    _step(actor, removal, "county_return", "县委组织部退回", filing.decision_note, request)
    return removal


# --- priority use (择优使用) --------------------------------------------------------------------------------------


def _clean_use(record: ReserveRecord, target: OrgUnit, position: str, occasion: str, recommendation: str, cross):
    errors = {}
    if target is None or not target.is_village:
        errors["target_village"] = "请选择拟任职的村（社区）。"
    elif target.code[:6] != record.village.code[:6]:
        errors["target_village"] = "拟任职村（社区）不在本县，不能推荐。"
    elif target.valid_to is not None:
        errors["target_village"] = f"{target.name}已撤销（并入其他村），请选择现有的村（社区）。"
    else:
        allowed = dict(POSITIONS_BY_KIND.get(target.kind, []))
        if position not in allowed:
            errors["position"] = f"{target.name}是{target.get_kind_display() or '村'}，请选择相应的职务。"
        if target.pk != record.village_id and not (cross or "").strip():
            errors["cross_reason"] = "推荐到其他村（社区）任职，须说明统筹调配的理由（拟任职村暂无合适人选等）。"
    if occasion not in {"election", "vacancy"}:
        errors["occasion"] = "请选择换届或届中出缺。"
    if not (recommendation or "").strip():
        errors["recommendation"] = "请填写村（社区）党组织的推荐意见。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def use_propose(
    *,
    actor,
    record: ReserveRecord,
    target_village: OrgUnit,
    position: str,
    occasion: str,
    recommendation: str,
    cross_reason: str = "",
    initiator_note: str = "",
    upload=None,
    request=None,
) -> Use:
    """The village party organisation recommends a reserve for a position in its own or another village of the
    county (a township user may, recording why the village cannot)."""
    record = _lock_record(record)
    level = _proposer_level(actor, record.village, initiator_note, "择优使用推荐")
    _require_in_pool(record, "推荐使用")
    _clean_use(record, target_village, position, occasion, recommendation, cross_reason)
    _require_no_open_chain(record)
    use = Use(
        record=record,
        village=record.village,
        state=Use.PROPOSED,
        initiated_by=level,
        initiator_note=initiator_note.strip() if level == TOWNSHIP else "",
        proposed_by=actor,
        target_village=target_village,
        position=position,
        occasion=occasion,
        recommendation=recommendation.strip(),
        cross_reason=cross_reason.strip() if target_village.pk != record.village_id else "",
    )
    _save_new(use, "择优使用推荐")
    _attach(actor, use, upload, "推荐材料", request)
    label = "村（社区）党组织推荐" if level == VILLAGE else "乡镇党委直接推荐"
    _step(
        actor,
        use,
        "propose",
        label,
        use.initiator_note,
        request,
        拟任=f"{target_village.name}{use.get_position_display()}",
    )
    return use


OPINION_OPEN = (Use.PROPOSED, Use.APPROVED, Use.FILED, Use.NOTICE, Use.RETURNED)
OPINIONS_NAMED = "村（社区）“两委”班子成员、党员群众代表及纪检、政法、民政、卫健、信访、环保等有关部门"


def opinions_not_heard(opinions) -> list[str]:
    """The village sources the seed names (QS §二(三)3) with no opinion recorded yet, for the use's page."""
    heard = {o.department for o in opinions}
    return [label for key, label in VILLAGE_SOURCES if key not in heard]


@transaction.atomic
def use_opinions_record(*, actor, use: Use, rows: list[dict], request=None) -> list[UseOpinion]:
    """Opinions heard on a use, several at once; all or nothing: the village's “两委”班子成员, 党员群众代表 and the
    departments (纪检、政法、民政、卫健、信访、环保 and others). Each row: department (the source), department_name
    (for "other"), agrees (bool), opinion, given_on."""
    use = _lock(Use, use.pk, OPINION_OPEN, "录入意见")
    if not get_scope(actor).has(roles.EDIT_PEOPLE, use.village):
        raise ValidationError("有关方面的意见由乡镇党委录入，您无权录入。")
    today = timezone.localdate()
    errors, opinions = [], []
    for i, row in enumerate(rows, start=1):
        department = row.get("department") or ""
        name = (row.get("department_name") or "").strip()
        opinion = (row.get("opinion") or "").strip()
        given_on = row.get("given_on")
        agrees = row.get("agrees")
        problems = []
        if department not in {k for k, _ in UseOpinion._meta.get_field("department").choices}:
            problems.append("请选择意见来源")
        if department == "other" and not name:
            problems.append("“其他部门”须填写部门名称")
        if not opinion:
            problems.append("请填写意见")
        if agrees is None:
            problems.append("请选择是否同意")
        if given_on is None:
            problems.append("请填写日期")
        elif given_on > today:
            problems.append("日期不能晚于今天")
        if problems:
            errors.append(f"第{i}行：{'，'.join(problems)}")
            continue
        opinions.append(
            UseOpinion(
                use=use,
                department=department,
                department_name=name if department == "other" else "",
                agrees=bool(agrees),
                opinion=opinion[:500],
                given_on=given_on,
                recorded_by=actor,
            )
        )
    if errors:
        raise ValidationError("；".join(errors) + "。")
    if not opinions:
        raise ValidationError("请至少录入一个方面的意见。")
    UseOpinion.objects.bulk_create(opinions)
    _step(
        actor,
        use,
        "opinions",
        "录入有关方面意见",
        "；".join(f"{o.label}：{'同意' if o.agrees else '不同意'}" for o in opinions),
        request,
    )
    return opinions


@transaction.atomic
def use_approve(*, actor, use: Use, note: str = "", request=None) -> Use:
    use = _lock(Use, use.pk, (Use.PROPOSED,), "审批")
    _require_township(actor, use, "择优使用的审批")
    opinions = list(use.opinions.all())
    if not opinions:
        raise ValidationError(f"请先录入{OPINIONS_NAMED}的意见。")
    against = [o.label for o in opinions if not o.agrees]
    if against and not note.strip():
        raise ValidationError({"note": f"{'、'.join(against)}不同意，审批同意时须写明理由。"})
    township = use.village.parent
    use.state, use.township_note = Use.APPROVED, note.strip()[:500]
    use.return_reason = use.returned_step = ""
    use.filing = filing_submit(
        actor=actor,
        kind="use",
        subject=use.subject,
        title=f"{township.name}{use.village.name} {use.record.person.name}：拟任{use.target_village.name}"
        f"{use.get_position_display()}",
        unit=township,
        county=_county(use.village),
        request=request,
    )
    use.save()
    _step(actor, use, "approve", "乡镇党委审批同意，报县委组织部备案", note, request)
    return use


@transaction.atomic
def use_return(*, actor, use: Use, reason: str, request=None) -> Use:
    use = _lock(Use, use.pk, (Use.PROPOSED,), "退回")
    _require_township(actor, use, "择优使用的审批")
    if not (reason or "").strip():
        raise ValidationError({"note": "退回时须说明理由。"})
    use.state, use.return_reason, use.returned_step = Use.RETURNED, reason.strip()[:500], TOWNSHIP
    use.save()
    _step(actor, use, "return", "乡镇党委退回", reason, request)
    return use


@transaction.atomic
def use_resubmit(
    *,
    actor,
    use: Use,
    target_village: OrgUnit,
    position: str,
    occasion: str,
    recommendation: str,
    cross_reason: str = "",
    upload=None,
    request=None,
) -> Use:
    use = _lock(Use, use.pk, (Use.RETURNED,), "重新提交")
    _require_proposer(actor, use, "重新提交该推荐")
    _require_in_pool(use.record, "重新提交")
    _clean_use(use.record, target_village, position, occasion, recommendation, cross_reason)
    use.target_village, use.position, use.occasion = target_village, position, occasion
    use.recommendation = recommendation.strip()
    use.cross_reason = cross_reason.strip() if target_village.pk != use.record.village_id else ""
    use.state = Use.PROPOSED
    use.save()
    _attach(actor, use, upload, "推荐材料", request)
    _step(
        actor, use, "resubmit", "修改后重新提交", "", request, 拟任=f"{target_village.name}{use.get_position_display()}"
    )
    return use


@transaction.atomic
def use_withdraw(*, actor, use: Use, reason: str, request=None) -> Use:
    use = _lock(
        Use,
        use.pk,
        (Use.PROPOSED, Use.RETURNED),
        "撤回",
        {Use.APPROVED: "该推荐已报县委组织部备案，不能撤回；如需撤回，请联系县委组织部退回。"},
    )
    _require_proposer(actor, use, "撤回该推荐")
    if not (reason or "").strip():
        raise ValidationError({"note": "撤回时须说明理由。"})
    _close(use, Use.WITHDRAWN, reason)
    use.save()
    _step(actor, use, "withdraw", "撤回推荐", reason, request)
    return use


def use_file(*, actor, filing, request=None) -> Use | None:
    pk = _subject_pk(filing, Use)
    if pk is None:
        return None
    use = _lock(
        Use,
        pk,
        (Use.APPROVED,),
        "备案",
        {Use.PROPOSED: "该推荐尚未经乡镇党委审批同意，县委组织部不能备案。"},
    )
    _require_in_pool(use.record, "备案")
    use.state = Use.FILED
    use.save()
    _step(actor, use, "file", "县委组织部备案", filing.decision_note, request)
    return use


def use_county_return(*, actor, filing, request=None) -> Use | None:
    pk = _subject_pk(filing, Use)
    if pk is None:
        return None
    use = _lock(Use, pk, (Use.APPROVED,), "退回")
    use.state, use.return_reason, use.returned_step = Use.RETURNED, filing.decision_note, "county"
    use.save()
    _step(actor, use, "county_return", "县委组织部退回", filing.decision_note, request)
    return use


USE_NOTICE_COLUMNS = [
    "序号",
    "姓名",
    "性别",
    "出生年月",
    "学历",
    "政治面貌",
    "现所在村（社区）",
    "拟任职村（社区）",
    "拟任职务",
]


def use_notice_rows(use: Use) -> list[dict[str, str]]:
    p = use.record.person
    return [
        {
            "序号": "1",
            "姓名": p.name,
            "性别": p.get_sex_display(),
            "出生年月": f"{p.birth_date.year}.{p.birth_date.month:02d}",
            "学历": p.get_education_display(),
            "政治面貌": p.get_political_status_display(),
            "现所在村（社区）": use.village.name,
            "拟任职村（社区）": use.target_village.name,
            "拟任职务": use.get_position_display(),
        }
    ]


def use_policy(use: Use, on: datetime.date):
    county = county_of(use.village)
    return policy_in_force(county, on) if county else None


@transaction.atomic
def use_post_notice(
    *, actor, use: Use, start: datetime.date, place: str = "公示栏", contact: str = "", request=None
) -> Notice:
    """One notice posted in both the reserve's village and the target village, for the policy's length."""
    use = _lock(
        Use,
        use.pk,
        (Use.FILED,),
        "发布公示",
        {
            Use.PROPOSED: "该推荐尚未经乡镇党委审批同意、报县委组织部备案，不能公示。",
            Use.APPROVED: "县委组织部尚未备案，备案后方可公示。",
        },
    )
    _require_township(actor, use, "择优使用的公示")
    if start is None:
        raise ValidationError({"start": "请填写张贴日期。"})
    township, person = use.village.parent, use.record.person
    county = county_of(use.village)
    policy = use_policy(use, start)
    villages = [use.village] if use.target_village_id == use.village_id else [use.village, use.target_village]
    suffix = (place or "").strip() or "公示栏"
    position = f"{use.target_village.name}{use.get_position_display()}"
    notice = notice_post(
        actor=actor,
        kind=Notice.KIND_USE,
        unit=township,
        county=county,
        subject=use.subject,
        title=f"关于{person.name}同志拟任{position}的公示",
        body=f"经{use.village.name}党组织推荐、{township.name}党委审批同意，并报县委组织部备案，拟推荐"
        f"{person.name}同志为{position}人选（法律有规定的，依法选举产生），现在{use.village.name}"
        + (f"和{use.target_village.name}" if len(villages) == 2 else "")
        + f"予以公示（名单附后）。公示期间，如有意见，请向{township.name}党委反映。",
        start=start,
        working_days=policy.notice_use_days if policy else DEFAULT_USE_NOTICE_DAYS,
        posting_day_counts=policy.notice_posting_day_counts if policy else True,
        places=[(v, f"{v.name}{suffix}") for v in villages],
        rows=use_notice_rows(use),
        columns=USE_NOTICE_COLUMNS,
        contact=contact,
        request=request,
    )
    use.state, use.notice = Use.NOTICE, notice
    use.save()
    _step(actor, use, "notice", "在两村（社区）发布公示", f"{cn_date(notice.start)}至{cn_date(notice.end)}", request)
    return notice


@transaction.atomic
def use_record_outcome(*, actor, use: Use, outcome: str, on: datetime.date, note: str = "", request=None) -> Use:
    """After the notice: elected or appointed (the record ends as used, the person stays in history), or not elected
    / objection upheld (the reserve stays in the pool and the use ends with its reason)."""
    use = _lock(
        Use,
        use.pk,
        (Use.NOTICE,),
        "记录结果",
        dict.fromkeys((Use.PROPOSED, Use.APPROVED, Use.FILED), "尚未公示，不能记录结果。"),
    )
    _require_township(actor, use, "择优使用结果的登记")
    today = timezone.localdate()
    if outcome not in dict(Use.OUTCOME_CHOICES):
        raise ValidationError({"outcome": "请选择结果。"})
    if on is None:
        raise ValidationError({"on": "请填写日期。"})
    if on > today:
        raise ValidationError({"on": "日期不能晚于今天。"})
    notice = Notice.objects.get(pk=use.notice_id)
    upheld = notice.objections.filter(result=Objection.UPHELD).exists()
    position = f"{use.target_village.name}{use.get_position_display()}"
    if outcome == Use.APPOINTED and use.position in ELECTED_ONLY:
        raise ValidationError({"outcome": f"{use.get_position_display()}依法由选举产生，不能登记为任命。"})
    if outcome in (Use.ELECTED, Use.APPOINTED):
        policy = use_policy(use, on)
        verdict = notice_verdict(notice, on=on, objection_blocks=policy.objection_blocks if policy else True)
        if not verdict:
            raise ValidationError({"on": verdict.reason})
        if upheld:
            raise ValidationError({"outcome": "公示期间有异议经核查属实，请登记为“公示异议属实，不予使用”。"})
        label = dict(Use.OUTCOME_CHOICES)[outcome]
        record_close(
            actor=actor,
            record=use.record,
            status=C.STATUS_USED,
            ended_on=on,
            reason=f"择优使用：{label}为{position}" + (f"（{note.strip()}）" if note.strip() else ""),
            request=request,
        )
        state = Use.USED
    elif outcome == Use.NOT_ELECTED:
        if on <= notice.end:
            raise ValidationError({"on": f"公示期至{cn_date(notice.end)}，期满后方可登记选举结果。"})
        state = Use.NOT_USED
    else:
        if not upheld:
            raise ValidationError({"outcome": "该公示没有经核查属实的异议，请先在公示页面登记并办结异议。"})
        state = Use.NOT_USED
    use.outcome, use.outcome_on = outcome, on
    _close(use, state, note)
    use.save()
    _step(actor, use, "outcome", use.get_outcome_display(), note, request, 日期=on)
    return use


# --- transfer (调动) --------------------------------------------------------------------------------------------


def _clean_target(record: ReserveRecord, target: OrgUnit | None, reason: str):
    errors = {}
    if target is None or not target.is_village or target.valid_to is not None:
        errors["target_village"] = "请选择现有的村（社区）。"
    elif target.code[:6] != record.village.code[:6]:
        errors["target_village"] = "调入村（社区）不在本县，不能调动。"
    elif target.pk == record.village_id:
        errors["target_village"] = "调入村（社区）与现所在村（社区）相同。"
    if not (reason or "").strip():
        errors["reason"] = "请说明调动原因。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def transfer_propose(
    *,
    actor,
    record: ReserveRecord,
    target_village: OrgUnit,
    reason: str,
    on: datetime.date | None = None,
    request=None,
) -> Transfer:
    """The reserve's township moves them. Within the township the move is made at once (from `on`, default today);
    to another township it waits for that township and then the county, and is made on the day the county approves."""
    record = _lock_record(record)
    township = record.village.parent
    if not acts_for_township(actor, township):
        raise ValidationError(f"调动由后备干部所在的{township.name}党委提出，您无权提出。")
    _require_in_pool(record, "调动")
    _clean_target(record, target_village, reason)
    _require_no_open_chain(record)
    transfer = Transfer(
        record=record,
        village=record.village,
        state=Transfer.PROPOSED,
        initiated_by=TOWNSHIP,
        proposed_by=actor,
        target_village=target_village,
        reason=reason.strip()[:500],
    )
    if target_village.code[:9] != township.code[:9]:
        _save_new(transfer, "调动")
        _step(actor, transfer, "propose", f"{township.name}党委提出调往{target_village.parent.name}", reason, request)
        return transfer
    on = on or timezone.localdate()
    transfer.state, transfer.moved_on, transfer.closed_at = Transfer.DONE, on, timezone.now()
    _save_new(transfer, "调动")
    record_transfer(actor=actor, record=record, target=target_village, on=on, note=transfer.reason, request=request)
    _step(actor, transfer, "done", f"{township.name}党委决定在本乡镇内调动", reason, request, 日期=on)
    return transfer


@transaction.atomic
def transfer_target_approve(*, actor, transfer: Transfer, note: str = "", request=None) -> Transfer:
    transfer = _lock(Transfer, transfer.pk, (Transfer.PROPOSED,), "同意调入")
    target_township = transfer.target_village.parent
    _require_township(actor, transfer, "调入的同意", township=target_township)
    transfer.state, transfer.target_note = Transfer.TARGET_APPROVED, note.strip()[:500]
    transfer.return_reason = transfer.returned_step = ""
    source = transfer.village.parent
    transfer.filing = filing_submit(
        actor=actor,
        kind="transfer",
        subject=transfer.subject,
        title=f"{transfer.record.person.name}：由{source.name}{transfer.village.name}调往"
        f"{target_township.name}{transfer.target_village.name}",
        unit=source,
        county=_county(transfer.village),
        request=request,
    )
    transfer.save()
    _step(actor, transfer, "approve", f"{target_township.name}党委同意调入，报县委组织部审批", note, request)
    return transfer


@transaction.atomic
def transfer_return(*, actor, transfer: Transfer, reason: str, request=None) -> Transfer:
    transfer = _lock(Transfer, transfer.pk, (Transfer.PROPOSED,), "退回")
    target_township = transfer.target_village.parent
    _require_township(actor, transfer, "调入的同意", township=target_township)
    if not (reason or "").strip():
        raise ValidationError({"note": "退回时须说明理由。"})
    transfer.state, transfer.return_reason, transfer.returned_step = Transfer.RETURNED, reason.strip()[:500], TOWNSHIP
    transfer.save()
    _step(actor, transfer, "return", f"{target_township.name}党委退回", reason, request)
    return transfer


@transaction.atomic
def transfer_resubmit(*, actor, transfer: Transfer, reason: str, request=None) -> Transfer:
    transfer = _lock(Transfer, transfer.pk, (Transfer.RETURNED,), "重新提交")
    _require_township(actor, transfer, "调动")
    _require_in_pool(transfer.record, "重新提交")
    if not (reason or "").strip():
        raise ValidationError({"reason": "请说明调动原因。"})
    transfer.reason, transfer.state = reason.strip()[:500], Transfer.PROPOSED
    transfer.save()
    _step(actor, transfer, "resubmit", "修改后重新提交", reason, request)
    return transfer


@transaction.atomic
def transfer_withdraw(*, actor, transfer: Transfer, reason: str, request=None) -> Transfer:
    transfer = _lock(
        Transfer,
        transfer.pk,
        (Transfer.PROPOSED, Transfer.RETURNED),
        "撤回",
        {Transfer.TARGET_APPROVED: "该调动已报县委组织部审批，不能撤回；如需撤回，请联系县委组织部退回。"},
    )
    _require_township(actor, transfer, "调动")
    if not (reason or "").strip():
        raise ValidationError({"note": "撤回时须说明理由。"})
    _close(transfer, Transfer.WITHDRAWN, reason)
    transfer.save()
    _step(actor, transfer, "withdraw", "撤回调动", reason, request)
    return transfer


def transfer_file(*, actor, filing, request=None) -> Transfer | None:
    """Filing handler: the county approves; the move is made today (rosters of earlier dates stay as they were)."""
    pk = _subject_pk(filing, Transfer)
    if pk is None:
        return None
    transfer = _lock(
        Transfer,
        pk,
        (Transfer.TARGET_APPROVED,),
        "审批",
        {Transfer.PROPOSED: "调入乡镇尚未同意，县委组织部不能审批。"},
    )
    today = timezone.localdate()
    record_transfer(
        actor=actor,
        record=transfer.record,
        target=transfer.target_village,
        on=today,
        note=transfer.reason,
        request=request,
    )
    transfer.moved_on = today
    _close(transfer, Transfer.DONE, filing.decision_note)
    transfer.save()
    _step(actor, transfer, "file", "县委组织部审批同意，已调动", filing.decision_note, request, 日期=today)
    return transfer


def transfer_county_return(*, actor, filing, request=None) -> Transfer | None:
    pk = _subject_pk(filing, Transfer)
    if pk is None:
        return None
    transfer = _lock(Transfer, pk, (Transfer.TARGET_APPROVED,), "退回")
    transfer.state, transfer.return_reason, transfer.returned_step = Transfer.RETURNED, filing.decision_note, "county"
    transfer.save()
    _step(actor, transfer, "county_return", "县委组织部退回", filing.decision_note, request)
    return transfer
