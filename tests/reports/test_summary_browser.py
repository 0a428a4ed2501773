"""The summary page in Chromium: a county user picks a township and a date, reads the table and downloads the file."""

import pytest

from tests.reports.test_summary import pool  # noqa: F401  (fixture)
from tests.test_browser import ARTIFACTS, browser, login, shot  # noqa: F401  (fixtures and helpers)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_user_views_a_township_summary_and_downloads_it(browser, live_server, cast, pool):  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(page, live_server, "county_staff")
    page.goto(f"{live_server.url}/reports/summary/?on=2026-06-30")
    assert page.locator("h2", has_text="青神县后备力量名单汇总表（合计）").count() == 1
    shot(page, "summary-01-county")
    page.select_option("#id_unit", label="青竹街道")
    page.fill("#id_on", "2026-06-30")
    with page.expect_navigation():  # the county page shows the township's heading too: wait for the new page
        page.click("text=查看")
    assert page.locator("h2").all_inner_texts() == ["青竹街道后备力量名单汇总表"]
    assert page.locator("table tbody tr").first.inner_text().split("\t")[:4] == [
        "1",
        "青竹社区",
        "村级后备干部",
        "陈五",
    ]
    assert "平均年龄（岁） 37.7" in page.inner_text("main")
    shot(page, "summary-02-township")
    with page.expect_download() as info:
        page.click("text=导出Excel")
    assert info.value.suggested_filename == "青竹街道后备力量名单汇总表（20260630）.xlsx"
    page.goto(f"{live_server.url}/reports/summary/?on=2026-02-30")
    assert "请按“2026-05-01”的格式填写统计日期。" in page.inner_text("main")
    page.close()
