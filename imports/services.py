"""Upload (read, validate, keep for preview), confirm (validate again, write all rows or none), discard, purge.

Rows are validated by imports.resources.PersonResource both times: at upload with nothing written, at confirmation
inside one transaction that also opens the reserve records and writes the audit entries. If anything differs from the
preview the user saw (a row now fails, or would now be an update instead of new), the transaction is rolled back and
the batch shows the new preview instead."""

import datetime
import logging
import os
from dataclasses import dataclass

import tablib
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from imports import parser
from imports.models import PREVIEW_HOURS, ImportBatch
from imports.resources import ROW_KEY, PersonResource, RowInfo
from org import roles
from org.audit import audit, audit_many, diff
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C
from reserves.models import Person, ReservePlacement, ReserveRecord

log = logging.getLogger(__name__)
TYPES = dict(C.RESERVE_TYPE_CHOICES)
PERSON_FIELDS = Person.EDITABLE_FIELDS


@dataclass
class Outcome:
    rows: list[dict]  # as stored in ImportBatch.preview
    infos: list[RowInfo]
    failure: str = ""  # an error of the import as a whole (a write refused by the database)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r["status"] == status)

    @property
    def records(self) -> int:
        return sum(1 for r in self.rows if r["status"] != "error" and r["record"] == "open")

    @property
    def signature(self) -> list:
        return signature(self.rows)


def signature(rows: list[dict]) -> list:
    """What confirming does to each row; must equal the preview's for a confirmation to go through."""
    return [[r["line"], r["status"], r["record"], r.get("reserve_type", "")] for r in rows]


def _require(actor, unit: OrgUnit):
    if not get_scope(actor).has(roles.EDIT_PEOPLE, unit):
        raise ValidationError({"unit": "您无权向该单位导入人员。"})


def run(*, actor, unit: OrgUnit, options: dict, sheet: parser.ParsedSheet, write: bool) -> Outcome:
    """Validate every row (and, with write=True, save them through the resource's bulk writes)."""
    lines = [line for line, _ in sheet.rows]
    dataset = tablib.Dataset(*[tuple(values) for _, values in sheet.rows], headers=sheet.headers)
    resource = PersonResource(actor=actor, unit=unit, options=options, lines=lines, write=write)
    result = resource.import_data(
        dataset,
        dry_run=not write,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
    )
    rows, infos = [], []
    for number, row_result in enumerate(result.rows, start=1):
        info = resource.info.get(number) or RowInfo(line=lines[number - 1])
        errors = []
        if row_result.validation_error is not None:
            errors = [[col, " ".join(msgs)] for col, msgs in row_result.validation_error.message_dict.items()]
        elif row_result.errors:
            log.error(
                "import row %s failed: %s", info.line, row_result.errors[0].error, exc_info=row_result.errors[0].error
            )
            errors = [[ROW_KEY, "系统无法处理这一行（内部错误），请联系管理员。"]]
        status = "error" if errors else ("new" if row_result.import_type == "new" else "update")
        rows.append(
            {
                "line": info.line,
                "status": status,
                "name": info.name,
                "village": info.village,
                "id": info.id_masked,
                "errors": errors,
                "notes": info.notes,
                "changes": info.changes,
                "record": info.record if status != "error" else "",
                "reserve_type": info.reserve_type if status != "error" else "",
                "entered_on": info.entered_on if status != "error" else "",
                "record_note": info.record_note if status != "error" else "",
            }
        )
        infos.append(info)
    failure = ""
    if result.base_errors:
        log.warning("import write refused: %s", result.base_errors[0].error)
        failure = "导入时与他人的操作冲突（可能有人同时录入了相同的人员），未导入任何数据；请重新上传预览。"
    return Outcome(rows=rows, infos=infos, failure=failure)


def _counts(batch: ImportBatch, outcome: Outcome):
    batch.preview = outcome.rows
    batch.rows = len(outcome.rows)
    batch.new_count = outcome.count("new")
    batch.update_count = outcome.count("update")
    batch.error_count = outcome.count("error")
    batch.record_count = outcome.records


