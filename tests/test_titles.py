"""Every page has a title that says what it is: the browser tab, the history and the bookmarks show it."""

import re

import pytest
from django.urls import reverse

from tests.conftest import make_person
from tests.test_access_matrix import MATRIX, objects  # noqa: F401  (objects is the matrix's fixture)

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
SUFFIX = " · 村级后备干部管理系统"
CJK = re.compile(r"[\u4e00-\u9fff]")

# GET rows of the access matrix and, for each, a role the matrix allows (200).
PAGES = sorted(
    (name, next(role for role, code in expected.items() if code == 200))
    for name, (method, _key, expected, _anon) in MATRIX.items()
    if method == "GET" and 200 in expected.values()
)


def page_title(html: str) -> str | None:
    found = TITLE.search(html)
    if found is None:
        return None
    text = " ".join(found.group(1).split())
    return text.removesuffix(SUFFIX.strip()).removesuffix("·").strip() if text.endswith(SUFFIX.strip()) else text


def test_the_title_helper_sees_an_empty_title():
    assert page_title(f"<title>{SUFFIX}</title>") == ""
    assert page_title(f"<title>新建账号{SUFFIX}</title>") == "新建账号"


@pytest.mark.django_db
def test_every_page_of_the_access_matrix_has_a_chinese_title(client, cast, objects):  # noqa: F811
    users = cast.users()
    missing = []
    checked = 0
    for name, role in PAGES:
        _method, key, _expected, _anon = MATRIX[name]
        client.force_login(users[role])
        response = client.get(reverse(name, kwargs=objects[key] if key else None))
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue  # files (PDF, Excel, photos) have no title
        html = response.content.decode()
        if "<html" not in html:
            continue  # an htmx fragment (the bell) goes into a page that has one
        checked += 1
        title = page_title(html)
        if not title or not CJK.search(title):
            missing.append(f"{name} as {role}: {title!r}")
    assert checked > 80, "the matrix pages were not reached"
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, key",
    [
        ("person_create", None),
        ("record_create", "person"),
        ("account_create", None),
        ("policy_create", "county"),
        ("round_create", None),
        ("id_lookup", None),
        ("password_change", None),
    ],
)
def test_the_seven_pages_reported_without_a_title_have_one(client, cast, name, key):
    kwargs = {
        None: None,
        "person": {"pk": make_person(cast.village_a1, name="新人").pk},
        "county": {"county_pk": cast.county.pk},
    }[key]
    client.force_login(cast.county_admin)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert CJK.search(page_title(response.content.decode()) or "")
