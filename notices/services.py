"""Writes on notices, objections and the county calendar (keyword-only, atomic, audited), and the verdict that says
whether the step after a notice may start.

Callers read the county policy themselves (notices sits below reserves) and pass `working_days`,
`posting_day_counts` and `objection_blocks` in."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from notices.calendar import cn_date, count_working_days, library_knows, working_days_left
from notices.models import CalendarDay, Notice, NoticePlace, Objection
from notices.naming import place_name
from notices.pdf import DEFAULT_COLUMNS, NOTICE_TEMPLATE, notice_pdf_context, render_pdf
from org import roles
from org.attachments import attachment_save, sniff
from org.audit import audit
from org.models import Attachment, OrgUnit
from org.scope import get_scope
from org.verdict import Allowed, Denied, Verdict

EARLIEST = datetime.date(2000, 1, 1)
MAX_WORKING_DAYS = 60
MAX_ROWS = 500
MAX_COLUMNS = 20
MAX_COLUMN_CHARS = 20
MAX_CELL_CHARS = 200


def subject_of(obj) -> str:
    """The `subject` key of a model instance: "app.model:pk" (e.g. "selection.round:12")."""
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


def notices_for(subject: str, *, kind: str | None = None) -> QuerySet:
    """The notices of one subject, oldest first. Not scoped: views scope with `Notice.objects.for_user`."""
    qs = Notice.objects.filter(subject=subject).select_related("unit", "county")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("start", "id")


def can_write(user, notice: Notice) -> bool:
    return get_scope(user).has(roles.EDIT_PEOPLE, notice.unit)


def _require_writer(actor, unit: OrgUnit):
    if not get_scope(actor).has(roles.EDIT_PEOPLE, unit):
        raise ValidationError("您无权发布或处理该单位的公示。")


# --- notices ------------------------------------------------------------------------------------------------------


def _clean_table(rows, columns) -> tuple[list[dict], list[str], dict[str, str]]:
    """The table of names to store with a notice: (rows, columns, errors). Columns are distinct non-empty texts;
    rows are dicts whose keys are among the columns and whose values are text. Rows without columns take the
    default header (姓名/性别/出生年月/学历/政治面貌/村（社区）)."""
    errors: dict[str, str] = {}
    if rows is None:
        rows = []
    if columns is None:
        columns = list(DEFAULT_COLUMNS) if rows else []
    if not isinstance(columns, (list, tuple)) or not all(isinstance(c, str) for c in columns):
        return [], [], {"columns": "名单表头须为文字列表。"}
    columns = [c.strip() for c in columns]
    if any(not c for c in columns):
        errors["columns"] = "名单表头不能有空列。"
    elif any(len(c) > MAX_COLUMN_CHARS for c in columns):
        errors["columns"] = f"名单表头每列不能超过{MAX_COLUMN_CHARS}个字。"
    elif len(set(columns)) != len(columns):
        errors["columns"] = "名单表头有重复的列。"
    elif len(columns) > MAX_COLUMNS:
        errors["columns"] = f"名单表头不能超过{MAX_COLUMNS}列。"
    if not isinstance(rows, (list, tuple)):
        return [], [], errors | {"rows": "公示名单须为行的列表。"}
    if len(rows) > MAX_ROWS:
        return [], [], errors | {"rows": f"公示名单不能超过{MAX_ROWS}行（本次{len(rows)}行），请分批公示。"}
    known = set(columns)
    cleaned = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors["rows"] = f"公示名单第{i}行格式不正确。"
            break
        unknown = [k for k in row if not isinstance(k, str) or k not in known]
        if unknown:
            errors["rows"] = f"公示名单第{i}行有表头中没有的列“{unknown[0]}”。"
            break
        wrong = [k for k, v in row.items() if not isinstance(v, str)]
        if wrong:
            errors["rows"] = f"公示名单第{i}行“{wrong[0]}”一栏须为文字。"
            break
        long = [k for k, v in row.items() if len(v.strip()) > MAX_CELL_CHARS]
        if long:
            errors["rows"] = f"公示名单第{i}行“{long[0]}”一栏不能超过{MAX_CELL_CHARS}个字。"
            break
        cleaned.append({k: v.strip() for k, v in row.items()})
    return cleaned, columns, errors


@transaction.atomic
def notice_post(
    *,
    actor,
    kind: str,
    unit: OrgUnit,
    county: OrgUnit | None,
    subject: str,
    title: str,
    body: str,
    start: datetime.date,
    working_days: int,
    posting_day_counts: bool,
    places: list[tuple[OrgUnit | None, str]],
    contact: str = "",
    rows: list[dict[str, str]] | None = None,
    columns: list[str] | None = None,
    request=None,
) -> Notice:
    """Post a notice: the period (first day, end, estimated) is counted here on the county's calendar.

    `rows`/`columns` are the table of names printed under the body (e.g. 序号, 姓名, 性别, 出生年月, 学历, 政治面貌,
    村（社区）), stored as a snapshot so the PDF and the page always show what was posted. Every row's keys must be
    among the columns and every value text; at most 500 rows. Rows without columns take the default header."""
    _require_writer(actor, unit)
    errors: dict[str, str] = {}
    title, body, subject, contact = (title or "").strip(), (body or "").strip(), (subject or "").strip(), contact or ""
    if kind not in dict(Notice.KIND_CHOICES):
        errors["kind"] = "未知的公示类型。"
    if not subject:
        errors["subject"] = "缺少公示事项。"
    elif len(subject) > 60:
        errors["subject"] = "公示事项标识过长。"
    if not title:
        errors["title"] = "请填写公示标题。"
    elif len(title) > 120:
        errors["title"] = "公示标题不能超过120个字。"
    if not body:
        errors["body"] = "请填写公示正文。"
    if len(contact.strip()) > 120:
        errors["contact"] = "受理电话／地点不能超过120个字。"
    if not isinstance(start, datetime.date) or start < EARLIEST:
        errors["start"] = "张贴日期不能早于2000年1月1日。"
    if not isinstance(working_days, int) or working_days < 1:
        errors["working_days"] = "公示期至少为1个工作日。"
    elif working_days > MAX_WORKING_DAYS:
        errors["working_days"] = f"公示期不能超过{MAX_WORKING_DAYS}个工作日。"
    if county is not None and (county.level != roles.COUNTY or not unit.code.startswith(county.code)):
        errors["county"] = "发布单位不在该县。"
    area = county or unit
    cleaned_places = []
    for village, place in places or []:
        text = place_name(village, place) or (f"{village.name}公示栏" if village is not None else "")
        if not text:
            errors["places"] = "张贴地点不能为空。"
        elif len(text) > 120:
            errors["places"] = "张贴地点不能超过120个字。"
        elif village is not None and (village.level != roles.VILLAGE or not village.code.startswith(area.code)):
            errors["places"] = f"“{village.name}”不是本县（乡镇）的村（社区）。"
        cleaned_places.append((village, text))
    if not cleaned_places:
        errors["places"] = "请至少填写一个张贴地点。"
    rows, columns, table_errors = _clean_table(rows, columns)
    errors |= table_errors
    if errors:
        raise ValidationError(errors)

    period = count_working_days(start, working_days, county, posting_day_counts)
    notice = Notice.objects.create(
        kind=kind,
        unit=unit,
        county=county,
        subject=subject,
        title=title,
        body=body,
        start=start,
        working_days=working_days,
        posting_day_counts=posting_day_counts,
        first_day=period.first_day,
        end=period.end,
        estimated=period.estimated,
        contact=contact.strip(),
        columns=columns,
        rows=rows,
        created_by=actor,
    )
    NoticePlace.objects.bulk_create([NoticePlace(notice=notice, village=v, place=t) for v, t in cleaned_places])
    audit(
        actor,
        "notice.post",
        notice,
        unit=unit,
        changes={
            "kind": kind,
            "subject": subject,
            "start": str(start),
            "working_days": working_days,
            "first_day": str(period.first_day),
            "end": str(period.end),
            "estimated": period.estimated,
            "places": [t for _, t in cleaned_places],
            "rows": len(rows),
        },
        request=request,
    )
    return notice


def notice_verdict(notice: Notice, *, on: datetime.date, objection_blocks: bool = True) -> Verdict:
    """May the step after this notice start on `on`? Allowed once the period has run (the day after `end`), the
    end is exact, and (when `objection_blocks`) no objection is pending. Denied carries every reason in Chinese."""
    reasons: list[str] = []
    notes: list[str] = []
    if on <= notice.end:
        # Before day 1 every working day of the period is still to come (not the days before it).
        since = max(on, notice.first_day - datetime.timedelta(days=1))
        left = working_days_left(notice.end, since, notice.county)
        if left:
            reasons.append(f"公示期未满：还差 {left} 个工作日（至{cn_date(notice.end)}期满）")
        else:
            reasons.append(f"公示期未满：{cn_date(notice.end)}为公示期最后一天，期满后方可进行下一步")
    elif notice.estimated:
        years = sorted(
            {y for y in range(notice.start.year, notice.end.year + 1) if not library_knows(datetime.date(y, 7, 1))}
        )
        listed = "、".join(f"{y}年" for y in years) or "该年"
        reasons.append(
            f"公示期满日按周一至周五估算：请县委组织部先在“节假日安排”中录入{listed}的节假日安排，确认期满日后再进行下一步"
        )
    counts = notice.objections.aggregate(
        pending=Count("id", filter=Q(result=Objection.PENDING)),
        upheld=Count("id", filter=Q(result=Objection.UPHELD)),
    )
    if counts["pending"]:
        if objection_blocks:
            reasons.append(f"公示期内有 {counts['pending']} 条异议尚未处理完毕")
        else:
            notes.append(f"有 {counts['pending']} 条异议尚未处理完毕（按县级政策不阻止下一步）")
    if counts["upheld"]:
        notes.append(f"有 {counts['upheld']} 条异议经核查属实，请据此处理所涉人员")
    if reasons:
        return Denied(*reasons)
    return Allowed("公示期已满", *notes)


# --- objections ---------------------------------------------------------------------------------------------------

PURPOSE_RECEIVED = "异议材料"
PURPOSE_HANDLING = "核查材料"


def objection_owner(objection_or_pk) -> str:
    """The Attachment `owner` of an objection's files: "notices.objection:<pk>"."""
    pk = getattr(objection_or_pk, "pk", objection_or_pk)
    return f"notices.objection:{pk}"


