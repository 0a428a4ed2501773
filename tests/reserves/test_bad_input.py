"""The pool lists read their township filter as an id in ASCII digits within range (issue 14): never a 500."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("township", ["²", "٥", "５", "99999999999999999999", "9223372036854775808", "-1"])
@pytest.mark.parametrize("name", ["record_list", "person_list"])
def test_pool_lists_ignore_a_township_that_is_not_an_id(client, cast, people, name, township):
    client.force_login(cast.township_a_admin)
    assert client.get(reverse(name), {"township": township}).status_code == 200


@pytest.mark.parametrize("ids", [["²"], ["99999999999999999999"], ["٥"]])
def test_filing_inbox_ignores_ids_that_are_not_ids(client, cast, ids):
    client.force_login(cast.county_admin)
    response = client.post(reverse("filing_list"), {"ids": ids, "decision": "file"})
    assert response.status_code in (200, 302)
