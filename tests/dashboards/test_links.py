"""Every figure on every dashboard links to a list that shows exactly that many rows."""

import html
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
FIG = re.compile(r'<a class="fig" href="([^"]+)" data-n="(\d+)"')


def list_count(response) -> int:
    assert response.status_code == 200
    return response.context["page"].paginator.count


def check_links(client, user, url) -> int:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    links = sorted({(html.unescape(href), int(n)) for href, n in FIG.findall(response.content.decode())})
    assert links, f"no figures on {url}"
    nonzero = 0
    for href, n in links:
        assert list_count(client.get(href)) == n, f"{url}: {href} should list {n}"
        nonzero += n > 0
    assert nonzero >= 3
    return len(links)


def pages(cast):
    county, a, a1, a2 = cast.county, cast.township_a, cast.village_a1, cast.village_a2
    return [
        ("county_admin", reverse("home")),
        ("county_admin", reverse("dashboard_scorecard", args=[county.pk])),
        ("county_admin", reverse("dashboard_township", args=[a.pk])),
        ("county_admin", reverse("dashboard_village", args=[a2.pk])),
        ("township_a_admin", reverse("home")),
        ("township_a_admin", reverse("dashboard_village", args=[a1.pk])),
        ("village_secretary", reverse("home")),
        ("city_viewer", reverse("home")),
        ("city_viewer", reverse("dashboard_county", args=[county.pk])),
        ("city_viewer", reverse("dashboard_township", args=[a.pk])),
        ("city_viewer", reverse("dashboard_scorecard", args=[county.pk])),
    ]


@pytest.mark.parametrize("index", range(11))
def test_every_figure_links_to_a_list_with_the_same_count(client, busy, index):
    role, url = pages(busy.cast)[index]
    check_links(client, busy.cast.users()[role], url)


def test_the_shortfall_figure_opens_exactly_the_short_villages(client, world):
    client.force_login(world.cast.county_admin)
    page = client.get(reverse("home")).content.decode()
    href = html.unescape(re.search(r'href="([^"]*coverage=short)" data-n="3"', page).group(1))
    response = client.get(href)
    names = {v.name for v in response.context["page"]}
    assert names == {"青竹社区", "汉阳村", "汉阳社区"}