def objection_attachments(objections) -> dict[int, list[Attachment]]:
    """The files of many objections in one query: {objection pk: [attachments, oldest first]}."""
    objections = list(objections)
    found: dict[int, list[Attachment]] = {o.pk: [] for o in objections}
    if not objections:
        return found
    by_owner = {objection_owner(o): o.pk for o in objections}
    for attachment in Attachment.objects.filter(owner__in=by_owner).order_by("uploaded_at", "id"):
        found[by_owner[attachment.owner]].append(attachment)
    return found


def _check_upload(upload, errors: dict[str, str]) -> None:
    """Put the Chinese reason an upload is refused (not a PDF or image by content, empty, over 10 MB) on `errors`."""
    if upload is None:
        return
    try:
        sniff(upload)
    except ValidationError as exc:
        errors["upload"] = "；".join(exc.messages)


@transaction.atomic
def objection_add(
    *,
    actor,
    notice: Notice,
    received_on: datetime.date,
    from_whom: str,
    about: str,
    content: str,
    upload=None,
    request=None,
) -> Objection:
    """Record an objection. It may arrive after the end (recorded as such); never before the notice was posted.

    `upload` (optional) is a file received with it, e.g. the letter: PDF or image by content, at most 10 MB, kept as
    an Attachment of the notice's unit owned by "notices.objection:<pk>". A refused file refuses the whole objection."""
    _require_writer(actor, notice.unit)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    content, from_whom, about = (content or "").strip(), (from_whom or "").strip(), (about or "").strip()
    if not content:
        errors["content"] = "请填写反映内容。"
    if received_on is None:
        errors["received_on"] = "请填写收到日期。"
    elif received_on < notice.start:
        errors["received_on"] = f"收到日期不能早于公示张贴日期（{cn_date(notice.start)}）。"
    elif received_on > today:
        errors["received_on"] = "收到日期不能晚于今天。"
    if len(from_whom) > 60:
        errors["from_whom"] = "反映人不能超过60个字。"
    if len(about) > 60:
        errors["about"] = "涉及对象不能超过60个字。"
    _check_upload(upload, errors)
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        notice=notice,
        received_on=received_on,
        from_whom=from_whom,
        about=about,
        content=content,
        created_by=actor,
    )
    audit(
        actor,
        "objection.add",
        objection,
        unit=notice.unit,
        changes={
            "notice": notice.pk,
            "received_on": str(received_on),
            "about": about,
            "after_end": received_on > notice.end,
            "upload": upload is not None,
        },
        request=request,
    )
    if upload is not None:
        attachment_save(
            actor=actor,
            unit=notice.unit,
            owner=objection_owner(objection),
            upload=upload,
            purpose=PURPOSE_RECEIVED,
            request=request,
        )
    return objection


