"""Issue 13 item 10: the 名册's 备注 is the record's own note. An import takes the type from the upload form or a
后备干部类型 column, still reads a type an old 名册 wrote in 备注, and otherwise keeps the 备注 as the record's note."""

import datetime
import io

import openpyxl
import pytest

from imports import services
from reports.roster import build_roster, roster_xlsx
from reserves.models import ReserveRecord
from tests.imports.helpers import HEADERS, OPTIONS, by_line, errors_of, row, upload, xlsx

COLUMNS = [*HEADERS, "备注"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def imported(cast, rows, headers=COLUMNS, options=None):
    batch = upload(cast.township_a_admin, cast.township_a, xlsx(rows, headers), options=options)
    assert batch.error_count == 0, batch.preview
    services.batch_confirm(actor=cast.township_a_admin, batch=batch)
    return {r.person.name: r for r in ReserveRecord.objects.select_related("person")}


def test_the_type_comes_from_the_upload_form_when_the_file_names_none(cast):
    records = imported(cast, [row(name="表单类型")], options=OPTIONS | {"reserve_type": "committee_reserve"})
    assert records["表单类型"].reserve_type == "committee_reserve" and records["表单类型"].note == ""


def test_a_type_column_wins_over_the_form(cast):
    rows = [row(name="列类型") | {"后备干部类型": "村党组织书记后备力量"}]
    records = imported(cast, rows, [*COLUMNS, "后备干部类型"], options=OPTIONS | {"reserve_type": "committee_reserve"})
    assert records["列类型"].reserve_type == "secretary_reserve"


def test_an_old_roster_note_naming_the_type_gives_the_type_and_no_note(cast):
    rows = [
        row(name="旧名册书记") | {"备注": "村党组织书记后备力量"},
        row(name="旧名册两委") | {"备注": '村"两委"干部后备力量'},  # straight quotes, as typed
        row(name="简称") | {"备注": "书记后备力量"},
    ]
    records = imported(cast, rows)
    assert [(records[n].reserve_type, records[n].note) for n in ("旧名册书记", "旧名册两委", "简称")] == [
        ("secretary_reserve", ""),
        ("committee_reserve", ""),
        ("secretary_reserve", ""),
    ]


def test_any_other_note_is_the_record_note(cast):
    rows = [
        row(name="有备注") | {"备注": "2020年由甲村调入，擅长电商"},
        row(name="类型加备注") | {"备注": "村党组织书记后备力量；2019年参加县委党校培训"},
    ]
    batch = upload(cast.township_a_admin, cast.township_a, xlsx(rows, COLUMNS))
    assert [by_line(batch)[n]["record_note"] for n in (2, 3)] == [
        "2020年由甲村调入，擅长电商",
        "2019年参加县委党校培训",
    ]
    services.batch_confirm(actor=cast.township_a_admin, batch=batch)
    records = {r.person.name: r for r in ReserveRecord.objects.select_related("person")}
    assert (records["有备注"].reserve_type, records["有备注"].note) == ("village_reserve", "2020年由甲村调入，擅长电商")
    assert (records["类型加备注"].reserve_type, records["类型加备注"].note) == (
        "secretary_reserve",
        "2019年参加县委党校培训",
    )


def test_a_note_the_record_cannot_hold_is_refused_and_nothing_is_imported(cast):
    rows = [row(name="正常"), row(name="太长") | {"备注": "情" * 201}]
    batch = upload(cast.township_a_admin, cast.township_a, xlsx(rows, COLUMNS))
    assert errors_of(batch, 3) == {"备注": "备注不能超过200字（现为201字），请精简。"}
    assert not ReserveRecord.objects.exists()


def test_a_type_in_the_note_that_contradicts_the_column_is_said(cast):
    rows = [row(name="矛盾") | {"备注": "村党组织书记后备力量", "后备干部类型": "村级后备干部"}]
    batch = upload(cast.township_a_admin, cast.township_a, xlsx(rows, [*COLUMNS, "后备干部类型"]))
    (r,) = batch.preview
    assert r["reserve_type"] == "village_reserve"
    assert "备注中的类型与“后备干部类型”列不同，以“后备干部类型”列为准（村级后备干部）。" in r["notes"]


def test_the_roster_prints_the_record_note_not_the_type(cast, people):
    record = people["a1"]
    record.reserve_type, record.note = "secretary_reserve", "2021年换届时列为重点培养对象"
    record.save()
    rows = {r["name"]: r for r in build_roster(cast.township_a, datetime.date.today()).rows}
    assert rows[record.person.name]["note"] == "2021年换届时列为重点培养对象"
    assert rows[people["a2"].person.name]["note"] == ""
    assert "村党组织书记后备力量" not in {r["note"] for r in rows.values()}
    # the file's 备注 column (the 14th) carries it
    data = roster_xlsx(build_roster(cast.township_a, datetime.date.today()), reveal=True)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    notes = [ws.cell(row=r, column=14).value for r in range(4, ws.max_row + 1)]
    assert "2021年换届时列为重点培养对象" in notes
