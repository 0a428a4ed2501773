"""End to end in Debian's Chromium through Playwright, against live_server. Screenshots go to artifacts/."""

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, make_person, make_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is required in CI: apt-get install chromium")
        pytest.skip("Debian chromium 未安装（apt-get install chromium）")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop in this thread
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_township_user_registers_a_person_puts_them_in_the_pool_and_finds_them(
    browser, live_server, cast, people, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(page, live_server, "ta_admin")
    shot(page, "01-home-township")

    page.goto(f"{live_server.url}/people/new/")
    page.fill("#id_name", "周新民")
    page.fill("#id_id_number", "11010519491231002x")  # lower-case x is accepted and normalised
    page.select_option("#id_village", label="青竹街道 · 甘家沟村")
    page.select_option("#id_political_status", label="中共党员")
    page.fill("#id_party_joined", "1975.06")
    page.select_option("#id_education", label="高中（中专）")
    page.select_option("#id_source_group", label="村民小组长")
    page.fill("#id_phone", "+86 138-0013-8000")
    shot(page, "02-person-form")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已登记 周新民")
    assert "110105********002X" in page.content()
    assert "11010519491231002X" not in page.content()
    page.click("text=显示 >> nth=0")
    page.wait_for_selector("text=11010519491231002X")
    shot(page, "03-person-detail")
    detail_url = page.url

    page.click("text=入库")
    page.select_option("#id_reserve_type", label="村级后备干部")
    page.fill("#id_entered_on", "2024-05-01")
    page.fill("#id_entry_reason", "系统启用前已在库")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=周新民 已入库")
    # QS 2017 policy: aged over 35 is a warning, not a refusal
    assert "需确认" in page.content()

    page.goto(f"{live_server.url}/reserves/")
    page.fill("input[name=q]", "周新民")
    page.click("text=筛选")
    page.wait_for_selector("td >> text=周新民")
    assert "甘家沟村" in page.inner_text("table")
    shot(page, "04-reserve-list")
    page.close()

    other = browser.new_page()
    login(other, live_server, "tb_admin")
    response = other.goto(detail_url)
    assert response.status == 404
    other.close()


def test_county_user_sees_all_townships_and_the_policy_page(browser, live_server, cast, people):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, live_server, "county_admin")
    page.goto(f"{live_server.url}/reserves/")
    text = page.inner_text("table")
    assert "青竹街道" in text and "汉阳镇" in text
    shot(page, "05-reserve-list-county")
    page.goto(f"{live_server.url}/policy/")
    assert "现行" in page.content()
    shot(page, "06-policy")
    page.goto(f"{live_server.url}/audit/")
    shot(page, "07-audit")
    page.close()


def test_mentor_sees_only_paired_reserves(browser, live_server, cast, people):
    extra = make_person(cast.village_a2, name="未结对")
    make_record(extra)
    page = browser.new_page()
    login(page, live_server, "mentor_a")
    assert "李兰" in page.content()
    page.goto(f"{live_server.url}/reserves/")
    assert "李兰" in page.inner_text("table") and "未结对" not in page.inner_text("table")
    page.close()