def purge_expired(now=None, limit: int = 200) -> int:
    """Drop the file and the cells of batches past their expiry (the row stays: who, when, which file, counts)."""
    now = now or timezone.now()
    stale = list(
        ImportBatch.objects.filter(expires_at__lte=now).exclude(file="", data={}).order_by("expires_at")[:limit]
    )
    for batch in stale:
        if batch.file:
            batch.file.delete(save=False)
        batch.data = {}
        if batch.state == ImportBatch.PREVIEW:
            batch.state = ImportBatch.EXPIRED
        batch.save(update_fields=["file", "data", "state"])
    return len(stale)


def batch_upload(*, actor, unit: OrgUnit, upload, options: dict, request=None) -> ImportBatch:
    """Read and check an uploaded file and keep it with its preview. Nothing is written to people or records."""
    _require(actor, unit)
    if not unit.is_current:
        raise ValidationError({"unit": f"{unit.name}已撤销，请选择现在的单位。"})
    purge_expired()
    name = os.path.basename(upload.name or "")[:200] or "导入.xlsx"
    data = b""
    try:
        if upload.size > parser.MAX_UPLOAD_BYTES:
            raise parser.ImportFileError(f"文件超过{parser.MAX_UPLOAD_BYTES // 1024 // 1024}MB，请分成几个文件导入。")
        upload.seek(0)
        data = upload.read(parser.MAX_UPLOAD_BYTES + 1)
        sheet = parser.parse(data, name)
        if not name.lower().endswith(".xlsx"):
            raise parser.ImportFileError("请上传Excel工作簿（.xlsx）文件。")
    except parser.ImportFileError as exc:
        audit(
            actor,
            "import.refused",
            unit,
            unit=unit,
            request=request,
            changes={"file": name, "size": upload.size, "reason": exc.message},
        )
        raise ValidationError({"file": exc.message}) from None
    outcome = run(actor=actor, unit=unit, options=options, sheet=sheet, write=False)
    batch = ImportBatch(user=actor, unit=unit, original_name=name, size=len(data), options=options)
    batch.data = sheet.as_json()
    batch.notes = sheet.notes
    _counts(batch, outcome)
    batch.file.save("upload.xlsx", ContentFile(data), save=False)
    batch.save()
    audit(
        actor,
        "import.upload",
        batch,
        unit=unit,
        request=request,
        changes={
            "file": name,
            "rows": batch.rows,
            "new": batch.new_count,
            "update": batch.update_count,
            "errors": batch.error_count,
            "records": batch.record_count,
        },
    )
    return batch


class _Refused(Exception):
    def __init__(self, outcome: Outcome, message: str):
        super().__init__(message)
        self.outcome, self.message = outcome, message


def batch_confirm(*, actor, batch: ImportBatch, request=None) -> ImportBatch:
    """Write every row of the batch, or none: validated again, in one transaction, against the preview."""
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().select_related("unit").get(pk=batch.pk)
            _confirmable(actor, batch)
            sheet = parser.ParsedSheet.from_json(batch.data)
            outcome = run(actor=actor, unit=batch.unit, options=batch.options, sheet=sheet, write=True)
            if outcome.failure:
                raise ValidationError(outcome.failure)
            errors = outcome.count("error")
            if errors:
                raise _Refused(
                    outcome,
                    f"确认时重新核对，发现{errors}行有错误（预览之后系统中的数据有了变化），未导入任何数据。"
                    "请查看下方更新后的预览，修改文件后重新上传。",
                )
            if outcome.signature != signature(batch.preview):
                changed = sum(1 for a, b in zip(outcome.signature, signature(batch.preview), strict=False) if a != b)
                raise _Refused(
                    outcome,
                    f"预览之后系统中的数据有了变化（{changed}行的处理方式变了），未导入任何数据。请核对下方更新后的预览，再确认导入。",
                )
            records = _open_records(actor, batch, outcome, request)
            _audit_people(actor, outcome, request)
            _counts(batch, outcome)
            batch.state = ImportBatch.DONE
            batch.confirmed_at = timezone.now()
            batch.message = ""
            batch.save()
            audit(
                actor,
                "import.confirm",
                batch,
                unit=batch.unit,
                request=request,
                changes={
                    "file": batch.original_name,
                    "rows": batch.rows,
                    "new": batch.new_count,
                    "update": batch.update_count,
                    "records": len(records),
                },
            )
            return batch
    except _Refused as refused:
        fresh = ImportBatch.objects.get(pk=batch.pk)
        _counts(fresh, refused.outcome)
        fresh.message = refused.message[:300]
        fresh.save(
            update_fields=["preview", "rows", "new_count", "update_count", "error_count", "record_count", "message"]
        )
        raise ValidationError(refused.message) from None
    except IntegrityError:
        log.warning("import %s refused by a constraint", batch.pk, exc_info=True)
        raise ValidationError(
            "导入时与他人的操作冲突（可能有人同时录入了相同的人员），未导入任何数据；请重新上传预览。"
        ) from None


