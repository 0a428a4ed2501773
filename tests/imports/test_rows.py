"""Each row of a preview: 新增 / 更新 / 错误 with the reason on the cell, for the bad input of issue 9 and the checks
the person service makes; and what confirming then writes."""

import datetime
import io

import openpyxl
import pytest

from imports import services
from org.models import OrgUnit
from reserves.builders import unit
from reserves.models import Person, ReserveRecord
from reserves.services import DUPLICATE_ID_MESSAGE
from tests.conftest import make_person
from tests.imports.helpers import (
    HEADERS,
    PEOPLE_ONLY,
    ROSTER_HEADERS,
    by_line,
    errors_of,
    new_id,
    row,
    upload,
    xlsx,
)

GOOD_X = "11010519491231002X"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def preview(cast, rows, headers=None, *, actor=None, target=None, options=None, **kw):
    return upload(actor or cast.township_a_admin, target or cast.township_a, xlsx(rows, headers, **kw), options=options)


def only_row(batch) -> dict:
    (r,) = batch.preview
    return r


def confirm(cast, batch, actor=None):
    return services.batch_confirm(actor=actor or cast.township_a_admin, batch=batch)


def test_new_update_and_error_rows(cast, people):
    existing = people["a1"].person
    batch = preview(
        cast,
        [
            row(name="新人"),
            {"姓名": existing.name, "身份证号码": existing.id_number, "联系电话": "13900139000"},
            row(name="错号", id_number="511425199001011234"),
        ],
    )
    rows = by_line(batch)
    assert [rows[n]["status"] for n in (2, 3, 4)] == ["new", "update", "error"]
    assert rows[3]["changes"] == [["电话号码", "", "139****9000"]]
    assert rows[3]["record"] == "already"  # in the pool already (village_reserve)
    assert errors_of(batch, 4) == {"身份证号码": "身份证号校验位不正确，请核对号码是否抄错。"}
    assert (batch.new_count, batch.update_count, batch.error_count) == (1, 1, 1)
    assert Person.objects.filter(name="新人").count() == 0  # a preview writes nothing


def test_confirming_writes_people_records_and_placements(cast):
    batch = preview(cast, [row(name="甲"), row(name="乙", village="青竹社区", 身份="网格员")])
    confirm(cast, batch)
    jia = Person.objects.get(name="甲")
    assert jia.village == cast.village_a1 and jia.created_by == cast.township_a_admin
    assert (jia.sex, jia.birth_date) == ("M", datetime.date(1992, 3, 4))
    assert (jia.political_status, jia.party_joined, jia.education) == ("member", datetime.date(2015, 7, 1), "bachelor")
    record = ReserveRecord.objects.get(person=jia)
    assert (record.entry_method, record.entered_on, record.reserve_type) == (
        "import",
        datetime.date(2024, 3, 1),
        "village_reserve",
    )
    assert record.entry_reason == "批量导入：导入.xlsx" and record.policy == cast.policy
    assert [c["key"] for c in record.eligibility] == ["age", "education"]
    assert record.placements.get().village == cast.village_a1
    assert ReserveRecord.objects.in_pool(cast.township_a, datetime.date(2024, 3, 1)).count() == 2


def test_people_only_opens_no_record(cast):
    batch = preview(cast, [row()], options=PEOPLE_ONLY)
    assert only_row(batch)["record"] == ""
    confirm(cast, batch)
    assert Person.objects.count() == 1 and ReserveRecord.objects.count() == 0


# --- the ID number -----------------------------------------------------------------------------------------------


def imported_id(cast, raw) -> str:
    batch = preview(cast, [row(id_number=raw)])
    assert only_row(batch)["status"] == "new", only_row(batch)["errors"]
    confirm(cast, batch)
    return Person.objects.get().id_number


def test_full_width_digits_and_x_are_normalised(cast):
    assert imported_id(cast, "１１０１０５１９４９１２３１００２Ｘ") == GOOD_X


def test_lower_case_x_is_upper_cased(cast):
    assert imported_id(cast, GOOD_X.lower()) == GOOD_X


def test_spaces_and_zero_width_characters_are_stripped(cast):
    assert imported_id(cast, " 110105\u200b1949 1231\u00a0002X\u3000\ufeff") == GOOD_X


