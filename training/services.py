"""Writes for training events, enrolments and practice assignments: keyword-only, atomic, audited, refusing bad
input in Chinese before anything is written."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from org import roles
from org.audit import audit, audit_many, diff, snapshot
from org.models import OrgUnit
from org.scope import get_scope
from reserves.models import ReserveRecord
from training.models import (
    FORM_LABELS,
    PRACTICE_KIND_CHOICES,
    SHADOWING,
    Enrolment,
    PracticeAssignment,
    TrainingEvent,
    TrainingProgramme,
)

EVENT_FIELDS = ["form", "start", "end", "days", "content", "organiser", "programme"]
PROGRAMME_FIELDS = ["name", "year", "note"]
MIN_YEAR, MAX_YEAR = 2000, 2100
PRACTICE_FIELDS = ["kind", "content", "performance", "assessment", "start", "end"]


def _fmt(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _require(actor, perm, unit, message):
    if unit is None or not get_scope(actor).has(perm, unit):
        raise ValidationError(message)


def _clean_event(data: dict) -> dict:
    """Check and normalise the fields of an event; every refusal in Chinese, per field."""
    errors = {}
    form = data.get("form")
    if form not in FORM_LABELS:
        errors["form"] = "请选择培训方式。"
    start, end = data.get("start"), data.get("end")
    if not isinstance(start, datetime.date):
        errors["start"] = "请填写开始日期。"
    if not isinstance(end, datetime.date):
        errors["end"] = "请填写结束日期。"
    try:
        days = Decimal(str(data.get("days")))
        if not days.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        days = None
        errors["days"] = "请填写培训天数（可保留一位小数，如2.5）。"
    if days is not None:
        if days <= 0:
            errors["days"] = "培训天数须大于0。"
        elif days != days.quantize(Decimal("0.1")):
            errors["days"] = "培训天数最多保留一位小数（如2.5）。"
        elif days >= 1000:
            errors["days"] = "培训天数过大。"
    if "start" not in errors and "end" not in errors:
        if end < start:
            errors["end"] = "结束日期不能早于开始日期。"
        elif days is not None and "days" not in errors:
            calendar_days = (end - start).days + 1
            if days > calendar_days:
                errors["days"] = f"培训天数（{days.normalize():f}天）不能超过培训期间的日历天数（{calendar_days}天）。"
    content = (data.get("content") or "").strip()
    organiser = (data.get("organiser") or "").strip()
    if not content:
        errors["content"] = "请填写培训内容。"
    if not organiser:
        errors["organiser"] = "请填写主办单位。"
    if errors:
        raise ValidationError(errors)
    return {
        "form": form,
        "start": start,
        "end": end,
        "days": days.quantize(Decimal("0.1")),
        "content": content[:300],
        "organiser": organiser[:100],
        "programme": data.get("programme") or None,
    }


def _programme_refusal(actor, programme: TrainingProgramme | None, unit: OrgUnit, end: datetime.date) -> str | None:
    """Why a training of `unit` ending on `end` cannot be a session of `programme` (None when it can). A session is
    organised by the programme's unit or a unit under it, and ends in the programme's year (the rule counts a
    training in the year it ends)."""
    if programme is None:
        return None
    if not isinstance(programme, TrainingProgramme) or not (
        TrainingProgramme.objects.for_user(actor).filter(pk=programme.pk).exists()
    ):
        return "所选轮训班次不存在或不在您的管辖范围内。"
    programme = TrainingProgramme.objects.select_related("unit").get(pk=programme.pk)
    if not unit.code.startswith(programme.unit.code):
        return f"轮训班“{programme.name}”由{programme.unit.name}组织，{unit.name}的培训不能归入该轮训班。"
    if end.year != programme.year:
        return f"轮训班“{programme.name}”为{programme.year}年度，本期培训的结束日期须在{programme.year}年内。"
    return None


def _enrolment_refusal(record: ReserveRecord, event: TrainingEvent, actor) -> str | None:
    """Why `record` cannot be enrolled in `event` (None when it can)."""
    name = record.person.name
    scope = get_scope(actor)
    if not record.village.code.startswith(event.unit.code) or not scope.has(roles.EDIT_PEOPLE, record.village):
        return f"{name}不属于{event.unit.name}（或不在您的管辖范围内），不能报名本次培训。"
    if record.ended_on is not None and record.ended_on <= event.start:
        return f"{name}已于{_fmt(record.ended_on)}出库，不能报名此后的培训。"
    if record.entered_on > event.end:
        return f"{name}于{_fmt(record.entered_on)}入库，晚于培训结束日期，不能报名。"
    return None


def _stint_refusal(record: ReserveRecord, start: datetime.date, end: datetime.date | None) -> str | None:
    """Why a period cannot belong to the record's stint in the pool."""
    if record.ended_on is not None and record.ended_on <= start:
        return f"该后备干部已于{_fmt(record.ended_on)}出库，不能登记此后开始的培训或锻炼。"
    if end is not None and record.entered_on > end:
        return f"该后备干部于{_fmt(record.entered_on)}入库，所填期间在入库之前。"
    return None


