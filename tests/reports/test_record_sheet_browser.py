"""The 纪实表 page in Chromium: preview, year chooser, both downloads (screenshots: reports-record-sheet*)."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.reports.test_record_sheet import YEAR, fill, give_photo
from tests.test_browser import browser, login, shot  # noqa: F401 - browser is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_township_user_previews_a_year_and_downloads_both_files(browser, live_server, cast, people, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    record = people["a1"]
    give_photo(record.person)
    fill(cast, record)
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(page, live_server, "ta_admin")
    page.goto(f"{live_server.url}/reports/record-sheet/{record.pk}/")
    page.select_option("#sheet-year", str(YEAR - 1))
    page.click("text=查看")
    page.wait_for_selector("text=上一年的培训")
    page.select_option("#sheet-year", str(YEAR))
    page.click("text=查看")
    page.wait_for_selector("text=乡村振兴政策理论")
    shot(page, "reports-record-sheet")
    with page.expect_download() as info:
        page.click("text=导出 Excel")
    download = info.value
    assert download.suggested_filename == f"兰沟村_李兰_纪实表_{YEAR}.xlsx"
    ws = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    assert ws["A1"].value == "附件2" and ws["B4"].value == "李兰"
    with page.expect_download() as info:
        page.click("text=导出 PDF")
    assert info.value.suggested_filename == f"兰沟村_李兰_纪实表_{YEAR}.pdf"
    page.goto(f"{live_server.url}/reports/record-sheet/{record.pk}/?year=abc")
    page.wait_for_selector("text=请填写四位数字的年份")
    shot(page, "reports-record-sheet-bad-year")
    page.close()
