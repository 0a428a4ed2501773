"""Every URL pattern × every role, status codes asserted (as Read the Docs' test_privacy_urls). A new view cannot
ship without a row here: test_every_url_pattern_has_a_row fails first."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from PIL import Image

ALL = [
    "county_admin",
    "county_staff",
    "township_a_admin",
    "township_a_staff",
    "township_b_admin",
    "village_secretary",
    "mentor",
    "city_viewer",
    "outsider",
]
VIEWERS_OF_A1 = {
    "county_admin",
    "county_staff",
    "township_a_admin",
    "township_a_staff",
    "village_secretary",
    "mentor",
    "city_viewer",
}
EDITORS_OF_A1 = {"county_admin", "county_staff", "township_a_admin", "township_a_staff"}
EDITORS = EDITORS_OF_A1 | {"township_b_admin"}


def only(allowed, ok=200, other=404):
    return {role: (ok if role in allowed else other) for role in ALL}


def everyone(code=200):
    return dict.fromkeys(ALL, code)


# name -> (method, kwargs key, expected per role, expected for anonymous)
MATRIX = {
    "login": ("GET", None, everyone(302), 200),
    "logout": ("GET", None, everyone(405), 405),
    "password_change": ("GET", None, everyone(200), 302),
    "home": ("GET", None, everyone(200), 302),
    "person_list": ("GET", None, everyone(200), 302),
    "record_list": ("GET", None, everyone(200), 302),
    "person_create": ("GET", None, only(EDITORS), 302),
    "id_lookup": ("GET", None, only({"county_admin", "county_staff"}), 302),
    "person_detail": ("GET", "person", only(VIEWERS_OF_A1), 302),
    "person_photo": ("GET", "person", only(VIEWERS_OF_A1), 302),
    "person_edit": ("GET", "person", only(EDITORS_OF_A1), 302),
    "person_reveal": ("POST", "person_field", only(EDITORS_OF_A1), 302),
    "record_create": ("GET", "person", only(EDITORS_OF_A1), 302),
    "record_close": ("GET", "record", only(EDITORS_OF_A1), 302),
    "pairing_add": ("GET", "record", only(EDITORS_OF_A1), 302),
    "pairing_end": ("GET", "pairing", only(EDITORS_OF_A1), 302),
    "policy_list": ("GET", None, only({"county_admin"}), 302),
    "policy_detail": ("GET", "policy", only({"county_admin"}), 302),
    "policy_create": ("GET", "county", only({"county_admin"}), 302),
    "org_units": ("GET", None, only({"county_admin"}), 302),
    "unit_rename": ("GET", "village", only({"county_admin"}), 302),
    "village_merge": ("GET", "village", only({"county_admin"}), 302),
    "account_list": ("GET", None, only({"county_admin", "township_a_admin", "township_b_admin"}), 302),
    "account_create": ("GET", None, only({"county_admin", "township_a_admin", "township_b_admin"}), 302),
    "account_reset": ("GET", "account", only({"county_admin", "township_a_admin"}), 302),
    "account_toggle": ("POST", "account_other", only({"county_admin", "township_a_admin"}, ok=302), 302),
    "leader_list": ("GET", None, only({"county_admin", "township_a_admin", "township_b_admin"}), 302),
    "leader_assign": ("GET", "village", only({"county_admin", "township_a_admin"}), 302),
    "audit_list": ("GET", None, only({"county_admin"}), 302),
    "attachment_download": ("GET", "attachment", only(VIEWERS_OF_A1 - {"mentor"}), 302),
}


def named_patterns():
    names = set()

    def walk(patterns, namespace=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                if getattr(p, "app_name", None) == "admin" or getattr(p, "namespace", None) == "admin":
                    continue
                walk(p.url_patterns)
            elif p.name:
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_pattern_has_a_row():
    assert named_patterns() == set(MATRIX)


@pytest.fixture
def objects(cast, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record = people["a1"]
    buf = io.BytesIO()
    Image.new("RGB", (30, 40), "red").save(buf, "PNG")
    person = record.person
    person.photo = SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")
    person.save()
    from org.attachments import attachment_save

    pdf = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    attachment = attachment_save(actor=cast.township_a_admin, unit=cast.village_a1, owner="test:1", upload=pdf)
    return {
        "attachment": {"pk": attachment.pk},
        "person": {"pk": person.pk},
        "person_field": {"pk": person.pk, "field": "id_number"},
        "record": {"pk": record.pk},
        "pairing": {"pk": record.pairings.get().pk},
        "policy": {"pk": cast.policy.pk},
        "county": {"county_pk": cast.county.pk},
        "village": {"pk": cast.village_a1.pk},
        "account": {"pk": cast.village_secretary.pk},
        "account_other": {"pk": cast.village_secretary.pk},
    }


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_matrix(client, cast, objects, name):
    method, key, expected, anonymous = MATRIX[name]
    url = reverse(name, kwargs=objects[key] if key else None)
    call = client.post if method == "POST" else client.get
    assert call(url).status_code == anonymous, f"anonymous {name}"
    got = {}
    for role, user in cast.users().items():
        client.force_login(user)
        got[role] = call(url).status_code
        if name == "account_toggle" and got[role] == 302:
            call(url)  # toggle back so the next role sees the same state
    assert got == expected
