"""The dashboards' figures against the hand-built county of conftest.py (see its docstring for who is where)."""

import datetime

import pytest
from django.urls import reverse

from dashboards import panels
from dashboards import selectors as S
from reserves.models import CountyPolicy
from reserves.policy import preset_values
from tests.dashboards.conftest import TODAY

pytestmark = pytest.mark.django_db


def county_page(world):
    return panels.unit_dashboard(world.cast.county_admin, world.cast.county, TODAY)


def row_of(context, unit):
    return next(r for r in context["rows"] if r.unit.pk == unit.pk)


def test_structure_counts_the_pool_today_and_not_the_removed_or_used(world):
    total = county_page(world)["total"]
    st = total.structure
    assert st.n == 7  # P1–P7; R1 (removed) and U1 (used) are out
    assert st.avg_age == round((35 + 36 + 30 + 40 + 50 + 33 + 45) / 7, 1) == 38.4
    assert st.young == 3  # 35, 30 and 33; 36 is not
    assert st.college == 4  # 大专, 本科, 研究生, 大专
    assert st.party == 4  # 3 members and a probationary member
    assert st.women == 2
    assert st.flagged == 1
    # QS's "35周岁左右" only warns: nobody is a to-do for the age limit, and the figures are not shown.
    assert (st.over_age, st.ageing) == (0, 0)
    assert "age_block" not in county_page(world)["shown"]
    assert (st.young_pct, st.college_pct, st.women_pct) == (42.9, 57.1, 28.6)


def test_structure_by_township(world):
    ctx = county_page(world)
    a = row_of(ctx, world.cast.township_a).structure
    b = row_of(ctx, world.cast.township_b).structure
    assert (a.n, a.young, a.college, a.party, a.women) == (6, 3, 3, 3, 2)
    assert (b.n, b.young, b.college, b.party, b.women) == (1, 0, 1, 1, 0)
    assert a.avg_age == round((35 + 36 + 30 + 40 + 50 + 33) / 6, 1)
    assert b.avg_age == 45


def test_coverage_of_villages_holding_three_two_one_and_none(world):
    ctx = county_page(world)
    cov = ctx["coverage"]
    assert (cov.villages, cov.with_target, cov.met, cov.short, cov.none) == (5, 5, 2, 3, 1)
    tc = cov.by_type["village_reserve"]
    assert (tc.target, tc.met, tc.short, tc.shortfall) == (2, 2, 3, 4)  # a3 short 1, b1 short 2, b2 short 1
    assert cov.rate == 40.0
    a = row_of(ctx, world.cast.township_a).coverage
    b = row_of(ctx, world.cast.township_b).coverage
    assert (a.villages, a.met, a.short, a.none) == (3, 2, 1, 0)
    assert (b.villages, b.met, b.short, b.none) == (2, 0, 2, 1)
    assert not cov.young_rule  # QS asks for no young reserve per village


def test_a_blocking_age_limit_splits_past_and_passing_within_twelve_months(client, world):
    cast = world.cast
    values = preset_values("QS2017") | {"age_mode": CountyPolicy.BLOCK}
    CountyPolicy.objects.create(county=cast.county, effective_from=TODAY, preset="QS2017", **values)
    ctx = county_page(world)
    st = ctx["total"].structure
    assert st.over_age == 4  # 36, 40, 45 and 50 are past 35 already
    assert st.ageing == 1  # 35 (李一) turns 36 within 12 months; not counted twice
    assert "age_block" in ctx["shown"]
    client.force_login(cast.county_admin)
    body = client.get(reverse("home")).content.decode()
    assert "已超过年龄上限" in body and "12个月内将超过年龄上限" in body
    client.force_login(cast.village_secretary)
    rows = {r.person.name: r.lacks for r in client.get(reverse("home")).context["rows"]}
    assert "已超过年龄上限" in rows["王二"] and "12个月内将超过年龄上限" not in rows["王二"]
    assert "12个月内将超过年龄上限" in rows["李一"] and "已超过年龄上限" not in rows["李一"]
    assert not any("年龄上限" in x for x in rows["张三"])