# --- training events -----------------------------------------------------------------------------------------------


@transaction.atomic
def training_create(*, actor, unit: OrgUnit, data: dict, request=None) -> TrainingEvent:
    """Record a training event organised by a township or a county (enrol people with `enrol`)."""
    if unit is None or unit.level not in (roles.TOWNSHIP, roles.COUNTY):
        raise ValidationError({"unit": "组织单位须为乡镇或县。"})
    _require(actor, roles.EDIT_PEOPLE, unit, "您无权为该单位登记培训。")
    values = _clean_event(data)
    refusal = _programme_refusal(actor, values["programme"], unit, values["end"])
    if refusal:
        raise ValidationError({"programme": refusal})
    event = TrainingEvent.objects.create(unit=unit, created_by=actor, **values)
    audit(
        actor,
        "training.create",
        event,
        unit=unit,
        request=request,
        changes={
            "form": event.get_form_display(),
            "period": event.period,
            "days": str(event.days),
            "organiser": event.organiser,
        }
        | ({"programme": str(event.programme)} if event.programme_id else {}),
    )
    return event


@transaction.atomic
def training_update(*, actor, event: TrainingEvent, data: dict, request=None) -> TrainingEvent:
    event = TrainingEvent.objects.select_for_update(of=("self",)).select_related("unit").get(pk=event.pk)
    _require(actor, roles.EDIT_PEOPLE, event.unit, "您无权修改该培训。")
    values = _clean_event(data)
    refusal = _programme_refusal(actor, values["programme"], event.unit, values["end"])
    if refusal:
        raise ValidationError({"programme": refusal})
    before = snapshot(event, EVENT_FIELDS)
    for name, value in values.items():
        setattr(event, name, value)
    enrolled = Enrolment.objects.filter(event=event).select_related("record__person")
    bad = [
        e.record.person.name
        for e in enrolled
        if (e.record.ended_on is not None and e.record.ended_on <= event.start) or e.record.entered_on > event.end
    ]
    if bad:
        raise ValidationError(
            f"修改后的培训期间与以下参训人员的在库期间不符：{'、'.join(bad)}。请先取消其报名，或核对日期。"
        )
    event.save()
    changes = diff(event, before, EVENT_FIELDS)
    if changes:
        audit(actor, "training.update", event, unit=event.unit, request=request, changes=changes)
    return event


@transaction.atomic
def training_delete(*, actor, event: TrainingEvent, request=None) -> None:
    event = TrainingEvent.objects.select_for_update(of=("self",)).select_related("unit").get(pk=event.pk)
    _require(actor, roles.EDIT_PEOPLE, event.unit, "您无权删除该培训。")
    names = list(event.enrolments.values_list("record__person__name", flat=True))
    audit(
        actor,
        "training.delete",
        event,
        unit=event.unit,
        request=request,
        changes={"training": str(event), "period": event.period, "enrolled": "、".join(names)},
    )
    event.enrolments.all().delete()
    event.delete()


