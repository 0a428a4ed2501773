"""“全部标为已读” goes back only to a path on this site (issue 14): a bare word in `next` was taken for a view name."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "target", ["abc", "9" * 400, "a\x00b", "\u202e1202", "//evil.example/x", "https://evil.example/"]
)
def test_read_all_falls_back_to_the_list_for_a_next_that_is_not_a_local_path(client, cast, target):
    client.force_login(cast.township_a_admin)
    response = client.post(reverse("notification_read_all"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("notification_list")


def test_read_all_returns_to_a_local_path(client, cast):
    client.force_login(cast.township_a_admin)
    response = client.post(reverse("notification_read_all"), {"next": "/people/?page=2"})
    assert response["Location"] == "/people/?page=2"
