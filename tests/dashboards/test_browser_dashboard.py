"""End to end in Chromium: the county dashboard (screenshot for the README), one figure followed to its list, a
table sorted by a column, and the page on a phone-sized screen."""

import shutil
from pathlib import Path

import pytest

from org import roles
from org.models import OrgUnit
from reserves.builders import unit
from tests.conftest import make_person, make_record
from tests.dashboards.conftest import born
from tests.test_browser import ARTIFACTS, browser, login, shot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def more_townships(cast):
    """A third township with villages of different sizes, so the charts have something to compare."""
    c = unit(roles.TOWNSHIP, "瑞峰镇", "511425102", cast.county)
    names = ["岷江村", "红星村", "桂花村", "瑞峰社区"]
    sizes = [3, 2, 2, 1]
    educations = ["bachelor", "college", "high_school", "college", "postgraduate"]
    n = 0
    for i, (name, size) in enumerate(zip(names, sizes, strict=True)):
        kind = OrgUnit.KIND_SHEQU if name.endswith("社区") else OrgUnit.KIND_CUN
        v = unit(roles.VILLAGE, name, f"511425102{201 + i:03d}", c, kind)
        for _ in range(size):
            person = make_person(
                v,
                name=f"瑞{n}",
                birth=born(26 + 3 * n % 20),
                sex="FM"[n % 3 != 0],
                education=educations[n % 5],
                political_status="member" if n % 2 else "masses",
            )
            make_record(person)
            n += 1


def test_county_dashboard_shows_figures_that_open_their_lists(browser, live_server, world):  # noqa: F811
    more_townships(world.cast)
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(page, live_server, "county_admin")
    assert "青神县村级后备干部队伍情况" in page.inner_text("h1")
    assert page.locator("svg[role=img]").count() >= 4  # trend, pool, coverage and young charts
    shot(page, "dashboard_county")
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ARTIFACTS / "dashboard_county.png", DOCS / "dashboard_county.png")

    # Sort the township table by its pool column: largest first after two clicks.
    table = page.locator("#table-structure")
    header = table.locator("thead th").nth(2)
    assert header.inner_text().startswith("在库")
    header.click()
    header.click()
    assert table.locator("tbody tr").first.locator("td").first.inner_text() == "瑞峰镇"  # 8, then 青竹街道 6, 汉阳镇 1

    # Follow one figure: the villages with a shortfall.
    link = page.locator("a.fig[href*='coverage=short']").first
    expected = int(link.get_attribute("data-n"))
    link.click()
    page.wait_for_url("**/dashboards/villages/**")
    assert "有缺额的村（社区）" in page.inner_text("h1")
    assert page.locator("main table tbody tr").count() == expected
    assert f"共 {expected} 条" in page.inner_text("main")
    shot(page, "dashboard_villages_short")

    # A phone: the page stays one column wide, the tables scroll inside their cards.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    login(phone, live_server, "county_admin")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    shot(phone, "dashboard_county_phone")
    phone.close()
    page.close()


def test_each_role_lands_on_its_own_view(browser, live_server, world):  # noqa: F811
    more_townships(world.cast)
    for username, heading, name in (
        ("ta_admin", "青竹街道村级后备干部队伍情况", "dashboard_township"),
        ("a1_sec", "兰沟村", "dashboard_village"),
        ("city", "眉山市村级后备干部队伍情况", "dashboard_city"),
    ):
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        login(page, live_server, username)
        assert heading in page.inner_text("h1")
        shot(page, name)
        page.close()
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(page, live_server, "county_admin")
    page.click("main >> text=乡镇工作评价")
    page.wait_for_url("**/scorecard/")
    assert page.locator("#table-scorecard tbody tr").count() == 3
    shot(page, "dashboard_scorecard")
    page.click("main >> text=青神县")
    page.click("main >> text=半年分析")
    page.wait_for_url("**/half-year/**")
    page.fill("#id_assessment_text", "本半年队伍总体稳定。")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已保存分析评估意见")
    shot(page, "dashboard_halfyear")
    page.close()
