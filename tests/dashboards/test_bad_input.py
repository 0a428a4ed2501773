"""A dashboard list's unit is a primary key in ASCII digits within range, else 404 (issue 14)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("unit", ["²", "٥", "99999999999999999999", "-1", "abc"])
def test_reserve_list_refuses_a_unit_that_is_not_an_id(client, cast, unit):
    client.force_login(cast.county_admin)
    assert client.get(reverse("dashboard_reserves"), {"unit": unit}).status_code == 404


def test_reserve_list_accepts_a_unit_in_scope(client, cast):
    client.force_login(cast.county_admin)
    assert client.get(reverse("dashboard_reserves"), {"unit": cast.township_a.pk}).status_code == 200
