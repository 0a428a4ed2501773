"""A county sees only its own seed's obligations on its dashboards: a figure, column or list line of a rule its
version in force does not impose is not shown (issue 13)."""

import pytest
from django.urls import reverse

from dashboards import halfyear as H
from dashboards import panels
from reserves.models import CountyPolicy
from reserves.policy import preset_values
from tests.dashboards.conftest import TODAY
from tests.dashboards.test_links import check_links

pytestmark = pytest.mark.django_db
HALF = 1 if TODAY.month <= 6 else 2


def switch(world, preset):
    values = preset_values(preset)
    CountyPolicy.objects.create(county=world.cast.county, effective_from=TODAY, preset=preset, **values)


def body(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    content = response.content.decode()
    return content[content.index("<main") : content.index("</main>")]  # the page, not the menus


def test_a_qs_county_sees_its_own_duties(client, world):
    page = body(client, world.cast.county_admin, "home")
    for words in ("培训未达要求", "结对帮带未落实", "季度帮扶情况未落实", "全覆盖谈心谈话未落实", "乡镇评定意见未填写"):
        assert words in page
    for words in ("乡镇半年谈话", "集体谈话", "导师每月了解情况", "年龄上限"):  # QL's and 3YR's; QS's age only warns
        assert words not in page


def test_a_cd_county_sees_coverage_and_no_other_seeds_duties(client, world):
    switch(world, "CD2025")
    cast = world.cast
    ctx = panels.unit_dashboard(cast.county_admin, cast.county, TODAY)
    assert ctx["rules"] == [] and ctx["shown"] == {"target"}
    assert "review" not in panels.unit_dashboard(cast.township_a_admin, cast.township_a, TODAY)
    pages = [
        body(client, cast.county_admin, "home"),
        body(client, cast.county_admin, "dashboard_scorecard", cast.county.pk),
        body(client, cast.township_a_admin, "home"),
        body(client, cast.village_secretary, "home"),
    ]
    for page in pages:
        for words in ("培训", "谈心谈话", "结对", "评议", "评定意见", "考核", "请假", "缺勤", "补贴", "年龄上限"):
            assert words not in page, words
    # CD's own duty is there: 1 书记后备力量 and 2 “两委”后备力量 per village (the world holds village reserves only).
    assert "村党组织书记后备力量" in pages[0] and "村“两委”干部后备力量" in pages[0]
    assert ctx["coverage"].short == 5
    village = body(client, cast.village_secretary, "home")
    assert "均已落实" in village  # 王二 lacks nothing CD asks for (the flag raised in the world is still open)


def test_a_ql_county_sees_its_talks_and_no_quarterly_duties(client, world):
    switch(world, "QL2022")
    page = body(client, world.cast.county_admin, "home")
    assert "乡镇半年谈话未落实" in page and "集体谈话未落实" in page and "结对帮带未落实" in page
    for words in ("培训未达要求", "季度帮扶情况", "全覆盖谈心谈话", "乡镇评定意见未填写", "年龄上限"):
        assert words not in page, words


def test_a_3yr_county_sees_both_age_lists_and_the_young_secretary_reserve(client, world):
    switch(world, "3YR2024")
    page = body(client, world.cast.county_admin, "home")
    assert "已超过年龄上限" in page and "12个月内将超过年龄上限" in page
    assert "导师每月了解情况未落实" in page and "没有35岁及以下书记后备力量的村（社区）" in page
    assert "全覆盖谈心谈话" not in page and "乡镇评定意见未填写" not in page
    # Every figure still opens a list of exactly its count under 3YR (age lists, young secretary reserves).
    assert check_links(client, world.cast.county_admin, reverse("home")) > 10


def test_the_half_year_comparison_leaves_out_rules_the_county_does_not_impose(world):
    switch(world, "CD2025")
    figures = H.half_year(world.cast.county_admin, world.cast.county, TODAY.year, HALF, TODAY)
    labels = [row[0] for row in H.comparison_rows(figures["cur"], figures["prev"], figures["shown"])]
    assert "在库后备干部（人）" in labels and "达到目标数的村（社区）" in labels
    for label in ("参加培训（人）", "谈心谈话（次）", "结对帮扶情况记录（条）", "季度评议（乡镇已评/应评）"):
        assert label not in labels
    qs_rows = H.comparison_rows(figures["cur"], figures["prev"], {"training", "quarter_review"})
    assert "参加培训（人）" in [row[0] for row in qs_rows]