@pytest.mark.parametrize(
    "value, message",
    [
        (110105194912310000, "身份证号被Excel存成了数字，请把该列设为文本后重新填写"),
        (1.10105e17, "身份证号被Excel存成了数字，请把该列设为文本后重新填写"),
        ("1.10105E+17", "身份证号被Excel存成了数字，请把该列设为文本后重新填写"),
        (
            "110105194912310000",
            "身份证号校验位不正确，请核对号码是否抄错。（末几位是0：可能被Excel当作数字截断了，请把该列设为文本后重新填写）",
        ),
        ("511425********1234", "身份证号中有“*”（这是遮盖后的号码），请填写完整的身份证号。"),
        ("110105491231002", "这是15位的旧身份证号，请填写18位的第二代身份证号。"),
        ("", "新增人员须填写身份证号码。"),
    ],
)
def test_bad_id_numbers(cast, value, message):
    batch = preview(cast, [row(), row() | {"身份证号码": value}])
    assert errors_of(batch, 3) == {"身份证号码": message}
    assert by_line(batch)[2]["status"] == "new"


def test_the_same_id_twice_in_the_file(cast):
    number = new_id()
    batch = preview(cast, [row(id_number=number), row(name="别人"), row(id_number=number.lower().replace("x", "X"))])
    assert errors_of(batch, 2) == {"身份证号码": "与第4行的身份证号重复。"}
    assert errors_of(batch, 4) == {"身份证号码": "与第2行的身份证号重复。"}
    assert by_line(batch)[3]["status"] == "new"


def test_an_id_registered_in_another_township_is_an_error_that_names_no_one(cast, people):
    other = people["b1"].person
    batch = preview(cast, [row(name="冒名", id_number=other.id_number)])
    assert errors_of(batch, 2) == {"身份证号码": DUPLICATE_ID_MESSAGE}
    assert other.name not in str(batch.preview) and "汉阳" not in str(batch.preview)


def test_a_formula_in_the_id_cell_is_an_error_never_its_value(cast):
    def prepare(wb, ws):
        ws["C2"] = f'="{GOOD_X}"'

    batch = preview(cast, [row()], HEADERS, prepare=prepare)
    assert "公式" in errors_of(batch, 2)["身份证号码"]


# --- places -------------------------------------------------------------------------------------------------------


def test_a_village_that_does_not_exist(cast):
    batch = preview(cast, [row(village="不存在村")])
    assert errors_of(batch, 2) == {"村（社区）": "青竹街道下没有名为“不存在村”的村（社区）。"}


def test_a_village_of_another_township_is_out_of_scope(cast):
    batch = preview(cast, [row(village="汉阳村")])
    assert errors_of(batch, 2) == {"村（社区）": "“汉阳村”属于汉阳镇，不在本次导入的范围（青竹街道）内。"}


def test_a_township_that_is_not_the_target(cast):
    batch = preview(cast, [row() | {"乡镇": "汉阳镇"}])
    assert errors_of(batch, 2) == {"乡镇": "乡镇“汉阳镇”不在本次导入的范围（青竹街道）内。"}


def test_importing_into_a_village_defaults_the_village_and_refuses_its_neighbours(cast):
    batch = preview(cast, [row(village=""), row(village="甘家沟村")], target=cast.village_a1)
    assert by_line(batch)[2]["status"] == "new" and by_line(batch)[2]["village"] == "兰沟村"
    assert errors_of(batch, 3) == {"村（社区）": "“甘家沟村”属于青竹街道，不在本次导入的范围（兰沟村）内。"}


def test_same_named_villages_need_the_township(cast):
    unit("village", "兰沟村", "511425101202", cast.township_b, OrgUnit.KIND_CUN)
    rows = [row(), row() | {"乡镇": "汉阳镇"}]
    batch = preview(cast, rows, actor=cast.county_admin, target=cast.county)
    assert errors_of(batch, 2) == {"村（社区）": "青神县有2个名为“兰沟村”的村（社区），请在“乡镇”列注明所属乡镇。"}
    assert by_line(batch)[3]["status"] == "new"


def test_full_width_brackets_in_place_names_match(cast):
    unit("village", "东风村(一组)", "511425100203", cast.township_a, OrgUnit.KIND_CUN)
    batch = preview(cast, [row(village="东风村（一组）")])
    assert only_row(batch)["status"] == "new"


# --- dates ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2012.07", "2012.7", "2012年7月", "2012年07月", "201207", "2012-07", "2012/7", "２０１２．０７", "2012.07.15"],
)
def test_common_year_month_forms_are_accepted(cast, text):
    batch = preview(cast, [row(参加工作时间=text)], [*HEADERS, "参加工作时间"])
    assert only_row(batch)["status"] == "new", only_row(batch)["errors"]
    confirm(cast, batch)
    assert Person.objects.get().work_started == datetime.date(2012, 7, 1)


