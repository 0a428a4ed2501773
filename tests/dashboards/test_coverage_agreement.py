"""Coverage numbers agree everywhere (issue 13, item 8): for the same villages, the dashboard (village_rows and its
figures), lifecycle's replenishment list (shortfall_villages) and the reminder scan (below_target) count each target's
own type beside it, and 3YR's "至少1名35岁以下" counts young 书记后备力量 only."""

import datetime

import pytest

from dashboards import panels
from dashboards import selectors as S
from lifecycle import rules as L
from org import roles
from org.models import OrgUnit
from org.scope import get_scope
from reminders import scan as reminder_scan
from reserves.models import CountyPolicy
from reserves.policy import preset_values
from tests.conftest import make_person, make_record
from tests.dashboards.conftest import TODAY, born

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(world):
    """World's village reserves (a1: 3, a2: 2, a3: 1, b1: 0, b2: 1) plus reserves of the other types:

    a1 兰沟村     书记后备 30 (young), “两委”后备 40
    a2 甘家沟村   书记后备 40, 书记后备 34 who left this year (removed: not counted)
    a3 青竹社区   “两委”后备 ×2, 书记后备 36 (not young)
    b2 汉阳社区   书记后备 33 (young), 书记后备 45"""
    cast = world.cast

    def add(village, age, rtype, **extra):
        return make_record(make_person(village, name=f"{rtype[:3]}{age}", birth=born(age)), rtype=rtype, **extra)

    add(cast.village_a1, 30, "secretary_reserve")
    add(cast.village_a1, 40, "committee_reserve")
    add(cast.village_a2, 40, "secretary_reserve")
    add(cast.village_a2, 34, "secretary_reserve", status="removed", ended=TODAY - datetime.timedelta(days=1))
    add(cast.community_a3, 38, "committee_reserve")
    add(cast.community_a3, 39, "committee_reserve")
    add(cast.community_a3, 36, "secretary_reserve")
    add(world.b2, 33, "secretary_reserve")
    add(world.b2, 45, "secretary_reserve")
    return world


def three_ways(world, preset):
    cast = world.cast
    CountyPolicy.objects.create(county=cast.county, effective_from=TODAY, preset=preset, **preset_values(preset))
    policies = S.load_policies(cast.county)
    # 1. the dashboard: each village's count beside each of its targets, and the villages it counts as short
    rows = [v for v in S.village_rows(cast.county, [TODAY], policies) if v.current_on(TODAY)]
    dashboard = {(v.code, k): (v.n_type[-1].get(k, 0), t) for v in rows for k, t in v.targets.items()}
    dashboard_short = {v.code for v in rows if S.village_filter("short")(v)}
    figure = panels.unit_dashboard(cast.county_admin, cast.county, TODAY)["total"].short.n
    # 2. lifecycle: every village's annotations, and the replenishment list
    villages = OrgUnit.objects.filter(level=roles.VILLAGE, code__startswith=cast.county.code).current(TODAY)
    in_force = L.policies_in_force({cast.county.code}, set(), TODAY)
    lifecycle = {}
    for v in L.annotate_shortfall(villages, in_force, TODAY):
        for k in L.COVERAGE_KEYS:
            if getattr(v, f"target_{k}"):
                lifecycle[(v.code, k)] = (getattr(v, f"n_{k}"), getattr(v, f"target_{k}"))
    listed = list(L.shortfall_villages(get_scope(cast.county_admin), TODAY))
    gaps = {v.code: L.shortfall_gaps(v) for v in listed}
    # 3. the reminder scan
    items = reminder_scan.below_target_items(reminder_scan.CountyScan.load(cast.county, TODAY))
    reminded = {item.unit_code: item.body for item in items}
    return dashboard, dashboard_short, figure, lifecycle, gaps, reminded


@pytest.mark.parametrize(
    "preset, counts",
    [
        # QS: 2 村级后备干部 per village
        ("QS2017", {"511425100201": {"village_reserve": (3, 2)}, "511425101101": {"village_reserve": (1, 2)}}),
        # 3YR: 2 书记后备力量, at least one of them young
        (
            "3YR2024",
            {
                "511425100201": {"secretary_reserve": (1, 2), "young": (1, 1)},
                "511425100202": {"secretary_reserve": (1, 2), "young": (0, 1)},
                "511425100101": {"secretary_reserve": (1, 2), "young": (0, 1)},
                "511425101101": {"secretary_reserve": (2, 2), "young": (1, 1)},
            },
        ),
        # CD: 1 书记后备力量 and 2 “两委”后备力量
        (
            "CD2025",
            {
                "511425100201": {"secretary_reserve": (1, 1), "committee_reserve": (1, 2)},
                "511425100101": {"secretary_reserve": (1, 1), "committee_reserve": (2, 2)},
                "511425101201": {"secretary_reserve": (0, 1), "committee_reserve": (0, 2)},
            },
        ),
    ],
)
def test_dashboard_replenishment_list_and_reminders_agree(mixed, preset, counts):
    dashboard, dashboard_short, figure, lifecycle, gaps, reminded = three_ways(mixed, preset)
    assert dashboard == lifecycle
    for code, expected in counts.items():  # the hand-counted villages (the type the target is for)
        assert {k: dashboard[(code, k)] for k in expected} == expected
    assert dashboard_short == set(gaps) == set(reminded)
    assert figure == len(gaps) > 0  # the dashboard's 缺额村 figure
    for code, village_gaps in gaps.items():
        assert village_gaps
        for g in village_gaps:
            assert f"{g.label}缺{g.short}名（目标{g.target}名，在库{g.n}名）" in reminded[code]


def test_3yr_young_rule_counts_young_secretary_reserves_only(mixed):
    dashboard, dashboard_short, _figure, _lifecycle, gaps, reminded = three_ways(mixed, "3YR2024")
    # b2 has two 书记后备力量, one of them 33: it meets both targets; a1's young one is its only 书记后备: short of 2;
    # a3's 书记后备 is 36 and its other young-enough reserves are village and committee reserves: no young one.
    assert "511425101101" not in dashboard_short
    assert [g.key for g in gaps["511425100101"]] == ["secretary_reserve", "young"]
    assert "35岁以下村党组织书记后备力量缺1名（目标1名，在库0名）" in reminded["511425100101"]
    assert [g.key for g in gaps["511425100201"]] == ["secretary_reserve"]
