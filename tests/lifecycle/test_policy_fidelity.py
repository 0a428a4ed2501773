"""Issue 13 in dynamic management: every seed's removal grounds in its own words (the county's own seed first, old
codes still shown), the stipend only where the county pays one, and the opinions a priority use hears."""

import datetime
import re

from django.urls import reverse

from lifecycle import services
from lifecycle.forms import RemovalForm
from lifecycle.models import GROUND_CHOICES, GROUND_LABELS, Removal, UseOpinion
from lifecycle.templatetags.lifecycle_tags import month_after
from reserves.models import CountyPolicy
from reserves.policy import preset_values
from tests.conftest import make_person, make_record
from tests.lifecycle.conftest import county_files, propose_removal, propose_use, refused

D = datetime.date
TODAY = datetime.date.today()

SEED_WORDS = {
    # QS §二(三)2
    "政治立场不坚定",
    "现实表现不好",
    "群众公认度不高",
    # QL §11 (1)–(6)
    "不能胜任工作的",
    "群众意见较大的",
    "工作时间无法保证的",
    "旷工或者因公外出、请假期满无正当理由逾期不归连续超过十五天，或者一年内累计超过三十天的",
    "工作不服从合理安排或不执行上级有关要求的",
    "其他不遵守工作纪律行为的",
    # QL §14
    "主动辞职",
    "无法胜任",
    "涉嫌违纪违法",
}


def switch(cast, preset):
    """A new version of the cast's county on `preset`, in force from a year ago."""
    return CountyPolicy.objects.create(
        county=cast.county, effective_from=TODAY - datetime.timedelta(days=365), preset=preset, **preset_values(preset)
    )


def group_titles(html):
    return [t.strip() for t in re.findall(r'<div class="small fw-semibold">([^<]+)', html)]


def test_every_seed_ground_is_a_choice_in_the_seed_words():
    assert set(GROUND_LABELS.values()) >= SEED_WORDS
    assert len(GROUND_CHOICES) == len(GROUND_LABELS)  # no code twice


def test_the_form_offers_the_county_own_seed_first(client, cast, people):
    client.force_login(cast.village_secretary)
    url = reverse("removal_create", args=[people["a1"].pk])
    html = client.get(url).content.decode()
    assert group_titles(html)[0].startswith("青神县工作方案")
    assert "本县依据" in html and all(words in html for words in SEED_WORDS)
    assert "补贴" not in html  # QS pays no stipend
    switch(cast, "QL2022")
    html = client.get(url).content.decode()
    titles = group_titles(html)
    assert titles[0] == "清流县管理办法第十一条" and titles[1] == "清流县管理办法第十四条"
    # QL §11 allows removal after weighing the case; it does not force it
    assert "视具体情况作出处理直至取消资格" in html
    assert "补贴自下月起停发" in html and "原则上5年内不得再参加选拔" in html


def test_a_ground_of_another_seed_may_be_chosen_and_unknown_codes_are_refused(cast, people):
    removal = propose_removal(cast, people["a1"], grounds=["ql11_time", "political"])
    assert removal.ground_labels == ["工作时间无法保证的", "政治立场不坚定"]
    other = make_record(make_person(cast.village_a1, name="另一人"))
    assert "不在规定的范围内" in refused(propose_removal, cast, other, grounds=["ql11_time", "x"])
    assert not Removal.objects.filter(record=other).exists()


def test_removals_stored_with_the_first_codes_still_display(client, cast, people):
    removal = Removal.objects.create(
        record=people["a2"],
        village=people["a2"].village,
        state=Removal.PROPOSED,
        grounds=["inability", "absence", "appraisal", "resigned", "discipline", "other"],
        account="旧记录",
    )
    assert "inability" not in "".join(removal.ground_labels)
    assert removal.ground_labels[0] == "无法胜任" and removal.ground_labels[-1] == "其他"
    client.force_login(cast.township_a_admin)
    html = client.get(reverse("removal_detail", args=[removal.pk])).content.decode()
    assert "无法胜任" in html and "涉嫌违纪违法" in html and "年度考核（评估）不称职" in html


def test_a_flag_still_preselects_its_ground(cast, people):
    from reserves.flags import flag_raise

    record = people["a1"]
    flag_raise(record=record, kind="inability", source="report:1", reason="外出务工", on=D(2026, 8, 1))
    prefill = services.removal_prefill(record)
    assert prefill["grounds"] == ["inability"]
    form = RemovalForm(initial=prefill, record=record, preset="QL2022")
    checked = [b.data["value"] for g in form.ground_groups for b in g["boxes"] if b.data["selected"]]
    assert checked == ["inability"]