@transaction.atomic
def objection_resolve(
    *,
    actor,
    objection: Objection,
    handling: str,
    result: str,
    resolved_on: datetime.date,
    upload=None,
    request=None,
) -> Objection:
    """Close an objection with how it was checked and the result. Twice is refused ("该异议已办结").

    `upload` (optional) is a file of the handling, e.g. the verification report, checked and kept as in
    `objection_add`; a refused file leaves the objection open."""
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    notice = Notice.objects.select_related("unit").get(pk=locked.notice_id)
    _require_writer(actor, notice.unit)
    if not locked.is_open:
        raise ValidationError("该异议已办结。")
    handling = (handling or "").strip()
    errors: dict[str, str] = {}
    if result not in (Objection.UPHELD, Objection.REJECTED):
        errors["result"] = "请选择处理结果。"
    if not handling:
        errors["handling"] = "请填写核查处理情况。"
    if resolved_on is None:
        errors["resolved_on"] = "请填写办结日期。"
    elif resolved_on < locked.received_on:
        errors["resolved_on"] = "办结日期不能早于收到日期。"
    elif resolved_on > timezone.localdate():
        errors["resolved_on"] = "办结日期不能晚于今天。"
    _check_upload(upload, errors)
    if errors:
        raise ValidationError(errors)
    locked.handling, locked.result, locked.resolved_on = handling, result, resolved_on
    locked.save(update_fields=["handling", "result", "resolved_on"])
    objection.handling, objection.result, objection.resolved_on = handling, result, resolved_on
    audit(
        actor,
        "objection.resolve",
        locked,
        unit=notice.unit,
        changes={"result": ["pending", result], "resolved_on": str(resolved_on), "upload": upload is not None},
        request=request,
    )
    if upload is not None:
        attachment_save(
            actor=actor,
            unit=notice.unit,
            owner=objection_owner(locked),
            upload=upload,
            purpose=PURPOSE_HANDLING,
            request=request,
        )
    return locked