def test_villages_without_a_young_secretary_reserve_under_a_policy_that_asks(world):
    """3YR's "其中至少1名35岁以下" counts 书记后备力量 only: a young village reserve does not meet it."""
    cast = world.cast
    values = preset_values("QS2017") | {"young_per_village": True}
    CountyPolicy.objects.create(county=cast.county, effective_from=TODAY, preset="QS2017", **values)
    for key in ("p6", "p7"):  # 周六 (33, 青竹社区) and 赵七 (45, 汉阳社区) become secretary reserves
        world.people[key].reserve_type = "secretary_reserve"
        world.people[key].save(update_fields=["reserve_type"])
    cov = county_page(world)["coverage"]
    assert cov.young_rule
    # a1 holds 李一 (35) and 张三 (30), village reserves: no young secretary reserve; a2, b1 none; b2's is 45.
    assert cov.no_young == 4
    assert cov.by_type["young"].short == 4 and cov.by_type["young"].met == 1
    assert cov.by_type["young"].label == "35岁以下村党组织书记后备力量"
    # The young requirement is a target like the others: a village missing it is short.
    assert cov.by_type["village_reserve"].met == 2  # a1 (3) and a2 (2) still hold two village reserves
    assert (cov.met, cov.short) == (0, 5)


def test_type_and_status_table_counts_as_the_reserve_list(world):
    types = county_page(world)["types"]
    ((label, cells),) = types["rows"]
    assert label == "村级后备干部"
    assert [c.n for c in cells] == [7, 1, 1, 0]  # 在库, 已使用, 已取消, 已退出
    assert [c.n for c in types["totals"]] == [7, 1, 1, 0]


def test_sources(world):
    sources = {label: f.n for label, f in county_page(world)["sources"]}
    assert sources == {"村民小组长": 5, "复员退伍军人": 2}


def test_trend_counts_each_quarter_end_by_where_people_were(world):
    ctx = county_page(world)
    *_, before, last, now = ctx["trend"]
    # At the end of last quarter P6 was already in 青竹社区 (moved mid-quarter); R1 and U1 were still in the pool and
    # P5 had not entered.
    assert (before.pool, last.pool, now.pool) == (8, 8, 7)
    assert (before.met, last.met, now.met) == (2, 2, 2)
    assert now.villages == 5 and now.rate == 40.0
    assert now.on == TODAY and last.on < world.change_day <= now.on
    dates = [d for _, d in S.trend_dates(TODAY)]
    rows = {v.code: v for v in S.village_rows(world.cast.county, dates, S.load_policies(world.cast.county))}
    a3, b1 = rows[world.cast.community_a3.code], rows[world.cast.village_b1.code]
    assert (a3.n[-3], a3.n[-2], a3.n[-1]) == (0, 1, 1)
    assert (b1.n[-3], b1.n[-2], b1.n[-1]) == (1, 0, 0)


def test_compliance_figures(world):
    ctx = county_page(world)
    total = ctx["total"]
    assert total.training.n == 5  # P1 trained, P5 entered this quarter (not due yet)
    assert [key for key, _ in ctx["rules"]] == ["pairing", "entry", "full_coverage"]
    assert [f.n for f in total.mentoring] == [6, 1, 7]  # only P1 paired; P1's entry missing; no talks
    assert total.unreviewed.n == 7  # in the pool last quarter: P1–P4, P6, P7, R1, U1; P1 reviewed
    a, b = row_of(ctx, world.cast.township_a), row_of(ctx, world.cast.township_b)
    assert (a.training.n, b.training.n) == (4, 1)
    assert [f.n for f in a.mentoring] == [5, 1, 6]
    # P6 sat in both townships during last quarter: each township's list shows them.
    assert (a.unreviewed.n, b.unreviewed.n) == (6, 2)


def test_removals_replenished_this_year(world):
    sc = panels.scorecard(world.cast.county_admin, world.cast.county, TODAY)
    a = next(r for r in sc["rows"] if r.unit == world.cast.township_a)
    b = next(r for r in sc["rows"] if r.unit == world.cast.township_b)
    assert (a.removed.n, a.replenished.n, a.unreplenished.n) == (1, 1, 0)  # P5 entered a2 the day R1 left
    assert (b.removed.n, b.replenished.n) == (0, 0)
    assert (a.pool.n, a.training.n, a.pairing.n) == (6, 4, 5)
    assert a.training_rate == round(100 * 2 / 6, 1)
    assert (a.reviewed, a.review_total) == (1, 7)
    assert (b.reviewed, b.review_total) == (0, 2)
    assert a.on_time is None or a.on_time is False  # nothing submitted