@transaction.atomic
def enrol(*, actor, event: TrainingEvent, records, request=None) -> list[Enrolment]:
    """Enrol many records at once, all or nothing: one refusal (outside the unit, ended, entered later, already
    enrolled) refuses the whole batch with every reason."""
    event = TrainingEvent.objects.select_for_update(of=("self",)).select_related("unit").get(pk=event.pk)
    if event.is_individual:
        raise ValidationError("这是个人培训记录，不能再添加参训人员。")
    ids = [r.pk for r in records]
    if not ids:
        raise ValidationError("请至少勾选一名后备干部。")
    if len(set(ids)) != len(ids):
        raise ValidationError("同一名后备干部被重复勾选。")
    rows = list(ReserveRecord.objects.filter(pk__in=ids).select_related("person", "village").order_by("pk"))
    if len(rows) != len(ids):
        raise ValidationError("所选后备干部中有记录不存在，请刷新页面后重试。")
    problems = [reason for r in rows if (reason := _enrolment_refusal(r, event, actor))]
    already = set(Enrolment.objects.filter(event=event, record_id__in=ids).values_list("record_id", flat=True))
    problems += [f"{r.person.name}已报名本次培训，不能重复报名。" for r in rows if r.pk in already]
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            created = Enrolment.objects.bulk_create([Enrolment(event=event, record=r, created_by=actor) for r in rows])
    except IntegrityError:
        raise ValidationError("部分人员已由他人同时报名本次培训，请刷新页面后重试。")
    audit_many(
        actor,
        "training.enrol",
        [(r, r.village, {"training": str(event), "period": event.period, "event_id": event.pk}) for r in rows],
        request=request,
    )
    return created


@transaction.atomic
def unenrol(*, actor, enrolment: Enrolment, request=None) -> None:
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("event", "record__village", "record__person")
        .get(pk=enrolment.pk)
    )
    record = enrolment.record
    _require(actor, roles.EDIT_PEOPLE, record.village, "您无权取消该人员的报名。")
    event = enrolment.event
    if event.is_individual:
        raise ValidationError("这是个人培训记录，请直接删除该培训。")
    enrolment.delete()
    audit(
        actor,
        "training.unenrol",
        record,
        unit=record.village,
        request=request,
        changes={"training": str(event), "period": event.period, "event_id": event.pk},
    )


@transaction.atomic
def training_record_single(*, actor, record: ReserveRecord, data: dict, request=None) -> TrainingEvent:
    """One person's own training: an event of the record's township with that single enrolment."""
    record = ReserveRecord.objects.select_for_update(of=("self",)).select_related("village", "person").get(pk=record.pk)
    _require(actor, roles.EDIT_PEOPLE, record.village, "您无权为该后备干部登记培训。")
    values = _clean_event(data)
    refusal = _stint_refusal(record, values["start"], values["end"])
    if refusal:
        raise ValidationError(refusal)
    township = OrgUnit.objects.filter(pk=record.village.parent_id).first() or record.village
    refusal = _programme_refusal(actor, values["programme"], township, values["end"])
    if refusal:
        raise ValidationError({"programme": refusal})
    event = TrainingEvent.objects.create(unit=township, is_individual=True, created_by=actor, **values)
    Enrolment.objects.create(event=event, record=record, created_by=actor)
    audit(
        actor,
        "training.single",
        record,
        unit=record.village,
        request=request,
        changes={
            "training": str(event),
            "form": event.get_form_display(),
            "period": event.period,
            "days": str(event.days),
            "event_id": event.pk,
        }
        | ({"programme": str(event.programme)} if event.programme_id else {}),
    )
    return event