# --- PDF ----------------------------------------------------------------------------------------------------------


def notice_pdf_export(
    *, actor, notice: Notice, rows=None, columns=None, issuer: str | None = None, request=None
) -> bytes:
    """The printable notice (A4), audited as an export. The table of names is the one stored when the notice was
    posted, unless the caller passes `rows` (and `columns`) of its own."""
    _require_writer(actor, notice.unit)
    if rows is None:
        rows = notice.rows
        if columns is None:
            columns = notice.columns
    pdf = render_pdf(NOTICE_TEMPLATE, notice_pdf_context(notice, rows=rows, columns=columns, issuer=issuer))
    audit(
        actor,
        "notice.pdf",
        notice,
        unit=notice.unit,
        changes={"rows": len(rows or []), "bytes": len(pdf)},
        request=request,
    )
    return pdf


# --- the county calendar ------------------------------------------------------------------------------------------


def _require_county_admin(actor, county: OrgUnit):
    if county.level != roles.COUNTY or not get_scope(actor).has(roles.MANAGE_POLICY, county):
        raise ValidationError("您无权设置该县的节假日安排。")


def _refresh_periods(*, actor, county: OrgUnit, date: datetime.date, request=None) -> int:
    """Recount the notices a calendar change can move: those whose span contains the date, and estimated ones that
    touch its year (entering a year makes it exact). Each change is audited. Returns how many moved."""
    affected = Notice.objects.filter(county=county).filter(
        Q(start__lte=date, end__gte=date) | Q(estimated=True, start__year__lte=date.year, end__year__gte=date.year)
    )
    moved = 0
    for notice in affected.select_related("unit").select_for_update(of=("self",)):
        period = count_working_days(notice.start, notice.working_days, county, notice.posting_day_counts)
        before = (notice.first_day, notice.end, notice.estimated)
        after = (period.first_day, period.end, period.estimated)
        if before == after:
            continue
        notice.first_day, notice.end, notice.estimated = after
        notice.save(update_fields=["first_day", "end", "estimated"])
        moved += 1
        audit(
            actor,
            "notice.recount",
            notice,
            unit=notice.unit,
            changes={
                "first_day": [str(before[0]), str(after[0])],
                "end": [str(before[1]), str(after[1])],
                "estimated": [before[2], after[2]],
                "because": str(date),
            },
            request=request,
        )
    return moved


