"""批量导入 in Chromium: upload a file with a mistake, read the reasons, upload the fixed file, confirm."""

import pytest

from reserves.models import Person, ReserveRecord
from tests.imports.helpers import new_id, row, xlsx
from tests.test_browser import browser, login, shot  # noqa: F401 - the module-scoped browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_township_clerk_fixes_a_file_and_imports_it(browser, live_server, cast, people, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(page, live_server, "ta_admin")
    page.click("text=批量导入")
    page.wait_for_selector("text=批量导入人员")
    shot(page, "imports-01-home")

    numbers = [new_id(), new_id(sex="F")]
    rows = [
        row(name="周新民", id_number=numbers[0]),
        row(name="吴秀兰", id_number=numbers[1], village="汉阳村", 入党时间="2015.1"),
        {"姓名": people["a1"].person.name, "身份证号码": people["a1"].person.id_number, "联系电话": "13912345678"},
    ]
    bad = tmp_path / "青竹名单.xlsx"
    bad.write_bytes(xlsx(rows))
    page.select_option("#id_unit", label="\u3000青竹街道")
    page.set_input_files("#id_file", str(bad))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=有1行错误，不能导入")
    assert "“汉阳村”属于汉阳镇，不在本次导入的范围（青竹街道）内。" in page.content()
    assert "确认导入" not in page.content()
    shot(page, "imports-02-preview-errors")

    rows[1]["村（社区）"] = "甘家沟村"
    good = tmp_path / "青竹名单（改）.xlsx"
    good.write_bytes(xlsx(rows))
    page.click("text=批量导入 >> nth=0")
    page.select_option("#id_unit", label="\u3000青竹街道")
    page.set_input_files("#id_file", str(good))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=核对无误后请点“确认导入”")
    shot(page, "imports-03-preview-ok")
    assert numbers[0] not in page.content()  # masked
    page.click("text=确认导入3行")
    page.wait_for_selector("text=新增2人，更新1人，入库2人")
    shot(page, "imports-04-done")
    assert Person.objects.filter(name__in=["周新民", "吴秀兰"]).count() == 2
    assert ReserveRecord.objects.filter(entry_method="import").count() == 2