# --- 轮训 programmes -------------------------------------------------------------------------------------------------


def _clean_programme(data: dict) -> dict:
    errors = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = "请填写轮训班名称。"
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        errors["year"] = f"请填写{MIN_YEAR}至{MAX_YEAR}之间的年度。"
    if errors:
        raise ValidationError(errors)
    return {"name": name[:100], "year": year, "note": (data.get("note") or "").strip()[:300]}


def _same_name_refusal(unit, values, exclude_pk=None) -> None:
    same = TrainingProgramme.objects.filter(unit=unit, year=values["year"], name=values["name"])
    if exclude_pk:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise ValidationError({"name": f"{unit.name}{values['year']}年度已有同名轮训班，请换一个名称。"})


@transaction.atomic
def programme_create(*, actor, unit: OrgUnit, data: dict, request=None) -> TrainingProgramme:
    """A 轮训 programme of a township or a county; its sessions are training events that name it."""
    if unit is None or unit.level not in (roles.TOWNSHIP, roles.COUNTY):
        raise ValidationError({"unit": "组织单位须为乡镇或县。"})
    _require(actor, roles.EDIT_PEOPLE, unit, "您无权为该单位登记轮训班。")
    values = _clean_programme(data)
    _same_name_refusal(unit, values)
    try:
        with transaction.atomic():
            programme = TrainingProgramme.objects.create(unit=unit, created_by=actor, **values)
    except IntegrityError:
        raise ValidationError({"name": f"{unit.name}{values['year']}年度已有同名轮训班，请换一个名称。"})
    audit(
        actor,
        "training.programme_create",
        programme,
        unit=unit,
        request=request,
        changes={"name": programme.name, "year": programme.year},
    )
    return programme


@transaction.atomic
def programme_update(*, actor, programme: TrainingProgramme, data: dict, request=None) -> TrainingProgramme:
    programme = TrainingProgramme.objects.select_for_update(of=("self",)).select_related("unit").get(pk=programme.pk)
    _require(actor, roles.EDIT_PEOPLE, programme.unit, "您无权修改该轮训班。")
    values = _clean_programme(data)
    _same_name_refusal(programme.unit, values, exclude_pk=programme.pk)
    if values["year"] != programme.year:
        # Every session must end in the programme's year: a year that would orphan sessions is refused.
        other = programme.sessions.exclude(end__year=values["year"]).order_by("start").first()
        if other is not None:
            raise ValidationError({"year": f"已有一期培训（{other.period}）不在{values['year']}年内，不能改为该年度。"})
    before = snapshot(programme, PROGRAMME_FIELDS)
    for name, value in values.items():
        setattr(programme, name, value)
    programme.save()
    changes = diff(programme, before, PROGRAMME_FIELDS)
    if changes:
        audit(actor, "training.programme_update", programme, unit=programme.unit, request=request, changes=changes)
    return programme


@transaction.atomic
def programme_delete(*, actor, programme: TrainingProgramme, request=None) -> None:
    """Only an empty programme goes: deleting one with sessions would change who met the 轮训 rule."""
    programme = TrainingProgramme.objects.select_for_update(of=("self",)).select_related("unit").get(pk=programme.pk)
    _require(actor, roles.EDIT_PEOPLE, programme.unit, "您无权删除该轮训班。")
    n = programme.sessions.count()
    if n:
        raise ValidationError(f"该轮训班已有{n}期培训，不能删除；请先在各期培训中取消“所属轮训班次”或删除这些培训。")
    audit(
        actor,
        "training.programme_delete",
        programme,
        unit=programme.unit,
        request=request,
        changes={"name": programme.name, "year": programme.year},
    )
    programme.delete()


# --- practice (实践锻炼) ------------------------------------------------------------------------------------


