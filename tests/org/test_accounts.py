import pytest
from django.urls import reverse

from org.models import AuditLog, Membership, User


def create(client, **over):
    data = {
        "username": "new_sec",
        "display_name": "王新",
        "role": "village_secretary",
        "password": "Strong2026pw",
        "title": "书记",
    } | over
    return client.post(reverse("account_create"), data)


def test_township_admin_creates_a_village_secretary_for_own_village(client, cast):
    client.force_login(cast.township_a_admin)
    response = create(client, unit=cast.village_a2.pk)
    assert response.status_code == 302
    user = User.objects.get(username="new_sec")
    assert user.must_change_password
    assert Membership.objects.get(user=user).unit == cast.village_a2
    assert user.has_perm("org.view_subtree", cast.village_a2)
    assert AuditLog.objects.filter(action="account.create").exists()


@pytest.mark.parametrize(
    "unit_attr, role",
    [("village_b1", "village_secretary"), ("township_a", "township_admin"), ("county", "county_staff")],
)
def test_township_admin_cannot_create_accounts_elsewhere_or_above(client, cast, unit_attr, role):
    client.force_login(cast.township_a_admin)
    response = create(client, unit=getattr(cast, unit_attr).pk, role=role)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.filter(username="new_sec").exists()


def test_role_must_match_the_unit_level(client, cast):
    client.force_login(cast.county_admin)
    response = create(client, unit=cast.township_a.pk, role="village_secretary")
    assert "只能设在村（社区）一级" in response.content.decode()


@pytest.mark.parametrize(
    "password, fragment", [("Aa123456", "太短"), ("abcdefghijk", "字母和数字"), ("12345678901", "字母和数字")]
)
def test_weak_initial_passwords_are_refused(client, cast, password, fragment):
    client.force_login(cast.county_admin)
    response = create(client, unit=cast.village_a1.pk, password=password)
    assert fragment in response.content.decode()
    assert not User.objects.filter(username="new_sec").exists()


def test_first_login_forces_a_password_change(client, cast):
    client.force_login(cast.county_admin)
    create(client, unit=cast.village_a1.pk)
    client.logout()
    assert client.login(username="new_sec", password="Strong2026pw")
    assert client.get(reverse("person_list")).url == reverse("password_change")
    r = client.post(
        reverse("password_change"),
        {"old_password": "Strong2026pw", "new_password1": "Better2026pw", "new_password2": "Better2026pw"},
    )
    assert r.status_code == 302
    assert client.get(reverse("person_list")).status_code == 200
    assert not User.objects.get(username="new_sec").must_change_password


def test_disabling_an_account_stops_login_and_is_audited(client, cast):
    client.force_login(cast.township_a_admin)
    client.post(reverse("account_toggle", args=[cast.village_secretary.pk]))
    cast.village_secretary.refresh_from_db()
    assert not cast.village_secretary.is_active
    client.logout()
    assert not client.login(username="a1_sec", password="Test2026pass")
    assert AuditLog.objects.filter(action="account.disable").count() == 1


def test_township_b_cannot_disable_township_a_accounts(client, cast):
    client.force_login(cast.township_b_admin)
    assert client.post(reverse("account_toggle", args=[cast.village_secretary.pk])).status_code == 404
    cast.village_secretary.refresh_from_db()
    assert cast.village_secretary.is_active


def test_account_list_shows_only_manageable_accounts(client, cast):
    client.force_login(cast.township_a_admin)
    usernames = {u.username for u in client.get(reverse("account_list")).context["page"]}
    assert usernames == {"a1_sec", "mentor_a"}
