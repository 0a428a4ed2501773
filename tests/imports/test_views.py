"""The pages: upload, preview, confirm, discard, template; who may see a batch; the audit trail; query counts."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imports import services
from imports.models import ImportBatch
from org.models import AuditLog
from reserves.models import Person, ReservePlacement, ReserveRecord
from tests.conftest import make_person
from tests.imports.helpers import HEADERS, OPTIONS, new_id, row, upload, uploaded, xlsx


def cname(i: int) -> str:
    """A name without digits (names refuse them): 0→一, 1→丁, …"""
    return "".join(chr(0x4E00 + int(d)) for d in str(i))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def post_upload(client, cast, data: bytes, name="名单.xlsx", **extra):
    form = {
        "unit": cast.township_a.pk,
        "file": uploaded(data, name),
        "enroll": "on",
        "reserve_type": "village_reserve",
        "entered_on": "2024-03-01",
    } | extra
    return client.post(reverse("import_home"), form)


def test_the_import_page_offers_the_template_and_the_form(client, cast):
    client.force_login(cast.township_a_staff)
    html = client.get(reverse("import_home")).content.decode()
    assert reverse("import_template") in html and "上传并预览" in html
    assert "青竹街道 · 兰沟村" in html and "汉阳村" not in html  # units in the user's scope only


def test_upload_shows_a_preview_and_writes_nothing(client, cast, people):
    client.force_login(cast.township_a_admin)
    existing = people["a2"].person
    number = new_id()
    data = xlsx([row(name="新人", id_number=number), {"姓名": existing.name, "身份证号码": existing.id_number}])
    response = post_upload(client, cast, data)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("import_preview", args=[batch.pk])
    html = client.get(response.url).content.decode()
    assert "新增1人，更新1人，入库1人" in html and "确认导入2行" in html
    assert number not in html and number[:6] + "********" + number[-4:] in html  # masked
    assert Person.objects.filter(name="新人").count() == 0


def test_a_bad_file_is_refused_on_the_form_and_audited(client, cast):
    client.force_login(cast.township_a_admin)
    response = post_upload(client, cast, b"name,id\n1,2\n", name="伪装.xlsx")
    assert response.status_code == 200
    assert "文件实际是CSV（文本）文件" in response.content.decode()
    assert not ImportBatch.objects.exists()
    entry = AuditLog.objects.get(action="import.refused")
    assert entry.changes["file"] == "伪装.xlsx" and entry.actor == cast.township_a_admin


def test_an_empty_upload_is_refused(client, cast):
    client.force_login(cast.township_a_admin)
    response = post_upload(client, cast, b"")
    assert "文件是空的（0字节）" in response.content.decode()


def test_an_xlsm_name_is_refused_even_without_macros(client, cast):
    client.force_login(cast.township_a_admin)
    response = post_upload(client, cast, xlsx([row()]), name="宏.xlsm")
    assert "请上传Excel工作簿（.xlsx）文件。" in response.content.decode()


def test_entering_needs_a_date(client, cast):
    client.force_login(cast.township_a_admin)
    response = post_upload(client, cast, xlsx([row()]), entered_on="")
    assert "同时入库时请填写入库日期。" in response.content.decode()


def test_confirm_writes_everything_and_is_audited(client, cast):
    client.force_login(cast.township_a_admin)
    post_upload(client, cast, xlsx([row(name="甲"), row(name="乙")]), name="青竹名单.xlsx")
    batch = ImportBatch.objects.get()
    response = client.post(reverse("import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "已导入“青竹名单.xlsx”：新增2人，更新0人，入库2人。" in html
    batch.refresh_from_db()
    assert batch.state == ImportBatch.DONE and batch.confirmed_at
    assert Person.objects.count() == 2 and ReserveRecord.objects.filter(entry_method="import").count() == 2
    confirm_entry = AuditLog.objects.get(action="import.confirm")
    assert confirm_entry.actor == cast.township_a_admin and confirm_entry.unit_code == cast.township_a.code
    assert confirm_entry.changes == {"file": "青竹名单.xlsx", "rows": 2, "new": 2, "update": 0, "records": 2}
    assert AuditLog.objects.filter(action="person.create").count() == 2
    assert AuditLog.objects.filter(action="record.open").count() == 2
    created = AuditLog.objects.filter(action="person.create").first()
    assert "********" in created.changes["id_number"][1]  # masked in the log
    upload_entry = AuditLog.objects.get(action="import.upload")
    assert upload_entry.changes["file"] == "青竹名单.xlsx" and upload_entry.changes["rows"] == 2


def test_updates_are_audited_with_their_changes(cast, people):
    person = people["a1"].person
    batch = upload(
        cast.township_a_admin,
        cast.township_a,
        xlsx([{"姓名": person.name, "身份证号码": person.id_number, "学历": "研究生"}]),
    )
    services.batch_confirm(actor=cast.township_a_admin, batch=batch)
    entry = AuditLog.objects.get(action="person.update")
    assert entry.changes == {"education": ["college", "postgraduate"]} and entry.object_id == str(person.pk)


def test_a_batch_with_errors_cannot_be_confirmed(client, cast):
    client.force_login(cast.township_a_admin)
    post_upload(client, cast, xlsx([row(name="好"), row(name="坏", village="不存在村")]))
    batch = ImportBatch.objects.get()
    html = client.get(reverse("import_preview", args=[batch.pk])).content.decode()
    assert "有1行错误，不能导入" in html and "确认导入" not in html
    assert "青竹街道下没有名为“不存在村”的村（社区）。" in html
    response = client.post(reverse("import_confirm", args=[batch.pk]), follow=True)
    assert "预览中有错误行，不能导入" in response.content.decode()
    assert not Person.objects.exists()


def test_a_row_that_fails_at_confirm_time_means_nothing_is_written(client, cast):
    client.force_login(cast.township_a_admin)
    later = new_id()
    post_upload(client, cast, xlsx([row(name="甲"), row(name="乙"), row(name="丙", id_number=later)]))
    batch = ImportBatch.objects.get()
    assert batch.error_count == 0
    # Between preview and confirm, township B registers 丙's number.
    other = Person.objects.create(
        name="丙",
        id_number=later,
        sex="M",
        birth_date=datetime.date(1992, 3, 4),
        village=cast.village_b1,
        education="college",
        source_group="veteran",
    )
    audit_before = AuditLog.objects.count()
    response = client.post(reverse("import_confirm", args=[batch.pk]), follow=True)
    html = response.content.decode()
    assert "确认时重新核对，发现1行有错误" in html and "未导入任何数据" in html
    assert list(Person.objects.all()) == [other]
    assert not ReserveRecord.objects.exists() and not ReservePlacement.objects.exists()
    assert AuditLog.objects.count() == audit_before
    batch.refresh_from_db()
    assert batch.state == ImportBatch.PREVIEW and batch.error_count == 1 and "未导入任何数据" in batch.message
    assert dict(batch.preview[2]["errors"]) == {"身份证号码": "该身份证号已在系统中登记，请联系县委组织部"}


def test_a_row_that_turns_from_new_to_update_needs_a_second_look(cast):
    number = new_id()
    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row(name="甲", id_number=number), row(name="乙")]))
    make_person(cast.village_a1, name="甲", id_number=number) if False else Person.objects.create(
        name="甲",
        id_number=number,
        sex="M",
        birth_date=datetime.date(1992, 3, 4),
        village=cast.village_a1,
        education="college",
        source_group="veteran",
    )
    with pytest.raises(ValidationError, match="1行的处理方式变了"):
        services.batch_confirm(actor=cast.township_a_admin, batch=batch)
    assert Person.objects.count() == 1
    batch.refresh_from_db()
    assert [r["status"] for r in batch.preview] == ["update", "new"]
    services.batch_confirm(actor=cast.township_a_admin, batch=batch)  # confirmed after looking again
    assert Person.objects.count() == 2 and Person.objects.get(name="甲").education == "bachelor"


def test_a_failure_while_writing_rolls_every_row_back(cast, monkeypatch):
    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row(name="甲"), row(name="乙")]))

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(ReservePlacement.objects, "bulk_create", refuse)
    with pytest.raises(ValidationError, match="未导入任何数据"):
        services.batch_confirm(actor=cast.township_a_admin, batch=batch)
    assert not Person.objects.exists() and not ReserveRecord.objects.exists()
    assert not AuditLog.objects.filter(action__in=["person.create", "record.open", "import.confirm"]).exists()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.PREVIEW


def test_a_batch_is_confirmed_once(cast):
    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row()]))
    services.batch_confirm(actor=cast.township_a_admin, batch=batch)
    with pytest.raises(ValidationError, match="该文件已经导入，不能重复导入。"):
        services.batch_confirm(actor=cast.township_a_admin, batch=batch)
    assert Person.objects.count() == 1


def test_an_expired_preview_cannot_be_confirmed_and_is_purged(cast):
    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row()]))
    path = batch.file.path
    ImportBatch.objects.filter(pk=batch.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    batch.refresh_from_db()
    with pytest.raises(ValidationError, match="预览已过期"):
        services.batch_confirm(actor=cast.township_a_admin, batch=batch)
    assert services.purge_expired() == 1
    batch.refresh_from_db()
    assert batch.state == ImportBatch.EXPIRED and batch.data == {} and not batch.file
    import os

    assert not os.path.exists(path)
    assert not Person.objects.exists()


def test_discard_deletes_the_file(client, cast):
    client.force_login(cast.township_a_admin)
    post_upload(client, cast, xlsx([row()]))
    batch = ImportBatch.objects.get()
    path = batch.file.path
    response = client.post(reverse("import_discard", args=[batch.pk]))
    assert response.status_code == 302 and response.url == reverse("import_home")
    batch.refresh_from_db()
    import os

    assert batch.state == ImportBatch.DISCARDED and not os.path.exists(path)
    assert AuditLog.objects.filter(action="import.discard").count() == 1


@pytest.mark.parametrize("role", ["township_b_admin", "township_a_staff", "county_admin"])
def test_someone_elses_batch_is_not_found(client, cast, role):
    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row()]))
    client.force_login(getattr(cast, role))
    assert client.get(reverse("import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("import_confirm", args=[batch.pk])).status_code == 404
    assert client.post(reverse("import_discard", args=[batch.pk])).status_code == 404
    assert not Person.objects.exists()


def test_the_uploader_loses_the_batch_with_the_role(client, cast):
    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row()]))
    from org.models import OrgUnitUserObjectPermission

    OrgUnitUserObjectPermission.objects.filter(user=cast.township_a_admin).delete()
    client.force_login(cast.township_a_admin)
    assert client.get(reverse("import_preview", args=[batch.pk])).status_code == 404


def test_the_file_is_kept_under_media_and_not_served(client, cast, settings):
    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row()]))
    assert batch.file.path.startswith(str(settings.MEDIA_ROOT / "imports"))
    assert not str(batch.file.path).startswith(str(settings.STATIC_ROOT))
    client.force_login(cast.township_a_admin)
    assert client.get("/media/" + batch.file.name).status_code == 404


def test_confirm_needs_the_csrf_token(cast):
    from django.test import Client

    batch = upload(cast.township_a_admin, cast.township_a, xlsx([row()]))
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.township_a_admin)
    assert client.post(reverse("import_confirm", args=[batch.pk])).status_code == 403
    assert not Person.objects.exists()


def test_the_preview_filters_and_pages(client, cast):
    rows = [row(name=f"人{cname(i)}") for i in range(250)] + [row(name="坏", village="不存在村")]
    batch = upload(cast.township_a_admin, cast.township_a, xlsx(rows))
    client.force_login(cast.township_a_admin)
    url = reverse("import_preview", args=[batch.pk])
    html = client.get(url).content.decode()  # errors first when there are any
    assert "不存在村" in html and f"人{cname(0)}<" not in html
    html = client.get(url, {"show": "new", "page": 2}).content.decode()
    assert f"人{cname(200)}<" in html and f"人{cname(249)}<" in html and f"人{cname(0)}<" not in html


# --- query counts ---------------------------------------------------------------------------------------------------


def test_preview_queries_do_not_grow_with_rows(cast, people):
    existing = [people[k].person for k in ("a1", "a2", "a3")]

    def queries(n):
        rows = [row(name=f"新{cname(i)}") for i in range(n)] + [
            {"姓名": p.name, "身份证号码": p.id_number} for p in existing
        ]
        data = xlsx(rows, [*HEADERS])
        actor = type(cast.township_a_admin).objects.get(pk=cast.township_a_admin.pk)  # no cached scope
        with CaptureQueriesContext(connection) as ctx:
            upload(actor, cast.township_a, data)
        return len(ctx.captured_queries)

    small, large = queries(3), queries(60)
    # scope grants; expired batches to purge; villages of the unit, same-named villages elsewhere; the county and its
    # policies; people by ID number, their open records and last removals; the batch; the audit entry; and the
    # savepoints of import-export's (empty, rolled back) dry-run transaction
    assert small == large == 19


def test_confirm_queries_do_not_grow_with_rows(cast):
    def queries(n):
        batch = upload(cast.township_a_admin, cast.township_a, xlsx([row(name=f"新{cname(i)}") for i in range(n)]))
        actor = type(cast.township_a_admin).objects.get(pk=cast.township_a_admin.pk)
        with CaptureQueriesContext(connection) as ctx:
            services.batch_confirm(actor=actor, batch=batch)
        return len(ctx.captured_queries)

    assert queries(3) == queries(40)


def test_the_preview_page_queries_do_not_grow_with_rows(client, cast, django_assert_num_queries):
    client.force_login(cast.township_a_admin)
    small = upload(cast.township_a_admin, cast.township_a, xlsx([row(name=f"人{cname(i)}") for i in range(2)]))
    large = upload(cast.township_a_admin, cast.township_a, xlsx([row(name=f"人{cname(i)}") for i in range(150)]))
    # session, user, scope grants, the batch (+ the scope of the context processor, cached on the user)
    with django_assert_num_queries(4):
        client.get(reverse("import_preview", args=[small.pk]))
    with django_assert_num_queries(4):
        client.get(reverse("import_preview", args=[large.pk]))


# --- the template ---------------------------------------------------------------------------------------------------


def test_the_template_has_drop_down_lists_and_text_columns(client, cast):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["后备干部信息", "填写说明", "选项"]
    ws, lists = wb["后备干部信息"], wb["选项"]
    assert lists.sheet_state == "hidden" and ws.sheet_state == "visible"
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["乡镇", "村（社区）", "姓名", "身份证号码"]
    column = {h: openpyxl.utils.get_column_letter(i) for i, h in enumerate(headers, start=1)}
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    listed = {}
    for header in ("政治面貌", "学历", "身份", "后备干部类型", "乡镇", "村（社区）"):
        dv = validations[f"{column[header]}2:{column[header]}5001"]
        assert dv.type == "list" and dv.showErrorMessage
        ref = dv.formula1.split("!")[1].replace("$", "")
        listed[header] = (
            [c.value for c in lists[ref.split(":")[0] : ref.split(":")[1]][0]]
            if False
            else [row_[0].value for row_ in lists[ref]]
        )
    assert listed["学历"] == ["研究生", "大学本科", "大学专科", "高中（中专）", "初中及以下"]
    assert listed["身份"][:2] == ["大学生村官", "村民小组长"] and listed["身份"][-1] == "其他"
    assert listed["政治面貌"][0] == "中共党员"
    assert listed["村（社区）"] == ["青竹社区", "兰沟村", "甘家沟村"] and listed["乡镇"] == ["青竹街道"]
    assert ws.column_dimensions[column["身份证号码"]].number_format == "@"
    assert ws.column_dimensions[column["入党时间"]].number_format == "@"


def test_a_filled_template_imports(client, cast):
    client.force_login(cast.township_a_admin)
    wb = openpyxl.load_workbook(io.BytesIO(client.get(reverse("import_template")).content))
    ws = wb["后备干部信息"]
    headers = [c.value for c in ws[1]]
    values = {
        "村（社区）": "青竹社区",
        "姓名": "网格员甲",
        "身份证号码": new_id(sex="F"),
        "学历": "大学专科",
        "身份": "网格员",
        "政治面貌": "群众",
    }
    for header, value in values.items():
        ws.cell(row=2, column=headers.index(header) + 1, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    batch = upload(cast.township_a_admin, cast.township_a, buf.getvalue(), options=OPTIONS)
    assert [r["status"] for r in batch.preview] == ["new"]
    assert "读取的工作表：“后备干部信息”。" in batch.notes and "隐藏的工作表不导入：“选项”。" in batch.notes


def test_the_template_is_for_editors_only(client, cast):
    client.force_login(cast.village_secretary)
    assert client.get(reverse("import_template")).status_code == 404


def test_the_purge_task_empties_every_expired_batch(cast):
    from imports.tasks import purge_expired

    batches = [upload(cast.township_a_admin, cast.township_a, xlsx([row()])) for _ in range(3)]
    ImportBatch.objects.update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    assert purge_expired() == 3  # the task body, in-process
    assert all(not b.file for b in ImportBatch.objects.filter(pk__in=[b.pk for b in batches]))