def _clean_practice(data: dict) -> dict:
    errors = {}
    kind = data.get("kind")
    if kind not in dict(PRACTICE_KIND_CHOICES):
        errors["kind"] = "请选择锻炼类型。"
    start, end = data.get("start"), data.get("end")
    if not isinstance(start, datetime.date):
        errors["start"] = "请填写开始日期。"
    elif end is not None and end < start:
        errors["end"] = "结束日期不能早于开始日期。"
    content = (data.get("content") or "").strip()
    if not content:
        errors["content"] = "请填写具体内容。"
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "content": content[:300],
        "performance": (data.get("performance") or "").strip()[:500],
        "assessment": (data.get("assessment") or "").strip()[:300],
        "start": start,
        "end": end,
    }


def _shadowing_overlap(record, values, exclude_pk=None) -> str | None:
    if values["kind"] != SHADOWING:
        return None
    start, end = values["start"], values["end"]
    overlapping = PracticeAssignment.objects.filter(record=record, kind=SHADOWING).filter(
        Q(end__isnull=True) | Q(end__gte=start)
    )
    if end is not None:
        overlapping = overlapping.filter(start__lte=end)
    if exclude_pk:
        overlapping = overlapping.exclude(pk=exclude_pk)
    other = overlapping.order_by("start").first()
    if other is not None:
        return f"与已登记的跟班学习（{other.period}）时间重叠，请合并为一条或调整日期。"
    return None


@transaction.atomic
def practice_add(*, actor, record: ReserveRecord, data: dict, request=None) -> PracticeAssignment:
    # Lock the record: two shadowing entries saved at once must not both pass the overlap check.
    record = ReserveRecord.objects.select_for_update(of=("self",)).select_related("village", "person").get(pk=record.pk)
    _require(actor, roles.EDIT_PEOPLE, record.village, "您无权为该后备干部登记实践锻炼。")
    values = _clean_practice(data)
    refusal = _stint_refusal(record, values["start"], values["end"]) or _shadowing_overlap(record, values)
    if refusal:
        raise ValidationError(refusal)
    assignment = PracticeAssignment.objects.create(record=record, created_by=actor, **values)
    audit(
        actor,
        "practice.create",
        record,
        unit=record.village,
        request=request,
        changes={
            "kind": assignment.get_kind_display(),
            "content": assignment.content,
            "period": assignment.period,
            "practice_id": assignment.pk,
        },
    )
    return assignment


@transaction.atomic
def practice_update(*, actor, assignment: PracticeAssignment, data: dict, request=None) -> PracticeAssignment:
    assignment = PracticeAssignment.objects.select_related("record__village").get(pk=assignment.pk)
    record = (
        ReserveRecord.objects.select_for_update(of=("self",)).select_related("village").get(pk=assignment.record_id)
    )
    _require(actor, roles.EDIT_PEOPLE, record.village, "您无权修改该实践锻炼记录。")
    values = _clean_practice(data)
    refusal = _stint_refusal(record, values["start"], values["end"]) or _shadowing_overlap(
        record, values, exclude_pk=assignment.pk
    )
    if refusal:
        raise ValidationError(refusal)
    before = snapshot(assignment, PRACTICE_FIELDS)
    for name, value in values.items():
        setattr(assignment, name, value)
    assignment.save()
    changes = diff(assignment, before, PRACTICE_FIELDS)
    if changes:
        audit(
            actor,
            "practice.update",
            record,
            unit=record.village,
            request=request,
            changes=changes | {"practice_id": assignment.pk},
        )
    return assignment


@transaction.atomic
def practice_delete(*, actor, assignment: PracticeAssignment, request=None) -> None:
    assignment = PracticeAssignment.objects.select_related("record__village").get(pk=assignment.pk)
    record = assignment.record
    _require(actor, roles.EDIT_PEOPLE, record.village, "您无权删除该实践锻炼记录。")
    audit(
        actor,
        "practice.delete",
        record,
        unit=record.village,
        request=request,
        changes={"kind": assignment.get_kind_display(), "content": assignment.content, "period": assignment.period},
    )
    assignment.delete()