@pytest.mark.parametrize("text", ["12.07", "2012", "二〇一二年七月", "2012.13", "July 2012", "2012年", "2012.07.40"])
def test_other_date_text_is_refused_clearly(cast, text):
    batch = preview(cast, [row(参加工作时间=text)], [*HEADERS, "参加工作时间"])
    message = errors_of(batch, 2)["参加工作时间"]
    assert message.startswith(f"参加工作时间“{text}”无法识别：请写作1990.01")


def test_a_date_cell_is_read_as_its_year_and_month(cast):
    batch = preview(cast, [row(参加工作时间=datetime.datetime(2012, 7, 15))], [*HEADERS, "参加工作时间"])
    confirm(cast, batch)
    assert Person.objects.get().work_started == datetime.date(2012, 7, 1)


def test_a_future_month_is_refused(cast):
    nxt = datetime.date.today().replace(day=1) + datetime.timedelta(days=40)
    batch = preview(cast, [row(参加工作时间=f"{nxt.year}.{nxt.month:02d}")], [*HEADERS, "参加工作时间"])
    assert errors_of(batch, 2) == {"参加工作时间": "参加工作时间不能晚于本月。"}


def test_party_joined_only_for_party_members_and_not_before_birth(cast):
    batch = preview(cast, [row(政治面貌="群众"), row(入党时间="1980.01"), row(政治面貌="", name="推定")])
    assert errors_of(batch, 2) == {"入党时间": "只有中共党员（含预备党员）才填写入党时间。"}
    assert errors_of(batch, 3) == {"入党时间": "入党时间不能早于出生日期。"}
    assert by_line(batch)[4]["notes"] == ["未填政治面貌，按入党时间定为中共党员。"]


# --- choices and text ------------------------------------------------------------------------------------------------


def test_choice_labels_and_common_aliases(cast):
    batch = preview(cast, [row(学历="大专", 政治面貌="预备党员", 身份="退役军人")])
    confirm(cast, batch)
    p = Person.objects.get()
    assert (p.education, p.political_status, p.source_group) == ("college", "probationary", "veteran")


def test_an_unknown_choice_names_the_options(cast):
    batch = preview(cast, [row(学历="幼儿园"), row(身份="能人")])
    assert errors_of(batch, 2)["学历"].startswith("学历“幼儿园”不在可选范围内（研究生、大学本科、大学专科")
    assert errors_of(batch, 3)["身份"].endswith("其他身份请选“其他”并在“其他身份说明”列写明。")


def test_other_source_needs_its_description(cast):
    batch = preview(cast, [row(身份="其他"), row(身份="其他", 其他身份说明="致富带头人")], [*HEADERS, "其他身份说明"])
    assert errors_of(batch, 2) == {"其他身份说明": "身份选择“其他”时，请在“其他身份说明”列写明具体身份。"}
    assert by_line(batch)[3]["status"] == "new"


def test_missing_required_values_for_a_new_person(cast):
    batch = preview(cast, [row(学历="", 身份=None)])
    assert errors_of(batch, 2) == {"学历": "新增人员须填写学历。", "身份": "新增人员须填写身份。"}
    batch = preview(cast, [{"姓名": "张三", "身份证号码": new_id()}])
    assert errors_of(batch, 2) == {
        "村（社区）": "请填写村（社区）。",
        "学历": "新增人员须填写学历（文件中没有“学历”列）。",
        "身份": "新增人员须填写身份（文件中没有“身份”列）。",
    }


def test_padded_names_are_stored_unpadded_and_overlong_text_is_refused(cast):
    batch = preview(cast, [row(name="张\u3000三"), row(name="李  四"), row(name="长" * 51)])
    assert errors_of(batch, 4) == {"姓名": "姓名不能超过50个字（当前51个）。"}
    batch = preview(cast, [row(name="张\u3000三"), row(name=" 李  四 ")])
    confirm(cast, batch)
    assert set(Person.objects.values_list("name", flat=True)) == {"张三", "李四"}


def test_a_phone_number_is_checked(cast):
    batch = preview(cast, [row(联系电话="+86 138-0013-8000"), row(联系电话="12345")])
    assert by_line(batch)[2]["status"] == "new"
    assert errors_of(batch, 3) == {"联系电话": "手机号码应为11位，当前为5位。"}


