"""The bell in Chromium: the badge arrives after the page, the list opens a reminder where it points and marks it
read, and the county admin reads the sent log."""

import pytest

from reminders import services
from tests.reminders.conftest import TUE_NOV_3
from tests.test_browser import browser, login, shot  # noqa: F401  (module fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_shows_unread_reminders_and_opening_one_marks_it_read(browser, live_server, cast, people, settings):  # noqa: F811
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast.township_a_admin.email = "ta@example.gov.cn"
    cast.township_a_admin.save()
    services.scan_county(cast.county, TUE_NOV_3, enqueue=False)
    services.deliver()
    unread = cast.township_a_admin.notifications.filter(read_at__isnull=True).count()
    assert unread > 0

    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    csp_violations = []
    page.on("console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "ta_admin")
    badge = page.wait_for_selector("#reminder-bell [data-unread]")
    assert badge.get_attribute("data-unread") == str(unread)
    shot(page, "reminders-01-bell")

    page.click("#reminder-bell")
    page.wait_for_selector("h1 >> text=我的提醒")
    shot(page, "reminders-02-list")
    page.select_option("select[name=kind]", "mentor_missing")
    page.click("text=筛选")
    page.wait_for_selector("text=结对帮带未落实")
    page.click("button[name=open] >> nth=0")
    page.wait_for_url("**/mentoring/reserves/**")
    assert cast.township_a_admin.notifications.filter(read_at__isnull=True).count() == unread - 1
    page.wait_for_selector(f"#reminder-bell [data-unread='{unread - 1}']")
    page.goto(f"{live_server.url}/notifications/preferences/")
    shot(page, "reminders-03-preferences")
    page.close()
    assert csp_violations == []

    admin = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(admin, live_server, "county_admin")
    admin.goto(f"{live_server.url}/notifications/sent/")
    admin.wait_for_selector("text=提醒发送记录")
    assert "已发送" in admin.inner_text("table") and "ta@example.gov.cn" in admin.inner_text("table")
    shot(admin, "reminders-04-sent-log")
    admin.close()
