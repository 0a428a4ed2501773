"""End to end in Chromium: a removal from the village's proposal to the county's filing, across three users; and a
priority use through its notice in two villages. Screenshots go to artifacts/screenshots/."""

import datetime

import pytest

from lifecycle.models import Removal, Use
from reserves.models import ReserveRecord
from tests.test_browser import browser, login, shot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(chromium):
    page = chromium.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    # Irreversible steps ask first (issue 14); these flows confirm.
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def test_a_removal_goes_from_the_village_to_the_township_to_the_county(browser, live_server, cast, people):  # noqa: F811
    record = people["a1"]
    page = _page(browser)
    login(page, live_server, "a1_sec")
    page.goto(f"{live_server.url}/lifecycle/?q=李兰")
    shot(page, "lifecycle-00-home")
    page.click("text=李兰")
    page.click("text=提出取消资格建议")
    page.check("label:has-text('现实表现不好')")
    page.check("label:has-text('群众公认度不高')")
    page.fill("#id_account", "2026年以来多次无故不参加村务工作，群众反映较大。")
    shot(page, "lifecycle-01-removal-proposal")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已提出取消资格建议")
    assert "待乡镇党委审批" in page.content()
    detail = page.url
    page.close()

    page = _page(browser)
    login(page, live_server, "ta_admin")
    page.goto(detail)
    page.fill("#id_approve_note", "经乡镇党委会研究同意")
    page.click("#approve")
    page.wait_for_selector("text=乡镇党委已同意，待县委组织部备案")
    shot(page, "lifecycle-02-removal-approved")
    page.close()

    page = _page(browser)
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/filings/")
    row = page.locator("tr", has_text="李兰：取消后备干部资格")
    assert "0 个工作日" in row.inner_text()
    shot(page, "lifecycle-03-filing-inbox")
    row.locator("button[data-decision=file]").click()
    page.wait_for_selector("text=已备案")
    page.goto(detail)
    assert "已备案，资格已取消" in page.content()
    shot(page, "lifecycle-04-removal-filed")
    page.goto(f"{live_server.url}/replenish/")
    assert "缺额 2 名" in page.content()  # QS: 2 per village; 兰沟村 now has none
    shot(page, "lifecycle-08-replenish")
    page.close()
    record.refresh_from_db()
    assert record.status == "removed" and Removal.objects.get().state == Removal.FILED


def test_a_priority_use_is_noticed_in_both_villages_and_recorded(browser, live_server, cast, people):  # noqa: F811
    record = people["a1"]
    page = _page(browser)
    login(page, live_server, "a1_sec")
    page.goto(f"{live_server.url}/lifecycle/records/{record.pk}/")
    page.click("text=推荐使用")
    page.select_option("#id_target_village", label="汉阳镇 · 汉阳村")
    page.select_option("#id_position", label="村民委员会委员")
    page.fill("#id_recommendation", "该同志表现优秀、群众公认，推荐为汉阳村村民委员会委员人选。")
    page.fill("#id_cross_reason", "汉阳村暂无合适人选，县内统筹调配")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已提出推荐")
    detail = page.url
    page.close()

    page = _page(browser)
    login(page, live_server, "ta_admin")
    page.goto(detail)
    page.click("text=录入意见")
    opinions = ["“两委”班子一致同意", "党员群众代表同意", "无违纪问题", "无违法犯罪记录", "同意", "计生情况正常"]
    for i, opinion in enumerate(opinions + ["无信访问题", "无环保问题"]):
        page.select_option(f"select[name=form-{i}-agrees]", label="同意")
        page.fill(f"input[name=form-{i}-opinion]", opinion)
    shot(page, "lifecycle-05-use-opinions")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已录入8条意见")
    page.click("#approve")
    page.wait_for_selector("text=乡镇党委已同意，待县委组织部备案")
    page.close()

    page = _page(browser)
    login(page, live_server, "county_staff")
    page.goto(f"{live_server.url}/filings/?kind=use")
    page.check("input[name=ids]")
    page.click("button[form=bulk][value=file]")
    page.wait_for_selector("text=已备案 1 项")
    page.close()

    page = _page(browser)
    login(page, live_server, "ta_admin")
    page.goto(detail)
    page.click("text=发布公示")
    page.fill("#id_start", "2026-09-30")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已在两村（社区）发布公示")
    page.click("text=关于李兰同志拟任汉阳村村民委员会委员的公示")
    html = page.content()
    assert "兰沟村党务公开栏" in html and "汉阳村党务公开栏" in html
    shot(page, "lifecycle-06-use-notice")
    page.goto(detail)
    assert "公示期已满" in page.content()
    page.click("text=登记结果")
    page.select_option("#id_outcome", label="依法选举当选")
    page.fill("#id_on", datetime.date.today().isoformat())
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已登记结果：依法选举当选")
    shot(page, "lifecycle-07-use-elected")
    page.close()

    # the stipend sheet exists where the county pays one (QL §13)
    cast.policy.stipend_on = True
    cast.policy.stipend_county_monthly = cast.policy.stipend_township_monthly = 1000
    cast.policy.save()
    page = _page(browser)
    login(page, live_server, "ta_staff")
    page.goto(f"{live_server.url}/stipends/?month=2026-10")
    page.wait_for_selector("text=补贴发放表")
    shot(page, "lifecycle-09-stipends")
    page.close()

    other = browser.new_page()
    login(other, live_server, "tb_admin")
    other.goto(detail)
    assert "择优使用" in other.content()  # the receiving township follows the use
    other.close()
    assert ReserveRecord.objects.get(pk=record.pk).status == "used" and Use.objects.get().state == Use.USED
