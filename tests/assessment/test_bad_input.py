"""The quarter pages read their year and quarter as ASCII numbers (issue 14): "²" is ignored, never a 500."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.quarters import default_review_quarter


@pytest.mark.parametrize("year", ["²", "٢٠٢٦", "２０２６", "99999999999999999999", "-1"])
def test_quarter_overview_falls_back_to_the_review_quarter(client, cast, year):
    client.force_login(cast.county_admin)
    response = client.get(reverse("quarter_overview"), {"year": year, "quarter": "1"})
    assert response.status_code == 200
    nav = response.context["nav"]
    assert (nav["year"], nav["quarter"]) == default_review_quarter(timezone.localdate())


def test_quarter_overview_keeps_an_ascii_year_and_quarter(client, cast):
    client.force_login(cast.county_admin)
    nav = client.get(reverse("quarter_overview"), {"year": "2025", "quarter": "3"}).context["nav"]
    assert (nav["year"], nav["quarter"]) == (2025, 3)


@pytest.mark.parametrize("year", ["²", "99999999999999999999", "٢٠٢٦", "abc"])
def test_village_appraisal_shows_the_default_year_for_a_year_in_other_digits(client, cast, year):
    client.force_login(cast.county_admin)
    response = client.get(reverse("appraisal_village", kwargs={"pk": cast.village_a1.pk}), {"year": year})
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["year"] == (today.year if today.month >= 10 else today.year - 1)


def test_village_appraisal_refuses_a_year_out_of_range(client, cast):
    client.force_login(cast.county_admin)
    response = client.get(reverse("appraisal_village", kwargs={"pk": cast.village_a1.pk}), {"year": "1999"})
    assert response.status_code == 404