def test_work_in_progress(busy):
    from notices.models import Notice

    world = busy
    notice = Notice.objects.get()
    wip = county_page(world)["wip"]
    assert [(label, f.n) for label, f in wip["rounds"]] == [("发布公告、三推", 1)]
    removal_label, removal_total, states = wip["chains"][0]
    assert removal_label == "取消资格" and removal_total.n == 1
    assert {s: f.n for s, f in states}["待乡镇党委审批"] == 1
    assert wip["filings_waiting"].n == 1
    assert wip["notices_week"].n == (1 if notice.end <= S.week_end(TODAY) else 0)


def test_village_view_lists_what_each_reserve_lacks(client, world):
    client.force_login(world.cast.village_secretary)
    response = client.get(reverse("home"))
    rows = {r.person.name: r.lacks for r in response.context["rows"]}
    assert set(rows) == {"李一", "王二", "张三"}  # 孙使用 (used) is not in the pool
    assert "培训未落实" not in " ".join(rows["李一"]) and any("季度帮扶情况" in x for x in rows["李一"])
    assert "上季度乡镇评定意见未填写" not in rows["李一"]
    assert any(x.startswith("培训未落实") for x in rows["王二"])
    assert "未结对" in rows["王二"] and "有待处理的取消资格提示" in rows["王二"]
    # QS's age limit only warns: not something a reserve lacks (tested with a blocking limit below).
    assert not any("年龄上限" in x for lacks in rows.values() for x in lacks)
    assert "上季度乡镇评定意见未填写" in rows["张三"]


def test_a_policy_without_an_age_limit_or_talk_rules(client, world):
    """QL2022: one village reserve per village, no age limit, two mentors per reserve, half-yearly talks."""
    cast = world.cast
    CountyPolicy.objects.create(county=cast.county, effective_from=TODAY, preset="QL2022", **preset_values("QL2022"))
    ctx = county_page(world)
    assert ctx["total"].structure.ageing == 0
    assert ctx["coverage"].by_type["village_reserve"].target == 1
    assert (ctx["coverage"].met, ctx["coverage"].none) == (4, 1)  # every village but 汉阳村 holds one
    # QL asks for no quarterly mentoring entry (附件2 is QS's)
    assert [key for key, _ in ctx["rules"]] == ["pairing", "half_yearly", "collective"]
    client.force_login(cast.village_secretary)
    rows = {r.person.name: r.lacks for r in client.get(reverse("home")).context["rows"]}
    assert "12个月内将超过年龄上限" not in rows["王二"]
    assert "缺少乡镇领导联系人和村干部结对" in rows["王二"]


def test_the_years_roster_submission_shows_on_the_county_and_township_dashboards(world, client):
    from reports import submissions

    cast = world.cast
    assert county_page(world)["wip"]["roster"] is None  # no call this year: no panel
    call = submissions.call_create(
        actor=cast.county_admin, county=cast.county, year=TODAY.year, deadline=datetime.date(TODAY.year, 11, 30)
    )
    sub = submissions.submission_submit(actor=cast.township_a_admin, call=call, township=cast.township_a)
    submissions.submission_decide(actor=cast.county_admin, submission=sub, accept=True)
    roster = county_page(world)["wip"]["roster"]
    assert (roster["submitted"], roster["townships"], roster["accepted"]) == (1, 2, 1)
    assert roster["late"] == (1 if call.deadline < TODAY else 0)
    client.force_login(cast.county_admin)
    body = client.get(reverse("home")).content.decode()
    assert f"{TODAY.year}年度名册报送" in body and "已报送 1 / 2 个乡镇" in body
    assert reverse("call_detail", args=[call.pk]) in body
    township = panels.unit_dashboard(cast.township_b_admin, cast.township_b, TODAY)["wip"]["roster"]
    assert (township["submitted"], township["townships"]) == (0, 1)
