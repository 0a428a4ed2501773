"""Writes on mentoring entries and talks. Keyword-only, atomic, audited here; refusals in Chinese change nothing.

Who may write: township and county users (EDIT_PEOPLE on the reserve's village); a mentor account for the reserves
paired with it (entries on its own pairings; talks of the mentor kinds with its paired reserves); a village party
secretary for their own village's reserves (ordinary talks, 经常性谈心谈话, QL §15).

Quarterly entries are asked for only where the county's policy has quarter_mentoring_on: elsewhere a new entry is
refused (existing ones stay editable, they are history)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from org import roles
from org.audit import audit, audit_many
from org.models import Membership, OrgUnit, User
from org.scope import get_scope
from reserves.compliance import quarter_bounds
from reserves.models import MentorPairing, ReserveRecord
from reserves.policy import county_of, policy_in_force

from .models import KIND_LABELS, MENTOR_KINDS, VILLAGE_KINDS, MentoringEntry, Talk, TalkParticipant, mentor_label
from .rules import cn_date, off_text, quarter_label

CONTENT_MAX = 2000
ASSESSMENT_MAX = 500
NOTES_MAX = 4000


def can_write_pairing(actor, pairing: MentorPairing, today: datetime.date | None = None) -> bool:
    """Township/county editors of the reserve's village, or the pairing's own mentor while it is current."""
    scope = get_scope(actor)
    if scope.has(roles.EDIT_PEOPLE, pairing.record.village):
        return True
    today = today or timezone.localdate()
    return (
        scope.has(roles.MENTOR)
        and pairing.mentor_user_id == actor.pk
        and pairing.start <= today
        and (pairing.end is None or pairing.end > today)
    )


def policy_of(unit: OrgUnit, on: datetime.date):
    """The version in force on `on` for the county of a village or township (None without one)."""
    county = county_of(unit)
    return policy_in_force(county, on) if county is not None else None


def entries_asked(unit: OrgUnit, year: int, quarter: int, today: datetime.date | None = None) -> bool:
    """The county of `unit` asks for QS's quarterly 结对帮扶情况 for that quarter (the version in force at its end,
    or today while it runs)."""
    today = today or timezone.localdate()
    policy = policy_of(unit, min(quarter_bounds(year, quarter)[1], today))
    return policy is not None and policy.quarter_mentoring_on


def _check_entry(pairing: MentorPairing, *, year: int, quarter: int, date, content: str, today: datetime.date):
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "请选择季度（第一至第四季度）。"})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "请填写正确的年度。"})
    start, end = quarter_bounds(year, quarter)
    period = quarter_label(year, quarter)
    if start > today:
        raise ValidationError({"quarter": f"{period}尚未开始，不能提前填写。"})
    if date is None:
        raise ValidationError({"date": "请填写帮扶时间。"})
    if not start <= date <= end:
        raise ValidationError({"date": f"帮扶时间{cn_date(date)}不在{period}内（{cn_date(start)}至{cn_date(end)}）。"})
    if date > today:
        raise ValidationError({"date": "帮扶时间不能晚于今天。"})
    if date < pairing.start:
        raise ValidationError({"date": f"帮扶时间不能早于结对开始日期{cn_date(pairing.start)}。"})
    if pairing.end is not None and date >= pairing.end:
        raise ValidationError({"date": f"该结对已于{cn_date(pairing.end)}结束，帮扶时间须在此之前。"})
    record = pairing.record
    if record.ended_on is not None and date >= record.ended_on:
        raise ValidationError({"date": f"该后备干部已于{cn_date(record.ended_on)}出库，帮扶时间须在此之前。"})
    if not content.strip():
        raise ValidationError({"content": "请填写帮扶内容。"})
    if len(content.strip()) > CONTENT_MAX:
        raise ValidationError({"content": f"帮扶内容不能超过{CONTENT_MAX}字。"})


def _lock_pairing(pairing: MentorPairing) -> MentorPairing:
    return (
        MentorPairing.objects.select_for_update(of=("self",))
        .select_related("record__village", "record__person", "mentor_user")
        .get(pk=pairing.pk)
    )


def _clean_assessment(assessment: str) -> str:
    assessment = (assessment or "").strip()
    if len(assessment) > ASSESSMENT_MAX:
        raise ValidationError({"assessment": f"评定意见不能超过{ASSESSMENT_MAX}字。"})
    return assessment


@transaction.atomic
def entry_create(
    *,
    actor,
    pairing: MentorPairing,
    year: int,
    quarter: int,
    date: datetime.date,
    content: str,
    assessment: str = "",
    today: datetime.date | None = None,
    request=None,
) -> MentoringEntry:
    """Record one quarter's 结对帮扶情况 for a pairing; a second entry for the same quarter is refused (edit it)."""
    today = today or timezone.localdate()
    pairing = _lock_pairing(pairing)
    if not can_write_pairing(actor, pairing, today):
        raise ValidationError("您无权为该后备干部填写帮扶情况。")
    _check_entry(pairing, year=year, quarter=quarter, date=date, content=content, today=today)
    if not entries_asked(pairing.record.village, year, quarter, today):
        raise ValidationError(off_text("entry") + "无需填写。")
    assessment = _clean_assessment(assessment)
    if MentoringEntry.objects.filter(pairing=pairing, year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": f"{quarter_label(year, quarter)}已填写过该结对的帮扶情况，请修改原记录。"})
    try:
        with transaction.atomic():
            entry = MentoringEntry.objects.create(
                pairing=pairing,
                year=year,
                quarter=quarter,
                date=date,
                content=content.strip(),
                assessment=assessment,
                created_by=actor,
            )
    except IntegrityError as exc:  # the same quarter saved concurrently
        raise ValidationError(
            {"quarter": f"{quarter_label(year, quarter)}已填写过该结对的帮扶情况，请修改原记录。"}
        ) from exc
    audit(
        actor,
        "mentoring.entry_create",
        entry,
        unit=pairing.record.village,
        request=request,
        changes={
            "record": str(pairing.record),
            "quarter": quarter_label(year, quarter),
            "date": str(date),
            "mentor": mentor_label(pairing),
        },
    )
    return entry


@transaction.atomic
def entry_update(
    *,
    actor,
    entry: MentoringEntry,
    date: datetime.date,
    content: str,
    assessment: str = "",
    today: datetime.date | None = None,
    request=None,
) -> MentoringEntry:
    """Change an entry's date, content or assessment (its pairing and quarter stay)."""
    today = today or timezone.localdate()
    entry = MentoringEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    pairing = _lock_pairing(entry.pairing)
    if not can_write_pairing(actor, pairing, today):
        raise ValidationError("您无权修改该帮扶情况。")
    _check_entry(pairing, year=entry.year, quarter=entry.quarter, date=date, content=content, today=today)
    assessment = _clean_assessment(assessment)
    before = {"date": str(entry.date), "content": entry.content, "assessment": entry.assessment}
    entry.date, entry.content, entry.assessment = date, content.strip(), assessment
    after = {"date": str(entry.date), "content": entry.content, "assessment": entry.assessment}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return entry
    entry.save(update_fields=["date", "content", "assessment", "updated_at"])
    audit(
        actor,
        "mentoring.entry_update",
        entry,
        unit=pairing.record.village,
        request=request,
        changes=changes | {"quarter": quarter_label(entry.year, entry.quarter)},
    )
    return entry


class BulkEntryError(ValidationError):
    """Refusals of a bulk save, by pairing id; nothing was saved."""

    def __init__(self, errors: dict[int, ValidationError]):
        self.errors = errors
        super().__init__(f"有 {len(errors)} 行未通过检查。")


@transaction.atomic
def entries_bulk_create(
    *,
    actor,
    year: int,
    quarter: int,
    rows: list[dict],
    today: datetime.date | None = None,
    request=None,
) -> list[MentoringEntry]:
    """The township's quarterly sheet: one entry per row ({pairing, date, content, assessment}), all or nothing."""
    created, errors = [], {}
    for row in rows:
        try:
            with transaction.atomic():
                created.append(
                    entry_create(
                        actor=actor,
                        pairing=row["pairing"],
                        year=year,
                        quarter=quarter,
                        date=row.get("date"),
                        content=row.get("content") or "",
                        assessment=row.get("assessment") or "",
                        today=today,
                        request=request,
                    )
                )
        except ValidationError as exc:
            errors[row["pairing"].pk] = exc
    if errors:
        raise BulkEntryError(errors)
    return created


# --- talks -------------------------------------------------------------------------------------------------------


def is_village_secretary(actor, village: OrgUnit) -> bool:
    """The party secretary of this village (a village_secretary membership on it, with the view grant)."""
    return (
        get_scope(actor).has(roles.VIEW, village)
        and Membership.objects.filter(user_id=actor.pk, unit=village, role="village_secretary").exists()
    )


def secretary_villages(actor) -> list[OrgUnit]:
    """The villages whose party secretary the actor is (usually one)."""
    scope = get_scope(actor)
    units = OrgUnit.objects.filter(
        level=roles.VILLAGE, memberships__user_id=actor.pk, memberships__role="village_secretary"
    ).distinct()
    return [v for v in units if scope.has(roles.VIEW, v)]


def mentor_may_talk_with(actor, record: ReserveRecord, on: datetime.date, today: datetime.date) -> bool:
    """The mentor is paired with the record on the talk date and still today (so the record is visible to them)."""
    paired = MentorPairing.objects.filter(record=record, mentor_user_id=actor.pk)
    return paired.current(on).exists() and paired.current(today).exists()


@transaction.atomic
def talk_create(
    *,
    actor,
    kind: str,
    date: datetime.date,
    records,
    notes: str,
    held_by_user=None,
    held_by_name: str = "",
    held_by_post: str = "",
    today: datetime.date | None = None,
    request=None,
) -> Talk:
    """Record one talk with one or many reserves (bulk: a township's collective or full-coverage talk)."""
    today = today or timezone.localdate()
    scope = get_scope(actor)
    if kind not in KIND_LABELS:
        raise ValidationError({"kind": "请选择谈话类型。"})
    if date is None:
        raise ValidationError({"date": "请填写谈话日期。"})
    if date > today:
        raise ValidationError({"date": "谈话日期不能晚于今天。"})
    held_by_name = (held_by_name or "").strip()
    held_by_post = (held_by_post or "").strip()
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "请填写谈话内容。"})
    if len(notes) > NOTES_MAX:
        raise ValidationError({"notes": f"谈话内容不能超过{NOTES_MAX}字。"})
    ids = sorted({r.pk for r in records})
    if not ids:
        raise ValidationError({"records": "请至少选择一名谈话对象。"})
    locked = list(
        ReserveRecord.objects.select_for_update(of=("self",))
        .select_related("village", "person")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise ValidationError({"records": "所选谈话对象有误，请刷新页面后重试。"})
    townships = {r.village.code[:9] for r in locked}
    if len(townships) > 1:
        raise ValidationError({"records": "一次谈话的对象须属于同一乡镇（街道）。"})
    unit = OrgUnit.objects.filter(code=townships.pop(), level=roles.TOWNSHIP).order_by("-valid_from").first()
    if unit is None:
        raise ValidationError({"records": "未找到谈话对象所在的乡镇（街道）。"})
    editor = all(scope.has(roles.EDIT_PEOPLE, r.village) for r in locked)
    villages = {r.village_id: r.village for r in locked}
    secretary = not editor and all(is_village_secretary(actor, v) for v in villages.values())
    if secretary:
        # QL §15: the village talks with its own reserves; the township's talks stay the township's.
        if kind not in VILLAGE_KINDS:
            allowed = "、".join(KIND_LABELS[k] for k in VILLAGE_KINDS)
            raise ValidationError({"kind": f"村（社区）党组织书记只能登记{allowed}。"})
        if held_by_user is not None and held_by_user.pk != actor.pk:
            raise ValidationError({"held_by_user": "村（社区）党组织书记只能登记本人的谈话。"})
        held_by_user, held_by_name = actor, ""
    elif not editor:
        if not scope.has(roles.MENTOR):
            raise ValidationError("您无权为这些后备干部登记谈话。")
        if kind not in MENTOR_KINDS:
            allowed = "、".join(KIND_LABELS[k] for k in MENTOR_KINDS)
            raise ValidationError({"kind": f"帮带干部只能登记{allowed}。"})
        strangers = [r.person.name for r in locked if not mentor_may_talk_with(actor, r, date, today)]
        if strangers:
            raise ValidationError({"records": f"{'、'.join(strangers)}在谈话日期未与您结对。"})
        if held_by_user is not None and held_by_user.pk != actor.pk:
            raise ValidationError({"held_by_user": "帮带干部只能登记本人的谈话。"})
        held_by_user, held_by_name = actor, ""  # a mentor records their own talks
    if held_by_user is not None and held_by_name:
        raise ValidationError({"held_by_name": "谈话人请选择账号或填写姓名，二选一。"})
    if held_by_user is None and not held_by_name:
        raise ValidationError({"held_by_name": "请选择谈话人账号，或填写谈话人姓名。"})
    if held_by_user is not None and not held_by_user.is_active:
        raise ValidationError({"held_by_user": "所选谈话人账号已停用。"})
    outside = [r.person.name for r in locked if r.entered_on > date or (r.ended_on is not None and r.ended_on <= date)]
    if outside:
        raise ValidationError({"records": f"{'、'.join(outside)}在{cn_date(date)}不在库，不能作为谈话对象。"})
    talk = Talk.objects.create(
        kind=kind,
        date=date,
        unit=unit,
        held_by_user=held_by_user,
        held_by_name=held_by_name,
        held_by_post=held_by_post,
        notes=notes,
        created_by=actor,
    )
    TalkParticipant.objects.bulk_create([TalkParticipant(talk=talk, record=r) for r in locked])
    audit(
        actor,
        "mentoring.talk_create",
        talk,
        unit=unit,
        request=request,
        changes={
            "kind": KIND_LABELS[kind],
            "date": str(date),
            "held_by": talk.held_by_label,
            "participants": len(locked),
        },
    )
    # One entry per reserve too, so each person's history shows the talk.
    audit_many(
        actor,
        "mentoring.talk_participant",
        [(r, r.village, {"talk": str(talk), "talk_id": talk.pk}) for r in locked],
        request=request,
    )
    return talk


def can_delete_talk(actor, talk: Talk) -> bool:
    """The township and county; a mentor or a village secretary for the talks of their kinds they recorded."""
    scope = get_scope(actor)
    if scope.has(roles.EDIT_PEOPLE, talk.unit):
        return True
    if talk.created_by_id != actor.pk:
        return False
    return (scope.has(roles.MENTOR) and talk.kind in MENTOR_KINDS) or (
        talk.kind in VILLAGE_KINDS and bool(secretary_villages(actor))
    )


@transaction.atomic
def talk_delete(*, actor, talk: Talk, reason: str, request=None) -> None:
    """Remove a talk recorded by mistake (the audit log keeps what it was and why it went)."""
    talk = Talk.objects.select_for_update(of=("self",)).select_related("unit", "held_by_user").get(pk=talk.pk)
    if not can_delete_talk(actor, talk):
        raise ValidationError("您无权删除该谈话记录。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请说明删除原因。"})
    names = list(talk.participants.values_list("record__person__name", flat=True))
    audit(
        actor,
        "mentoring.talk_delete",
        talk,
        unit=talk.unit,
        request=request,
        changes={
            "kind": talk.get_kind_display(),
            "date": str(talk.date),
            "held_by": talk.held_by_label,
            "participants": "、".join(names),
            "notes": talk.notes[:200],
            "reason": reason[:200],
        },
    )
    talk.delete()


def users_who_may_hold(unit: OrgUnit):
    """Accounts that may be picked as 谈话人 for a talk in `unit`'s township: members of the township or below."""
    return (
        User.objects.filter(is_active=True, memberships__unit__code__startswith=unit.code[:9])
        .distinct()
        .order_by("display_name", "username")
    )
