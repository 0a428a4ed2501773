"""The rendered dashboards are cached per page, unit, scope, day and data version (dashboards/cache.py): a second
request is cheap, one scope's figures are never served to another, and an audited change shows at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reserves import services
from tests.dashboards.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def caching(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    return content[content.index("<main") :], len(ctx.captured_queries)


def test_a_second_request_is_served_from_the_cache(client, world, caching):
    client.force_login(world.cast.county_admin)
    first, n_first = get(client, reverse("home"))
    second, n_second = get(client, reverse("home"))
    assert first == second
    # the page (tests/dashboards/test_query_counts.py: 16) and the newest audit entry; then session, user, grants,
    # the unit, the newest audit entry
    assert (n_first, n_second) == (17, 5)


def test_one_scope_never_gets_another_scopes_figures(client, world, caching):
    cast = world.cast
    url = reverse("dashboard_township", args=[cast.township_a.pk])
    client.force_login(cast.county_admin)
    county_view, _ = get(client, url)
    assert "取消资格办理中" not in county_view  # the county sees township A without its lists of work in flight
    client.force_login(cast.township_a_admin)
    township_view, queries = get(client, url)
    assert "取消资格办理中" in township_view and queries > 5
    client.force_login(cast.township_b_admin)
    assert client.get(url).status_code == 404
    home_b, _ = get(client, reverse("home"))
    assert "兰沟" not in home_b and "汉阳" in home_b


def test_an_audited_change_shows_at_once(client, world, caching):
    client.force_login(world.cast.county_admin)
    before, _ = get(client, reverse("home"))
    pool = 'href="/reserves/?status=active" data-n="{n}"'
    assert pool.format(n=7) in before
    services.record_close(
        actor=world.cast.county_admin,
        record=world.people["p3"],
        status="exited",
        ended_on=TODAY,
        reason="本人申请退出",
    )
    after, queries = get(client, reverse("home"))
    assert queries > 5 and pool.format(n=6) in after and pool.format(n=7) not in after


def test_off_unless_configured(client, world, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    cache.clear()
    client.force_login(world.cast.county_admin)
    assert get(client, reverse("home"))[1] == get(client, reverse("home"))[1] == 16
