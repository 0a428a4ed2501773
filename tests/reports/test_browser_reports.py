"""The 名册 in a browser: preview, a village file at once, a township file through "我的导出"; the roster
submission from the township's side and the county's."""

import subprocess
from pathlib import Path

import pytest

from tests.conftest import make_person, make_record
from tests.test_browser import ARTIFACTS, browser, login, shot  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def filled(cast, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for i, name in enumerate(["周新民", "吴晓燕", "郑国强", "孙丽", "马建军"]):
        make_record(make_person(cast.village_a1 if i % 2 else cast.village_a2, name=name), mentor=cast.mentor)
    return cast


def test_county_previews_and_exports_rosters_and_the_township_submits(browser, live_server, filled, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True)
    page.on("dialog", lambda dialog: dialog.accept())  # 接收 and 退回 ask first
    csp_violations = []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "ta_admin")
    page.goto(f"{live_server.url}/reports/roster/")
    page.select_option("#id_unit", label="\u3000\u3000青竹街道")
    page.click("main form[method=get] button[type=submit]")
    page.wait_for_selector("text=青竹街道村级后备干部名册")
    assert page.locator("main table tbody tr").count() == 8
    shot(page, "roster-preview")

    # a village roster downloads at once
    page.select_option("#id_unit", label="\u3000\u3000\u3000兰沟村")
    page.click("main form[method=get] button[type=submit]")
    page.wait_for_selector("text=兰沟村村级后备干部名册")
    with page.expect_download() as info:
        page.click("button[value=pdf]")
    pdf = Path(tmp_path / "village.pdf")
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "roster-pdf")])

    # a township roster goes through 我的导出
    page.select_option("#id_unit", label="\u3000\u3000青竹街道")
    page.click("main form[method=get] button[type=submit]")
    page.click("button[value=xlsx]")
    page.wait_for_url(f"{live_server.url}/exports/")
    page.wait_for_selector("#export-table a.btn:has-text('下载')")
    assert "正在后台生成" in page.content()
    shot(page, "my-exports")
    with page.expect_download() as info:
        page.click("#export-table a.btn:has-text('下载')")
    assert info.value.suggested_filename.endswith(".xlsx")

    # the county opens a call, the township submits, the county accepts
    page.context.clear_cookies()
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/reports/submissions/new/")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=未报送")
    call_url = page.url
    page.context.clear_cookies()
    login(page, live_server, "ta_staff")
    page.goto(call_url)
    page.click("text=报送青竹街道名册")
    page.click("text=确认报送")
    page.wait_for_selector("text=已向县委组织部报送")
    page.context.clear_cookies()
    login(page, live_server, "county_admin")
    page.goto(call_url)
    page.wait_for_selector("text=已报送")
    shot(page, "roster-submissions")
    page.click("main table >> text=查看")
    page.click("button[value=accept]")
    page.wait_for_selector("text=已接收该名册")
    assert csp_violations == []  # no inline script or style element anywhere on the way
