"""Who sees which dashboard: each role lands on its own, and nobody sees figures of a unit outside their scope."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"<[^>]+>", " ", response.content.decode())


@pytest.mark.parametrize(
    "role, template, unit",
    [
        ("county_admin", "dashboards/_unit_body.html", "county"),
        ("county_staff", "dashboards/_unit_body.html", "county"),
        ("township_a_admin", "dashboards/_unit_body.html", "township_a"),
        ("township_b_admin", "dashboards/_unit_body.html", "township_b"),
        ("village_secretary", "dashboards/village.html", "village_a1"),
        ("city_viewer", "dashboards/_unit_body.html", "city"),
    ],
)
def test_home_is_the_roles_dashboard(client, world, role, template, unit):
    client.force_login(world.cast.users()[role])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]
    assert response.context["unit"] == getattr(world.cast, unit)


def test_a_mentor_keeps_the_list_of_their_pairees(client, world):
    client.force_login(world.cast.mentor)
    response = client.get(reverse("home"))
    assert "dashboards/home_mentor.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "李一" in content and "王二" not in content
    assert "本季度帮扶情况未填写" in content


def test_someone_without_a_unit_is_told_so(client, world):
    client.force_login(world.cast.outsider)
    assert "尚未分配单位" in client.get(reverse("home")).content.decode()


def test_a_township_dashboard_holds_nothing_of_other_townships(client, world):
    cast = world.cast
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("home"))
    text = text_of(response)
    for name in ("汉阳", "赵七"):
        assert name not in text
    assert [r.unit.name for r in response.context["rows"]] == ["青竹社区", "兰沟村", "甘家沟村"]
    total = response.context["total"]
    assert total.pool.n == 6 and total.structure.young == 3
    assert response.context["coverage"].villages == 3
    # P6 sat in 汉阳村 during last quarter, but the township B list no longer shows them: neither does B's figure.
    client.force_login(cast.township_b_admin)
    response = client.get(reverse("home"))
    text = text_of(response)
    for name in ("青竹", "兰沟", "甘家沟", "李一", "周六"):
        assert name not in text
    assert response.context["total"].pool.n == 1
    assert response.context["total"].unreviewed.n == 1


def test_other_units_are_not_found(client, world):
    cast = world.cast
    client.force_login(cast.township_b_admin)
    for url in (
        reverse("dashboard_township", args=[cast.township_a.pk]),
        reverse("dashboard_village", args=[cast.village_a1.pk]),
        reverse("dashboard_county", args=[cast.county.pk]),
        reverse("dashboard_villages") + f"?unit={cast.township_a.pk}",
        reverse("dashboard_reserves") + f"?unit={cast.village_a1.pk}&figure=women",
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(cast.village_secretary)
    assert client.get(reverse("dashboard_village", args=[cast.village_a2.pk])).status_code == 404


def test_lists_show_only_the_users_scope(client, world):
    cast = world.cast
    client.force_login(cast.township_b_admin)
    response = client.get(reverse("dashboard_reserves") + "?figure=pool")
    assert [r.person.name for r in response.context["page"]] == ["赵七"]
    response = client.get(reverse("dashboard_villages") + "?coverage=all")
    assert {v.name for v in response.context["page"]} == {"汉阳村", "汉阳社区"}


def test_bad_list_filters_are_refused_in_chinese(client, world):
    client.force_login(world.cast.county_admin)
    response = client.get(reverse("dashboard_villages") + "?coverage=bogus")
    assert response.status_code == 200
    assert "未知的筛选条件" in response.content.decode()
    assert response.context["page"].paginator.count == 0
    response = client.get(reverse("dashboard_reserves") + "?figure=bogus")
    assert "统计项" in response.content.decode() and response.context["page"].paginator.count == 0
    assert client.get(reverse("dashboard_reserves") + "?unit=abc").status_code == 404