def _confirmable(actor, batch: ImportBatch):
    if batch.user_id != actor.pk:
        raise ValidationError("只有上传人可以确认导入。")
    if batch.state == ImportBatch.DONE:
        raise ValidationError("该文件已经导入，不能重复导入。")
    if batch.state != ImportBatch.PREVIEW:
        raise ValidationError(f"该批次{batch.get_state_display()}，不能导入；请重新上传。")
    if batch.expired or not batch.data:
        raise ValidationError(f"预览已过期（上传后{PREVIEW_HOURS}小时内有效），请重新上传。")
    if not get_scope(actor).has(roles.EDIT_PEOPLE, batch.unit):
        raise ValidationError("您已无权向该单位导入人员。")
    if batch.error_count:
        raise ValidationError("预览中有错误行，不能导入；请修改文件后重新上传（导入要么全部成功，要么一行也不写入）。")
    if not batch.rows:
        raise ValidationError("没有可导入的行。")


def _open_records(actor, batch: ImportBatch, outcome: Outcome, request) -> list[ReserveRecord]:
    """The reserve records of rows marked 入库, in bulk; what record_open checks was checked row by row already."""
    override = (batch.options.get("override") or "").strip()
    reason = f"批量导入：{batch.original_name}"[:500]
    pending = [(info, row) for info, row in zip(outcome.infos, outcome.rows, strict=True) if row["record"] == "open"]
    records = [
        ReserveRecord(
            person=info.person,
            reserve_type=info.reserve_type,
            village=info.person.village,
            entered_on=datetime.date.fromisoformat(info.entered_on),
            entry_method=C.ENTRY_IMPORT,
            entry_reason=reason,
            policy_id=info.policy_id,
            eligibility=info.eligibility,
            eligibility_override=override if info.override else "",
            note=info.record_note,
            created_by=actor,
        )
        for info, _row in pending
    ]
    ReserveRecord.objects.bulk_create(records, batch_size=1000)
    ReservePlacement.objects.bulk_create(
        [ReservePlacement(record=r, village=r.village, start=r.entered_on, reason="entry") for r in records],
        batch_size=1000,
    )
    audit_many(
        actor,
        "record.open",
        [
            (
                r,
                r.village,
                {
                    "reserve_type": TYPES[r.reserve_type],
                    "village": r.village.name,
                    "entered_on": str(r.entered_on),
                    "entry_method": r.get_entry_method_display(),
                    "override": r.eligibility_override,
                    "import": batch.pk,
                },
            )
            for r in records
        ],
        request=request,
    )
    return records


def _audit_people(actor, outcome: Outcome, request):
    created, updated = [], []
    for info, row in zip(outcome.infos, outcome.rows, strict=True):
        person = info.person
        if row["status"] == "new":
            changes = {k: v for k, v in diff(person, {}, PERSON_FIELDS).items() if v[1] not in (None, "")}
            created.append((person, person.village, changes))
        elif row["status"] == "update" and info.changed:
            updated.append((person, person.village, diff(person, info.before, sorted(info.changed))))
    audit_many(actor, "person.create", created, request=request)
    audit_many(actor, "person.update", updated, request=request)


def batch_discard(*, actor, batch: ImportBatch, request=None) -> ImportBatch:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.user_id != actor.pk:
            raise ValidationError("只有上传人可以放弃导入。")
        if batch.state != ImportBatch.PREVIEW:
            raise ValidationError("该批次已不在待确认状态。")
        if batch.file:
            batch.file.delete(save=False)
        batch.data = {}
        batch.state = ImportBatch.DISCARDED
        batch.save(update_fields=["file", "data", "state"])
        audit(actor, "import.discard", batch, unit=batch.unit, request=request, changes={"file": batch.original_name})
    return batch
