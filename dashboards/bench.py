"""Dashboard scenarios for `manage.py bench` (reports/management/commands/bench.py EXTRA_SCENARIOS): the city view,
a county dashboard, the township scorecard and a township dashboard, each as the user who opens it as home page."""

from django.urls import reverse

GOAL_MS = 150.0
GOAL_QUERIES = 20


def scenarios(county, subject) -> list:
    # Imported here: the bench command imports this module, and its module imports the generator and every app.
    from org import roles
    from org.models import OrgUnit
    from reports.management.commands.bench import Scenario
    from reports.management.commands.generate_city import (
        CITY_CODE,
        city_viewer_username,
        county_username,
        township_username,
    )

    city = OrgUnit.objects.get(code=CITY_CODE, level=roles.CITY, valid_to__isnull=True)
    township = OrgUnit.objects.filter(parent=county, level=roles.TOWNSHIP).order_by("code").first()
    n_counties = OrgUnit.objects.filter(parent=city, level=roles.COUNTY).count()
    n_townships = OrgUnit.objects.filter(parent=county, level=roles.TOWNSHIP).count()
    n_villages = OrgUnit.objects.filter(parent=township, level=roles.VILLAGE).count()
    county_user = county_username(county.code, "county_admin")
    return [
        Scenario(
            f"市级总览（{n_counties}个县，市级只读，首页）",
            city_viewer_username(),
            reverse("home"),
            expect=county.name,
            goal_ms=GOAL_MS,
            goal_queries=GOAL_QUERIES,
        ),
        Scenario(
            f"县级总览（{n_townships}个乡镇，县管理员，首页）",
            county_user,
            reverse("home"),
            expect=township.name,
            goal_ms=GOAL_MS,
            goal_queries=GOAL_QUERIES,
        ),
        Scenario(
            f"乡镇工作评价（{n_townships}个乡镇，县管理员）",
            county_user,
            reverse("dashboard_scorecard", args=[county.pk]),
            expect=township.name,
            goal_ms=GOAL_MS,
            goal_queries=GOAL_QUERIES,
        ),
        Scenario(
            f"乡镇总览（{n_villages}个村，乡镇管理员，首页）",
            township_username(township.code, "township_admin"),
            reverse("home"),
            expect=township.name,
            goal_ms=GOAL_MS,
            goal_queries=GOAL_QUERIES,
        ),
    ]
