"""Pages of dynamic management, per role: out of scope is 404, anonymous goes to /login/, each step only for its
actor; refusals come back as Chinese messages and change nothing."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from lifecycle.models import Removal, Transfer, Use
from reserves.flags import flag_raise
from reserves.models import Filing
from tests.lifecycle.conftest import propose_removal
from tests.test_access_matrix import EDITORS, EDITORS_OF_A1, VIEWERS_OF_A1, everyone, only

D = datetime.date
PROPOSERS_OF_A1 = {"township_a_admin", "township_a_staff", "village_secretary"}
TOWNSHIP_A = {"township_a_admin", "township_a_staff"}
SEE_A1 = VIEWERS_OF_A1 - {"mentor"}

# The rows to add to tests/test_access_matrix.py's MATRIX (objects from tests.lifecycle.conftest.lifecycle_objects).
LIFECYCLE_MATRIX = {
    "lifecycle_home": ("GET", None, everyone(200), 302),
    "record_lifecycle": ("GET", "lc_record", only(SEE_A1), 302),
    "removal_create": ("GET", "lc_record", only(PROPOSERS_OF_A1), 302),
    "use_create": ("GET", "lc_record", only(PROPOSERS_OF_A1), 302),
    "transfer_create": ("GET", "lc_record", only(TOWNSHIP_A), 302),
    "removal_list": ("GET", None, everyone(200), 302),
    "removal_detail": ("GET", "removal", only(SEE_A1), 302),
    "removal_act": ("POST", "removal", only(SEE_A1, ok=302), 302),
    "removal_resubmit": ("GET", "removal_returned", only(PROPOSERS_OF_A1), 302),
    "use_list": ("GET", None, everyone(200), 302),
    "use_detail": ("GET", "use", only(SEE_A1), 302),
    "use_act": ("POST", "use", only(SEE_A1, ok=302), 302),
    "use_resubmit": ("GET", "use_returned", only(PROPOSERS_OF_A1), 302),
    "use_opinions": ("GET", "use", only(EDITORS_OF_A1), 302),
    "use_notice": ("GET", "use_filed", only(TOWNSHIP_A), 302),
    "use_outcome": ("GET", "use", only(TOWNSHIP_A), 302),
    "transfer_list": ("GET", None, everyone(200), 302),
    "transfer_detail": ("GET", "transfer", only(SEE_A1 | {"township_b_admin"}), 302),
    "transfer_act": ("POST", "transfer", only(SEE_A1 | {"township_b_admin"}, ok=302), 302),
    "transfer_resubmit": ("GET", "transfer_returned", only(TOWNSHIP_A), 302),
    "replenish_list": ("GET", None, only(set(everyone()) - {"mentor", "outsider"}), 302),
    "stipend_sheet": ("GET", None, only(EDITORS), 302),
    "stipend_export": ("GET", None, only(EDITORS), 302),
}


def test_every_lifecycle_url_has_a_row():
    from tests.test_access_matrix import named_patterns

    assert {n for n in named_patterns() if n in LIFECYCLE_MATRIX} == set(LIFECYCLE_MATRIX)
    from lifecycle.urls import urlpatterns

    assert {p.name for p in urlpatterns} == set(LIFECYCLE_MATRIX)


@pytest.mark.parametrize("name", sorted(LIFECYCLE_MATRIX))
def test_access_per_role(client, cast, chain_objects, name):
    method, key, expected, anonymous = LIFECYCLE_MATRIX[name]
    url = reverse(name, kwargs=chain_objects[key] if key else None)
    call = client.post if method == "POST" else client.get
    response = call(url)
    assert response.status_code == anonymous
    if anonymous == 302:
        assert response["Location"].startswith("/login/")
    got = {}
    for role, user in cast.users().items():
        client.force_login(user)
        got[role] = call(url).status_code
    assert got == expected
    # nothing moved: an empty POST takes no step
    assert Removal.objects.get(pk=chain_objects["removal"]["pk"]).state == Removal.PROPOSED


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_village_secretary_proposes_with_flags_pre_filled(client, cast, people):
    record = people["a1"]
    flag_raise(record=record, kind="absence", source="attendance:1", reason="连续缺勤18天", on=D(2026, 8, 1))
    client.force_login(cast.village_secretary)
    url = reverse("removal_create", args=[record.pk])
    page = client.get(url)
    html = page.content.decode()
    assert "连续缺勤18天" in html and "请假期满无正当理由逾期不归连续超过十五天" in html
    assert page.context["form"].initial["grounds"] == ["absence"]
    flag = record.flags.get()
    response = client.post(url, {"grounds": ["absence"], "account": "连续缺勤18天", "flags": [flag.pk]})
    removal = Removal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("removal_detail", args=[removal.pk])
    assert list(removal.flags.all()) == [flag]
    # bad input lands on the form with the Chinese reason, nothing saved
    again = client.post(url, {"grounds": ["absence"], "account": "x"})
    assert "已有一条正在办理的取消资格" in again.content.decode()
    assert Removal.objects.count() == 1


def test_the_township_approves_from_the_page_and_the_village_secretary_cannot(client, cast, people):
    removal = propose_removal(cast, people["a1"])
    url = reverse("removal_act", args=[removal.pk])
    client.force_login(cast.village_secretary)
    detail = client.get(reverse("removal_detail", args=[removal.pk])).content.decode()
    assert 'id="approve"' not in detail and 'id="withdraw"' in detail
    response = client.post(url, {"action": "approve"})
    assert any("由乡镇党委" in m for m in _messages(response))
    assert Removal.objects.get(pk=removal.pk).state == Removal.PROPOSED
    client.force_login(cast.township_a_staff)
    assert 'id="approve"' in client.get(reverse("removal_detail", args=[removal.pk])).content.decode()
    response = client.post(url, {"action": "approve", "note": "同意"})
    assert any("待县委组织部备案" in m for m in _messages(response))
    second = client.post(url, {"action": "approve"})  # a double click / a second tab
    assert any("可能已经办理过" in m for m in _messages(second))
    assert Filing.objects.filter(subject=removal.subject).count() == 1
    # another township by a guessed id
    client.force_login(cast.township_b_admin)
    assert client.post(url, {"action": "return", "note": "x"}).status_code == 404
    assert client.get(reverse("removal_detail", args=[removal.pk])).status_code == 404


def test_a_use_through_its_pages(client, cast, people):
    record = people["a2"]
    client.force_login(cast.township_a_admin)
    response = client.post(
        reverse("use_create", args=[record.pk]),
        {
            "target_village": cast.village_a2.pk,
            "position": "cun_member",
            "occasion": "election",
            "recommendation": "推荐",
            "initiator_note": "",
        },
    )
    assert "村（社区）党组织无法提出的原因" in response.content.decode() or "无法推荐" in response.content.decode()
    client.post(
        reverse("use_create", args=[record.pk]),
        {
            "target_village": cast.village_a2.pk,
            "position": "cun_member",
            "occasion": "election",
            "recommendation": "推荐",
            "initiator_note": "村党组织书记外出学习",
        },
    )
    use = Use.objects.get()
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "0"}
    rows = [("discipline", "1", "无问题"), ("other", "1", "同意"), ("health", "", "")]
    for i, (dep, agrees, opinion) in enumerate(rows):
        data |= {
            f"form-{i}-department": dep,
            f"form-{i}-agrees": agrees,
            f"form-{i}-opinion": opinion,
            f"form-{i}-given_on": "2026-09-01",
        }
    page = client.post(reverse("use_opinions", args=[use.pk]), data)
    assert "第2行：“其他部门”须填写部门名称" in page.content.decode()
    data["form-1-department_name"] = "县人社局"
    assert client.post(reverse("use_opinions", args=[use.pk]), data).status_code == 302
    assert [o.label for o in use.opinions.all()] == ["纪检监察", "县人社局"]
    client.post(reverse("use_act", args=[use.pk]), {"action": "approve"})
    assert Use.objects.get(pk=use.pk).state == Use.APPROVED
    assert client.get(reverse("use_notice", args=[use.pk])).status_code == 404  # not filed yet


def test_a_cross_township_transfer_is_agreed_by_the_receiving_township_from_its_page(client, cast, people):
    record = people["a1"]
    client.force_login(cast.township_a_admin)
    form = client.get(reverse("transfer_create", args=[record.pk]) + f"?to={cast.village_b1.pk}")
    assert form.context["form"].initial["target_village"] == cast.village_b1.pk
    client.post(
        reverse("transfer_create", args=[record.pk]),
        {"target_village": cast.village_b1.pk, "reason": "迁居", "on": "2026-11-01"},
    )
    transfer = Transfer.objects.get()
    client.force_login(cast.township_b_admin)
    page = client.get(reverse("transfer_detail", args=[transfer.pk])).content.decode()
    assert "同意调入" in page
    client.post(reverse("transfer_act", args=[transfer.pk]), {"action": "approve"})
    assert Transfer.objects.get(pk=transfer.pk).state == Transfer.TARGET_APPROVED


def test_replenish_page_shows_shortfalls_with_a_selection_link_and_township_candidates(client, cast, people):
    from tests.conftest import make_person, make_record

    for i in range(2):
        make_record(make_person(cast.village_a2, name=f"富余{i}"))  # A2: 3 in the pool, target 2
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("replenish_list"))
    html = response.content.decode()
    assert "缺额 1 名" in html and "兰沟村" in html
    assert f"villages={cast.village_a1.pk}" in html  # the link that starts a selection round for it
    a1 = next(v for v in response.context["rows"] if v.pk == cast.village_a1.pk)
    assert {r.person.name for r in a1.candidates} == {"王甘", "富余0", "富余1"}
    assert f"?to={cast.village_a1.pk}" in html
    client.force_login(cast.county_staff)
    html = client.get(reverse("replenish_list")).content.decode()
    assert "汉阳村" in html and "villages=" not in html  # the county watches; the township starts rounds


def test_stipend_sheet_for_the_township_and_month(client, cast, people):
    from lifecycle.exports import STIPEND_COLUMNS

    cast.policy.stipend_on = True
    cast.policy.stipend_county_monthly = cast.policy.stipend_township_monthly = 1000
    cast.policy.save()
    client.force_login(cast.township_a_admin)
    page = client.get(reverse("stipend_sheet"), {"month": "2026-05"})
    html = page.content.decode()
    assert "青竹街道村级后备干部补贴发放表（2026年5月）" in html and "6000" in html
    bad = client.get(reverse("stipend_sheet"), {"month": "2026-13"})
    assert "请按“2026-06”的格式选择月份" in bad.content.decode()
    client.force_login(cast.township_b_admin)
    other = client.get(reverse("stipend_sheet"), {"township": cast.township_a.pk, "month": "2026-05"})
    assert "请选择" in other.content.decode() or other.context["sheet"] is None
    assert client.get(reverse("stipend_export"), {"township": cast.township_a.pk}).status_code == 404
    assert len(STIPEND_COLUMNS) == 10