def _filed_removal(cast, record):
    removal = propose_removal(cast, record)
    services.removal_approve(actor=cast.township_a_admin, removal=removal)
    county_files(cast, removal)
    return Removal.objects.get(pk=removal.pk)


def test_the_stipend_stops_only_where_the_county_pays_one(client, cast, people):
    client.force_login(cast.township_a_admin)
    qs_removal = _filed_removal(cast, people["a1"])
    html = client.get(reverse("removal_detail", args=[qs_removal.pk])).content.decode()
    assert "取消资格" in html and "停发" not in html
    switch(cast, "QL2022")
    ql_removal = _filed_removal(cast, make_record(make_person(cast.village_a1, name="另一人")))
    html = client.get(reverse("removal_detail", args=[ql_removal.pk])).content.decode()
    assert f"补贴自{month_after(ql_removal.ended_on)}起停发" in html


def test_stipend_pages_and_tab_exist_only_for_a_county_that_pays(client, cast, people):
    # QS with amounts left in the version but the rule off: no sheet, no tab (the flag decides, not the amount)
    cast.policy.stipend_county_monthly = cast.policy.stipend_township_monthly = 1000
    cast.policy.save()
    client.force_login(cast.township_a_admin)
    assert client.get(reverse("stipend_sheet"), {"month": "2026-05"}).status_code == 404
    assert client.get(reverse("stipend_export"), {"month": "2026-05"}).status_code == 404
    assert "补贴发放" not in client.get(reverse("removal_list")).content.decode()
    switch(cast, "QL2022")
    assert "补贴发放" in client.get(reverse("removal_list")).content.decode()
    page = client.get(reverse("stipend_sheet"), {"month": f"{TODAY.year}-{TODAY.month:02d}"})
    assert page.status_code == 200 and page.context["sheet"].pays and page.context["sheet"].per_person == 2000


# --- priority use: the village's “两委” members and the party members' and villagers' representatives ----------------


def test_the_use_hears_the_village_sources_beside_the_departments(client, cast, people):
    use = propose_use(cast, people["a1"])
    client.force_login(cast.township_a_admin)
    form = client.get(reverse("use_opinions", args=[use.pk])).content.decode()
    assert "村（社区）“两委”班子成员" in form and "党员群众代表" in form and "纪检监察" in form
    assert form.index("村（社区）“两委”班子成员") < form.index("纪检监察")
    services.use_opinions_record(
        actor=cast.township_a_admin,
        use=use,
        rows=[{"department": "discipline", "agrees": True, "opinion": "无违纪记录", "given_on": TODAY}],
    )
    detail = client.get(reverse("use_detail", args=[use.pk])).content.decode()
    assert "尚未录入村（社区）“两委”班子成员、党员群众代表的意见" in detail
    services.use_opinions_record(
        actor=cast.township_a_admin,
        use=use,
        rows=[
            {"department": "two_committees", "agrees": True, "opinion": "班子会研究同意", "given_on": TODAY},
            {"department": "member_reps", "agrees": False, "opinion": "部分代表认为经验不足", "given_on": TODAY},
        ],
    )
    labels = [o.label for o in UseOpinion.objects.filter(use=use).order_by("id")]
    assert labels == ["纪检监察", "村（社区）“两委”班子成员", "党员群众代表"]
    detail = client.get(reverse("use_detail", args=[use.pk])).content.decode()
    assert "尚未录入" not in detail and "部分代表认为经验不足" in detail
    assert "two_committees" not in detail and "member_reps" not in detail
    # an opinion against (the representatives') needs the township's reason to approve
    assert "党员群众代表不同意" in refused(services.use_approve, actor=cast.township_a_admin, use=use)
    services.use_approve(actor=cast.township_a_admin, use=use, note="经综合研判，同意推荐")


def test_a_posted_opinions_page_saves_a_village_source(client, cast, people):
    use = propose_use(cast, people["a1"])
    client.force_login(cast.township_a_admin)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-department": "member_reps",
        "form-0-department_name": "",
        "form-0-agrees": "1",
        "form-0-opinion": "党员群众代表会议同意",
        "form-0-given_on": TODAY.isoformat(),
    }
    response = client.post(reverse("use_opinions", args=[use.pk]), data)
    assert response.status_code == 302
    assert UseOpinion.objects.get(use=use).label == "党员群众代表"
