"""Mentoring filters parse their query string in one place (issue 14): a hostile township is ignored, never a 500."""

import pytest
from django.urls import reverse

from mentoring.views import _int


@pytest.mark.parametrize("township", ["²", "٥", "５", "99999999999999999999", "9223372036854775808", "-1"])
def test_compliance_ignores_a_township_that_is_not_an_id(client, cast, township):
    client.force_login(cast.county_admin)
    assert client.get(reverse("mentoring_compliance"), {"township": township}).status_code == 200


@pytest.mark.parametrize("raw", ["²", "٥", "５", "99999999999999999999", "-1", "", None, " "])
def test_query_numbers_are_ascii_and_bounded(raw):
    assert _int(raw, "default") == "default"


def test_query_numbers_keep_ascii_digits():
    assert (_int("0"), _int("2026"), _int(" 7 ")) == (0, 2026, 7)