def test_a_hyperlink_formula_as_text_is_stored_and_exported_as_text(cast):
    from reports.roster import build_roster, roster_xlsx

    text = '=HYPERLINK("http://evil.example","张三")'

    def prepare(wb, ws):
        ws["B2"].value = text
        ws["B2"].data_type = "s"

    # A formula typed as text in the name column is not a name: refused with a reason, never evaluated.
    batch = preview(cast, [row()], HEADERS, prepare=prepare)
    assert "姓名只能包含文字" in str(only_row(batch))
    # In a free-text column it is stored and exported as the text it is.
    text_column = HEADERS + ["熟悉专业有何专长"]

    def prepare_text(wb, ws):
        ws["I2"].value = text
        ws["I2"].data_type = "s"

    batch = preview(cast, [row()], text_column, prepare=prepare_text)
    assert only_row(batch)["status"] != "error", only_row(batch)
    confirm(cast, batch)
    assert Person.objects.get().specialty == text
    Person.objects.filter(pk=Person.objects.get().pk).update(name=text)
    data = roster_xlsx(build_roster(cast.township_a, datetime.date.today()), reveal=True)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cell = next(c for r in ws.iter_rows() for c in r if c.value == text)
    assert cell.data_type == "s"


# --- updates --------------------------------------------------------------------------------------------------------


def test_blank_cells_never_overwrite_and_changes_are_listed(cast):
    person = make_person(cast.village_a1, name="老王", phone="13700137000", education="high_school")
    batch = preview(
        cast,
        [{"姓名": "老王", "身份证号码": person.id_number, "学历": "大专", "联系电话": "", "村（社区）": ""}],
        options=PEOPLE_ONLY,
    )
    r = only_row(batch)
    assert r["status"] == "update" and r["changes"] == [["学历", "高中（中专）", "大学专科"]]
    confirm(cast, batch)
    person.refresh_from_db()
    assert (person.education, person.phone, person.village) == ("college", "13700137000", cast.village_a1)


def test_an_unchanged_person_is_an_update_that_writes_nothing(cast):
    person = make_person(cast.village_a1, name="老王")
    batch = preview(cast, [{"姓名": "老王", "身份证号码": person.id_number}], options=PEOPLE_ONLY)
    assert only_row(batch)["status"] == "update" and only_row(batch)["changes"] == []
    stamp = Person.objects.get().updated_at
    confirm(cast, batch)
    assert Person.objects.get().updated_at == stamp


def test_moving_a_person_in_the_pool_needs_a_transfer(cast, people):
    person = people["a1"].person
    batch = preview(cast, [{"姓名": person.name, "身份证号码": person.id_number, "村（社区）": "甘家沟村"}])
    assert errors_of(batch, 2) == {} or True
    assert errors_of(batch, 2) == {
        "村（社区）": "该人员是在库后备干部（兰沟村），调整所在村（社区）请走调动程序，不能通过导入修改。"
    }
    # Someone not in the pool moves like on the person form.
    person = make_person(cast.village_a1, name="未入库")
    batch = preview(cast, [{"姓名": "未入库", "身份证号码": person.id_number, "村（社区）": "甘家沟村"}])
    r = only_row(batch)
    assert r["status"] == "update" and ["所在村（社区）", "兰沟村", "甘家沟村"] in r["changes"]
    confirm(cast, batch)
    person.refresh_from_db()
    assert person.village == cast.village_a2 and ReserveRecord.objects.get(person=person).village == cast.village_a2


# --- 入库 -------------------------------------------------------------------------------------------------------------


def test_a_failed_condition_is_an_error_unless_a_reason_is_given(cast):
    batch = preview(cast, [row(学历="初中")])
    assert errors_of(batch, 2) == {
        "入库": "资格条件不符合（学历：初中及以下，低于要求的高中（中专）及以上。）。"
        "如确需入库，请在上传时填写资格例外理由。"
    }
    options = {"enroll": True, "reserve_type": "village_reserve", "entered_on": "2024-03-01", "override": "老党员推荐"}
    batch = preview(cast, [row(学历="初中")], options=options)
    assert only_row(batch)["record"] == "open"
    assert only_row(batch)["notes"] == ["资格条件不符合，按例外理由入库：初中及以下，低于要求的高中（中专）及以上。"]
    confirm(cast, batch)
    assert ReserveRecord.objects.get().eligibility_override == "老党员推荐"


def test_warnings_are_shown_as_notes(cast):
    batch = preview(cast, [row(id_number=new_id(birth=datetime.date(1970, 5, 5)), 入党时间="1995.01")])
    assert only_row(batch)["notes"] == ["年龄：53周岁，超过35周岁（一般应在35周岁）。"]


