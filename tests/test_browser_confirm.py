"""In Chromium: an irreversible action asks first (dismiss → nothing happens; accept → it happens), and an export
button that downloads its file directly is usable again afterwards. Screenshots go to artifacts/screenshots/."""

import datetime

import pytest
from playwright.sync_api import expect

from lifecycle import services as lifecycle
from lifecycle.models import Removal
from reserves.models import CountyPolicy, Filing
from reserves.policy import preset_values
from tests.conftest import make_person, make_record
from tests.lifecycle.conftest import propose_removal
from tests.test_browser import browser, login, shot  # noqa: F401  (browser is the module's fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filing_a_removal_asks_with_the_consequence_and_only_a_yes_files_it(browser, live_server, cast):  # noqa: F811
    CountyPolicy.objects.create(
        county=cast.county,
        effective_from=datetime.date.today() - datetime.timedelta(days=365),
        preset="QL2022",
        **preset_values("QL2022"),
    )
    removal = propose_removal(cast, make_record(make_person(cast.village_a1, name="何敏强")))
    lifecycle.removal_approve(actor=cast.township_a_admin, removal=removal)

    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(page, live_server, "county_staff")
    page.goto(f"{live_server.url}/filings/")
    shot(page, "confirm-01-inbox")
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("button[data-decision=file]")
    page.wait_for_timeout(500)
    assert asked and asked[0].startswith("备案后，何敏强的后备干部资格将被取消")
    assert "原则上5年内不得参加选拔" in asked[0]
    assert page.url.endswith("/filings/")
    assert page.is_enabled("button[data-decision=file]")  # a dismissed question leaves the button usable
    assert Filing.objects.get(subject=removal.subject).state == Filing.SUBMITTED
    assert Removal.objects.get(pk=removal.pk).state == Removal.APPROVED

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click("button[data-decision=file]")
    page.wait_for_selector(".alert-success")
    shot(page, "confirm-02-filed")
    assert len(asked) == 2
    assert Removal.objects.get(pk=removal.pk).state == Removal.FILED
    page.close()


def test_an_export_that_downloads_directly_gives_its_button_back(browser, live_server, cast, people):  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True)
    login(page, live_server, "ta_admin")
    page.goto(f"{live_server.url}/reports/roster/?unit={cast.village_a1.pk}&on=2026-11-30")
    button = "form[data-download] button[value=xlsx]"
    with page.expect_download() as info:
        page.click(button)
    assert info.value.suggested_filename.endswith(".xlsx")
    # The guard disables it at once (a double click sends one request) and gives it back after the download.
    expect(page.locator(button)).to_be_enabled(timeout=5000)  # (no string eval: the CSP forbids it)
    shot(page, "confirm-03-roster-after-download")
    with page.expect_download() as again:  # usable: a second export works without reloading the page
        page.click(button)
    assert again.value.suggested_filename.endswith(".xlsx")
    page.close()


def test_the_current_stage_is_not_red_and_ending_a_round_asks(browser, live_server, cast):  # noqa: F811
    from selection import services as selection
    from selection.models import Round

    round_ = selection.round_open(
        actor=cast.township_a_admin,
        township=cast.township_a,
        villages=[cast.village_a1],
        kind="qs",
        reserve_type="village_reserve",
        title="2026年村级后备干部选拔",
        announcement="x",
        announced_on=datetime.date(2026, 9, 1),
        nomination_deadline=datetime.date(2026, 9, 9),
    )
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(page, live_server, "ta_admin")
    page.goto(f"{live_server.url}/selection/{round_.pk}/")
    shot(page, "confirm-04-round-detail")
    pill = page.locator("ol[aria-label=阶段] .badge").first
    red = "rgb(220, 53, 69)"  # Bootstrap's danger
    assert pill.evaluate("el => getComputedStyle(el).backgroundColor") != red

    page.click("text=终止选拔")
    page.fill("#id_reason", "村“两委”换届时间调整")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("main button[type=submit]")
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("终止后，“2026年村级后备干部选拔”即告结束")
    assert Round.objects.get(pk=round_.pk).stage != "cancelled"
    page.once("dialog", lambda d: d.accept())
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已终止本次选拔")
    shot(page, "confirm-05-round-cancelled")
    assert Round.objects.get(pk=round_.pk).stage == "cancelled"
    page.close()
