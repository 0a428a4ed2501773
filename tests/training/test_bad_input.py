"""Bulk enrolment and the new-training page parse their values in one place (issue 14): no 500, nothing written."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from training import services
from training.models import Enrolment


@pytest.fixture
def event(cast):
    return services.training_create(
        actor=cast.township_a_admin,
        unit=cast.township_a,
        data={
            "form": "concentrated",
            "start": datetime.date(2026, 3, 1),
            "end": datetime.date(2026, 3, 5),
            "days": Decimal(5),
            "content": "集中培训",
            "organiser": "青竹街道党工委",
        },
    )


@pytest.mark.parametrize("records", [["²"], ["٥"], ["99999999999999999999"], ["-1"], ["1", "a\x00b"]])
def test_enrol_refuses_records_that_are_not_ids(client, cast, people, event, records):
    client.force_login(cast.township_a_admin)
    response = client.post(reverse("training_enrol", kwargs={"pk": event.pk}), {"records": records})
    assert response.status_code == 200
    assert "提交的数据有误，请刷新页面后重试。" in response.content.decode()
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("programme", ["²", "99999999999999999999", "５"])
def test_new_training_ignores_a_programme_that_is_not_an_id(client, cast, programme):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("training_event_create"), {"programme": programme})
    assert response.status_code == 200
    assert response.context["form"].initial.get("programme") is None