def test_the_type_from_the_roster_note_and_the_per_row_columns(cast, people):
    person = people["a1"].person
    rows = [
        {"姓名": person.name, "身份证号码": person.id_number, "备注": "村党组织书记后备力量"},
        row(name="类型列") | {"后备干部类型": "村“两委”干部后备力量", "入库日期": "2021.05.06"},
        row(name="日期错") | {"入库日期": "2021.05"},
        row(name="日期晚") | {"入库日期": "2999-01-01"},
    ]
    batch = preview(cast, rows, [*HEADERS, "备注", "后备干部类型", "入库日期"])
    rows = by_line(batch)
    assert (rows[2]["record"], rows[2]["reserve_type"]) == ("open", "secretary_reserve")
    assert (rows[3]["reserve_type"], rows[3]["entered_on"]) == ("committee_reserve", "2021-05-06")
    assert errors_of(batch, 4) == {"入库日期": "入库日期“2021.05”无法识别：请写完整日期，如2020.03.01。"}
    assert errors_of(batch, 5) == {"入库日期": "入库日期不能晚于今天。"}


def test_entry_before_birth_or_before_the_village_existed(cast):
    options = {"enroll": True, "reserve_type": "village_reserve", "entered_on": "2010-01-01", "override": ""}
    batch = preview(cast, [row(id_number=new_id(birth=datetime.date(2011, 1, 1)), 入党时间=""), row()], options=options)
    assert errors_of(batch, 2) == {"入库": "入库日期不能早于出生日期。"}
    assert errors_of(batch, 3) == {"入库": "兰沟村在入库日期（2010.01.01）不存在。"}


# --- the 名册 (附件1) ----------------------------------------------------------------------------------------------


def roster_file(cast, *, reveal) -> bytes:
    from reports.roster import build_roster, roster_xlsx

    return roster_xlsx(build_roster(cast.township_a, datetime.date.today()), reveal=reveal)


def test_a_roster_exported_in_full_imports_as_updates_already_in_the_pool(cast, people):
    batch = upload(cast.township_a_admin, cast.township_a, roster_file(cast, reveal=True), name="名册.xlsx")
    assert {r["status"] for r in batch.preview} == {"update"}
    assert {r["record"] for r in batch.preview} == {"already"}
    assert batch.rows == 3 and batch.error_count == 0
    assert "以下列不导入：“序号”、“年龄”、“结对干部姓名及职务”。" in batch.notes


def test_a_masked_roster_says_the_numbers_are_masked(cast, people):
    batch = upload(cast.township_a_admin, cast.township_a, roster_file(cast, reveal=False), name="名册.xlsx")
    assert batch.error_count == 3
    assert {dict(r["errors"])["身份证号码"] for r in batch.preview} == {
        "身份证号中有“*”（这是遮盖后的号码），请填写完整的身份证号。"
    }


def test_roster_sex_and_birth_month_must_agree_with_the_id(cast):
    number = new_id(birth=datetime.date(1990, 1, 15), sex="M")
    base = {"乡镇": "青竹街道", "村（社区）": "兰沟村", "姓名": "张三", "身份证号码": number, "学历": "大学本科"}
    rows = [
        base | {"性别": "女", "出生年月": "1990.01", "身份": "网格员"},
        base
        | {"性别": "男", "出生年月": "1990.02", "身份": "网格员", "身份证号码": new_id(datetime.date(1990, 1, 15))},
        base
        | {"性别": "男", "出生年月": "1990.01", "身份": "网格员", "身份证号码": new_id(datetime.date(1990, 1, 15))},
    ]
    batch = preview(cast, rows, ROSTER_HEADERS)
    assert errors_of(batch, 2) == {"性别": "性别“女”与身份证号不符（身份证号为男），请核对身份证号。"}
    assert errors_of(batch, 3) == {"出生年月": "出生年月1990.02与身份证号中的出生日期1990.01不符，请核对身份证号。"}
    assert by_line(batch)[4]["status"] == "new"


def test_rows_of_a_township_b_user_cannot_reach_township_a(cast, people):
    batch = preview(cast, [row(village="兰沟村")], actor=cast.township_b_admin, target=cast.township_b)
    assert errors_of(batch, 2) == {"村（社区）": "“兰沟村”属于青竹街道，不在本次导入的范围（汉阳镇）内。"}


def test_an_out_of_scope_target_is_refused(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        preview(cast, [row()], actor=cast.township_b_admin, target=cast.township_a)
    assert info.value.message_dict == {"unit": ["您无权向该单位导入人员。"]}
