"""Enrol three reserves in a training, then fill a quarter's township opinions for their village, in Chromium."""

import datetime

import pytest
from django.urls import reverse

from assessment.models import QuarterReview
from tests.conftest import make_person, make_record
from tests.test_browser import browser, login, shot  # noqa: F401  (module fixture)
from training.models import Enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enrol_three_reserves_then_fill_the_quarter_for_their_village(browser, live_server, cast):  # noqa: F811
    names = ["培训甲", "培训乙", "培训丙"]
    for i, name in enumerate(names):
        make_record(
            make_person(cast.village_a1, name=name, birth=datetime.date(1990 + i, 5, 5)),
            entered=datetime.date(2025, 1, 1),
        )
    make_record(make_person(cast.village_b1, name="外乡镇"), entered=datetime.date(2025, 1, 1))
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, live_server, "ta_admin")

    page.goto(f"{live_server.url}{reverse('training_event_create')}")
    page.select_option("#id_form", label="集中培训")
    page.fill("#id_start", "2026-10-12")
    page.fill("#id_end", "2026-10-16")
    page.fill("#id_days", "5")
    page.fill("#id_content", "村级后备干部集中轮训")
    page.fill("#id_organiser", "青竹街道党工委")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已登记培训")  # the new training opens on its enrolment page
    assert "外乡镇" not in page.content()
    for name in names:
        page.check(f"tr:has-text('{name}') input[name=records]")
    shot(page, "cult-01-enrol")
    with page.expect_navigation():
        page.click("button:has-text('报名所选人员')")
    shot(page, "cult-02-training")
    assert Enrolment.objects.filter(record__person__name__in=names).count() == 3

    today = datetime.date.today()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    page.goto(f"{live_server.url}{reverse('quarter_village', args=[year, quarter, cast.village_a1.pk])}")
    for name in names:
        row = page.locator(f"tr:has-text('{name}')")
        row.locator("textarea[name$='-potential']").last.fill("熟悉村务，发展潜力较大")
        row.locator("textarea[name$='-shortcomings']").last.fill("群众工作经验不足")
        row.locator("select[name$='-rating']").last.select_option(label="较好")
    page.click("main button[type=submit]")
    page.wait_for_selector(".alert-success")
    shot(page, "cult-03-quarter")
    reviews = QuarterReview.objects.filter(record__person__name__in=names, year=year, quarter=quarter)
    assert reviews.count() == 3
    assert {(r.township_potential, r.get_township_rating_display()) for r in reviews} == {
        ("熟悉村务，发展潜力较大", "较好")
    }
    page.close()
