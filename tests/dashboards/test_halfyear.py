"""The half-yearly analysis (半年分析, QS): a half year's figures beside the previous half's, the county's written
assessment saved with the report, and the printable PDF."""

import subprocess

import pytest
from django.urls import reverse

from dashboards import halfyear as H
from dashboards.models import HalfYearReport
from org.models import AuditLog
from tests.dashboards.conftest import TODAY

pytestmark = pytest.mark.django_db
YEAR, HALF = H.current_half(TODAY)


def url(cast, name="halfyear_report", year=YEAR, half=HALF):
    return reverse(name, args=[cast.county.pk, year, half])


def test_this_half_beside_the_previous_one(world):
    figures = H.half_year(world.cast.county_admin, world.cast.county, YEAR, HALF, TODAY)
    cur, prev = figures["cur"], figures["prev"]
    assert cur.on == TODAY and cur.partial
    assert prev.on == H.half_bounds(*H.previous_half(YEAR, HALF))[1] and not prev.partial
    # At the end of the previous half R1 and U1 were in the pool and P5 was not; today it is the other way round.
    assert (prev.structure.n, cur.structure.n) == (8, 7)
    assert (prev.by_type, cur.by_type) == ({"village_reserve": 8}, {"village_reserve": 7})
    assert (cur.entered, cur.removed, cur.used, cur.exited) == (1, 1, 1, 0)
    assert (cur.trained, cur.events, cur.training_days) == (1, 1, 5.0)
    assert (cur.coverage.met, cur.coverage.none, cur.coverage.villages) == (2, 1, 5)
    assert prev.coverage.met == 2
    reviews = cur.reviews + prev.reviews
    assert sum(done for _, done, _ in reviews) == 1  # P1's opinion for last quarter is the only one
    assert all(total >= 7 for _, _, total in reviews)
    rows = {label: (a, b, change) for label, a, b, change in H.comparison_rows(cur, prev)}
    assert rows["在库后备干部（人）"] == ("8", "7", "-1")
    assert rows["达到目标数的村（社区）"] == ("2", "2", "持平")


def test_the_county_saves_its_written_assessment(client, world):
    cast = world.cast
    client.force_login(cast.county_staff)
    response = client.post(url(cast), {"assessment_text": "队伍结构持续优化。\n下一步加强培训。"})
    assert response.status_code == 302
    report = HalfYearReport.objects.get(county=cast.county, year=YEAR, half=HALF)
    assert report.assessment_text == "队伍结构持续优化。\n下一步加强培训。" and report.saved_by == cast.county_staff
    entry = AuditLog.objects.get(action="dashboards.halfyear_save")
    assert entry.unit_code == cast.county.code and entry.changes["chars"] == [
        0,
        len("队伍结构持续优化。\n下一步加强培训。"),
    ]
    client.post(url(cast), {"assessment_text": "修改后的意见"})
    assert HalfYearReport.objects.get().assessment_text == "修改后的意见"
    page = client.get(url(cast)).content.decode()
    assert "修改后的意见" in page


def test_an_empty_assessment_is_refused_and_nothing_is_saved(client, world):
    client.force_login(world.cast.county_admin)
    response = client.post(url(world.cast), {"assessment_text": "   "})
    assert response.status_code == 200
    assert "请填写分析评估意见" in response.content.decode()
    assert not HalfYearReport.objects.exists()


def test_only_county_staff_may_write_it(client, world):
    cast = world.cast
    for user in (cast.city_viewer, cast.township_a_admin, cast.outsider):
        client.force_login(user)
        assert client.post(url(cast), {"assessment_text": "越权"}).status_code == 404
    assert not HalfYearReport.objects.exists()
    client.force_login(cast.city_viewer)
    page = client.get(url(cast)).content.decode()
    assert "尚未填写" in page and "<textarea" not in page


def test_half_years_not_begun_are_not_found(client, world):
    client.force_login(world.cast.county_admin)
    next_year, next_half = H.next_half(YEAR, HALF)
    assert client.get(url(world.cast, year=next_year, half=next_half)).status_code == 404
    assert client.get(url(world.cast, half=3)).status_code == 404
    assert client.get(url(world.cast, year=1999, half=2)).status_code == 404


def test_the_pdf_prints_the_figures_and_the_assessment(client, world, tmp_path):
    cast = world.cast
    client.force_login(cast.county_admin)
    client.post(url(cast), {"assessment_text": "本半年新入库1人，取消资格1人，已及时补充。"})
    response = client.get(url(cast, "halfyear_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "half.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "青神县" in text and "后备干部队伍分析" in text
    assert "本半年新入库1人" in text and "在库后备干部" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto-Serif-CJK-SC" in fonts or "Noto-Sans-CJK-SC" in fonts
    assert AuditLog.objects.filter(action="dashboards.halfyear_pdf").count() == 1
