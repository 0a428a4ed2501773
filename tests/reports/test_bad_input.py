"""The record-sheet export parses its POST before any query (issue 14): an unknown unit is a Chinese message, no job."""

import pytest
from django.urls import reverse

from reports.models import ExportJob


@pytest.mark.parametrize("unit", ["abc", "²", "٥", "99999999999999999999", "-1", ""])
def test_record_sheets_export_refuses_a_unit_that_is_not_an_id(client, cast, unit):
    client.force_login(cast.county_admin)
    response = client.post(reverse("record_sheets_export"), {"unit": unit, "fmt": "pdf", "year": "2026"}, follow=True)
    assert response.status_code == 200
    assert "请选择单位、年度（2000年至今年）和格式。" in response.content.decode()
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("year", ["２０２６", "²⁰²⁶", "99999999999999999999", "-2026"])
def test_record_sheets_export_refuses_a_year_in_other_digits(client, cast, year):
    client.force_login(cast.county_admin)
    client.post(reverse("record_sheets_export"), {"unit": cast.township_a.pk, "fmt": "pdf", "year": year})
    assert not ExportJob.objects.exists()