@transaction.atomic
def calendar_day_add(
    *, actor, county: OrgUnit, date: datetime.date, kind: str, note: str = "", request=None
) -> CalendarDay:
    """A county's holiday or make-up working day. Notices whose period it moves are recounted (and audited)."""
    _require_county_admin(actor, county)
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if date is None or date < EARLIEST or date.year > 2100:
        errors["date"] = "请填写2000年至2100年之间的日期。"
    elif CalendarDay.objects.filter(county=county, date=date).exists():
        errors["date"] = f"{cn_date(date)}已有安排，如需修改请先删除原安排。"
    if kind not in dict(CalendarDay.KIND_CHOICES):
        errors["kind"] = "请选择类型。"
    if len(note) > 60:
        errors["note"] = "说明不能超过60个字。"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            day = CalendarDay.objects.create(county=county, date=date, kind=kind, note=note, created_by=actor)
    except IntegrityError:
        raise ValidationError({"date": f"{cn_date(date)}已有安排，如需修改请先删除原安排。"}) from None
    audit(
        actor,
        "calendar.add",
        day,
        unit=county,
        changes={"date": str(date), "kind": kind, "note": note},
        request=request,
    )
    _refresh_periods(actor=actor, county=county, date=date, request=request)
    return day


@transaction.atomic
def calendar_day_delete(*, actor, day: CalendarDay, request=None) -> None:
    county = OrgUnit.objects.get(pk=day.county_id)
    _require_county_admin(actor, county)
    date, kind, note = day.date, day.kind, day.note
    audit(
        actor,
        "calendar.delete",
        day,
        unit=county,
        changes={"date": str(date), "kind": kind, "note": note},
        request=request,
    )
    day.delete()
    _refresh_periods(actor=actor, county=county, date=date, request=request)
