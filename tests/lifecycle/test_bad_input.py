"""Lifecycle pages refuse hostile ids before any query (issue 14): no 500, nothing written."""

import pytest
from django.urls import reverse

from lifecycle.models import Removal


@pytest.mark.parametrize("township", ["²", "٥", "99999999999999999999", "-1"])
def test_replenish_list_ignores_a_township_that_is_not_an_id(client, cast, township):
    client.force_login(cast.county_admin)
    response = client.get(reverse("replenish_list"), {"township": township})
    assert response.status_code == 200


@pytest.mark.parametrize("flag", ["99999999999999999999", "²", "٥"])
def test_removal_refuses_a_flag_that_is_not_an_id_without_writing(client, cast, people, flag):
    client.force_login(cast.village_secretary)
    response = client.post(
        reverse("removal_create", kwargs={"pk": people["a1"].pk}),
        {"account": "说明", "flags": [flag], "grounds": ["x"]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["flags"] == ["所选项不存在或已失效，请重新选择。"]
    assert not Removal.objects.exists()


@pytest.mark.parametrize("to", ["²", "99999999999999999999"])
def test_transfer_form_ignores_a_target_that_is_not_an_id(client, cast, people, to):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("transfer_create", kwargs={"pk": people["a1"].pk}), {"to": to})
    assert response.status_code == 200
    assert "target_village" not in response.context["form"].initial
