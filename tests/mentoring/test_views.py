"""Pages per role: a mentor sees and writes only the reserves paired with them; other townships get 404; readers
read; anonymous users go to the login page. Bad input shows a Chinese message and writes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring import services
from mentoring.models import MentoringEntry, Talk
from reserves.compliance import quarter_bounds, quarter_of
from reserves.models import MentorPairing

D = datetime.date
TODAY = timezone.localdate()
YEAR, QUARTER = quarter_of(TODAY)
Q_START, Q_END = quarter_bounds(YEAR, QUARTER)

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
ROLES = [
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


def status_of(client, cast, role, url, method="get"):
    client.force_login(cast.users()[role])
    return getattr(client, method)(url).status_code


def anonymous_goes_to_login(client, url):
    response = client.get(url)
    return response.status_code == 302 and response.url.startswith("/login/")


@pytest.fixture
def talk(cast, people):
    return services.talk_create(
        actor=cast.township_a_admin,
        kind="collective",
        date=Q_START,
        records=[people["a1"], people["a2"], people["a3"]],
        notes="集体谈话",
        held_by_name="刘书记",
        held_by_post="街道党工委书记",
    )


# --- 我的帮带对象 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_mine_page_is_for_mentors_only(client, cast, people, role):
    assert status_of(client, cast, role, reverse("mentoring_mine")) == (200 if role == "mentor" else 404)


def test_mine_lists_only_current_pairings_with_the_quarter_status(client, cast, people, pairing):
    MentorPairing.objects.create(
        record=people["a2"],
        mentor_user=cast.mentor,
        mentor_kind="village_cadre",
        post="x",
        start=D(2020, 3, 1),
        end=D(2021, 1, 1),
    )
    client.force_login(cast.mentor)
    rows = client.get(reverse("mentoring_mine")).context["pairings"]
    assert [(p.record.person.name, p.entry_now) for p in rows] == [("李兰", None)]
    entry = services.entry_create(
        actor=cast.mentor, pairing=pairing, year=YEAR, quarter=QUARTER, date=Q_START, content="帮扶"
    )
    response = client.get(reverse("mentoring_mine"))
    assert [p.entry_now for p in response.context["pairings"]] == [entry.pk]
    assert reverse("mentoring_entry_edit", args=[entry.pk]) in response.content.decode()


def test_mine_redirects_anonymous(client):
    assert anonymous_goes_to_login(client, reverse("mentoring_mine"))


# --- a record's mentoring page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_record_page_per_role(client, cast, people, role):
    url = reverse("mentoring_record", args=[people["a1"].pk])
    assert status_of(client, cast, role, url) == (200 if role in VIEWERS_OF_A1 else 404)


def test_mentor_gets_404_for_a_reserve_not_paired_with_them(client, cast, people):
    client.force_login(cast.mentor)
    assert client.get(reverse("mentoring_record", args=[people["a2"].pk])).status_code == 404


def test_record_page_shows_the_four_quarters_and_the_talks(client, cast, people, pairing, talk):
    services.entry_create(actor=cast.mentor, pairing=pairing, year=YEAR, quarter=QUARTER, date=Q_START, content="帮扶")
    client.force_login(cast.village_secretary)
    response = client.get(reverse("mentoring_record", args=[people["a1"].pk]), {"year": YEAR})
    rows = response.context["rows"]
    assert [r.label for r in rows] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert rows[QUARTER - 1].mentor_text == "副镇长"
    assert [t.pk for t in response.context["talks"]] == [talk.pk]
    assert response.context["writable_ids"] == set()  # a village secretary reads


def test_record_page_redirects_anonymous(client, people):
    assert anonymous_goes_to_login(client, reverse("mentoring_record", args=[people["a1"].pk]))


# --- entries -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_entry_add_per_role(client, cast, pairing, role):
    url = reverse("mentoring_entry_add", args=[pairing.pk])
    assert status_of(client, cast, role, url) == (200 if role in EDITORS_OF_A1 | {"mentor"} else 404)


def test_mentor_cannot_open_the_entry_form_of_a_pairing_not_theirs(client, cast, named_pairing):
    client.force_login(cast.mentor)
    assert client.get(reverse("mentoring_entry_add", args=[named_pairing.pk])).status_code == 404


def test_mentor_writes_an_entry_through_the_form(client, cast, pairing):
    client.force_login(cast.mentor)
    url = reverse("mentoring_entry_add", args=[pairing.pk])
    data = {"year": YEAR, "quarter": QUARTER, "date": Q_START.isoformat(), "content": "化解矛盾纠纷", "next": "mine"}
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == reverse("mentoring_mine")
    entry = MentoringEntry.objects.get()
    assert (entry.pairing, entry.created_by, entry.content) == (pairing, cast.mentor, "化解矛盾纠纷")
    # The same quarter again: the form now opens the existing entry for editing.
    response = client.get(url, {"year": YEAR, "quarter": QUARTER})
    assert response.status_code == 302 and response.url == reverse("mentoring_entry_edit", args=[entry.pk])


def test_a_date_outside_the_quarter_shows_the_reason_and_writes_nothing(client, cast, pairing):
    client.force_login(cast.township_a_admin)
    outside = Q_START - datetime.timedelta(days=1)
    data = {"year": YEAR, "quarter": QUARTER, "date": outside.isoformat(), "content": "x"}
    response = client.post(reverse("mentoring_entry_add", args=[pairing.pk]), data)
    assert response.status_code == 200
    assert "不在" in response.context["form"].errors["date"][0]
    assert not MentoringEntry.objects.exists()


def test_a_future_quarter_is_refused_by_the_form(client, cast, pairing):
    client.force_login(cast.township_a_admin)
    data = {"year": YEAR, "quarter": QUARTER, "date": Q_START.isoformat(), "content": "x"}
    data["year"] = YEAR + 1  # not a choice yet: the form refuses it
    response = client.post(reverse("mentoring_entry_add", args=[pairing.pk]), data)
    assert response.status_code == 200 and "year" in response.context["form"].errors
    assert not MentoringEntry.objects.exists()


def test_empty_content_is_refused(client, cast, pairing):
    client.force_login(cast.mentor)
    data = {"year": YEAR, "quarter": QUARTER, "date": Q_START.isoformat(), "content": ""}
    response = client.post(reverse("mentoring_entry_add", args=[pairing.pk]), data)
    assert response.context["form"].errors["content"] == ["请填写帮扶内容。"]
    assert not MentoringEntry.objects.exists()


@pytest.fixture
def entry(cast, pairing):
    return services.entry_create(
        actor=cast.mentor, pairing=pairing, year=YEAR, quarter=QUARTER, date=Q_START, content="帮扶"
    )


@pytest.mark.parametrize("role", ROLES)
def test_entry_edit_per_role(client, cast, entry, role):
    url = reverse("mentoring_entry_edit", args=[entry.pk])
    assert status_of(client, cast, role, url) == (200 if role in EDITORS_OF_A1 | {"mentor"} else 404)


def test_entry_edit_changes_the_assessment(client, cast, entry):
    client.force_login(cast.township_a_staff)
    data = {"date": entry.date.isoformat(), "content": entry.content, "assessment": "表现突出"}
    response = client.post(reverse("mentoring_entry_edit", args=[entry.pk]), data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.assessment == "表现突出" and (entry.year, entry.quarter) == (YEAR, QUARTER)


def test_entry_pages_redirect_anonymous(client, entry):
    assert anonymous_goes_to_login(client, reverse("mentoring_entry_add", args=[entry.pairing_id]))
    assert anonymous_goes_to_login(client, reverse("mentoring_entry_edit", args=[entry.pk]))


# --- quarterly bulk sheet ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_quarter_sheet_per_role(client, cast, people, role):
    expected = 200 if role in EDITORS_OF_A1 | {"township_b_admin"} else 404
    assert status_of(client, cast, role, reverse("mentoring_quarter")) == expected


def test_township_b_cannot_open_township_a_on_the_quarter_sheet(client, cast, people):
    client.force_login(cast.township_b_admin)
    response = client.get(reverse("mentoring_quarter"), {"township": cast.township_a.pk})
    # Township A is not a choice for them: the sheet stays on their own township and shows nothing of A.
    assert response.status_code == 200 and response.context["unit"] == cast.township_b
    assert response.context["rows"] == []


def test_quarter_sheet_saves_all_rows_or_none(client, cast, pairing, named_pairing):
    client.force_login(cast.township_a_admin)
    url = reverse("mentoring_quarter") + f"?year={YEAR}&quarter={QUARTER}"
    rows = {r["pairing"].pk for r in client.get(url).context["rows"]}
    assert rows == {pairing.pk, named_pairing.pk}
    bad = {
        f"p{pairing.pk}-date": Q_START.isoformat(),
        f"p{pairing.pk}-content": "甲",
        f"p{named_pairing.pk}-date": (Q_START - datetime.timedelta(days=1)).isoformat(),
        f"p{named_pairing.pk}-content": "乙",
    }
    response = client.post(url, bad)
    assert response.status_code == 200 and not MentoringEntry.objects.exists()
    errors = {r["pairing"].pk: r["form"].errors for r in response.context["rows"] if r["form"] is not None}
    assert "不在" in errors[named_pairing.pk]["date"][0] and not errors[pairing.pk]
    good = bad | {f"p{named_pairing.pk}-date": Q_START.isoformat()}
    response = client.post(url, good)
    assert response.status_code == 302 and MentoringEntry.objects.count() == 2
    assert client.get(url).context["missing"] == 0


def test_quarter_sheet_skips_empty_rows(client, cast, pairing, named_pairing):
    client.force_login(cast.township_a_admin)
    url = reverse("mentoring_quarter") + f"?year={YEAR}&quarter={QUARTER}"
    response = client.post(url, {f"p{pairing.pk}-date": Q_START.isoformat(), f"p{pairing.pk}-content": "甲"})
    assert response.status_code == 302
    assert list(MentoringEntry.objects.values_list("pairing_id", flat=True)) == [pairing.pk]


# --- talks ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_talk_list_per_role(client, cast, talk, role):
    client.force_login(cast.users()[role])
    response = client.get(reverse("talk_list"))
    assert response.status_code == 200
    visible = [t.pk for t in response.context["page"]]
    assert visible == ([talk.pk] if role in VIEWERS_OF_A1 else [])


@pytest.mark.parametrize("role", ROLES)
def test_talk_detail_per_role(client, cast, talk, role):
    url = reverse("talk_detail", args=[talk.pk])
    assert status_of(client, cast, role, url) == (200 if role in VIEWERS_OF_A1 else 404)


def test_talk_detail_shows_only_the_participants_one_may_see(client, cast, talk):
    client.force_login(cast.village_secretary)
    response = client.get(reverse("talk_detail", args=[talk.pk]))
    assert [p.record.person.name for p in response.context["participants"]] == ["李兰"]
    assert response.context["hidden"] == 2 and "另有 2 人" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_talk_create_per_role(client, cast, people, role):
    expected = 200 if role in EDITORS_OF_A1 | {"township_b_admin", "mentor", "village_secretary"} else 404
    assert status_of(client, cast, role, reverse("talk_create")) == expected


def test_county_user_picks_a_township_first(client, cast, people):
    client.force_login(cast.county_admin)
    response = client.get(reverse("talk_create"))
    assert response.templates[0].name == "mentoring/talk_pick_township.html"
    response = client.get(reverse("talk_create"), {"township": cast.township_a.pk})
    assert response.templates[0].name == "mentoring/talk_form.html"
    assert response.context["n_choices"] == 3
    # A pre-selected reserve survives the township choice.
    response = client.get(reverse("talk_create"), {"record": people["a1"].pk, "kind": "full_coverage"})
    link = f"?record={people['a1'].pk}&amp;kind=full_coverage&amp;township={cast.township_a.pk}"
    assert link in response.content.decode()


def test_township_b_cannot_pick_township_a(client, cast, people):
    client.force_login(cast.township_b_admin)
    assert client.get(reverse("talk_create"), {"township": cast.township_a.pk}).status_code == 404


def test_township_records_a_full_coverage_talk_for_everyone_at_once(client, cast, people):
    client.force_login(cast.township_a_admin)
    data = {
        "kind": "full_coverage",
        "date": TODAY.isoformat(),
        "held_by_user": cast.township_a_admin.pk,
        "held_by_post": "街道党工委书记",
        "notes": "逐一谈心谈话",
        "all_in_pool": "on",
    }
    response = client.post(reverse("talk_create"), data)
    talk = Talk.objects.get()
    assert response.status_code == 302 and response.url == reverse("talk_detail", args=[talk.pk])
    assert {r.pk for r in talk.records.all()} == {people["a1"].pk, people["a2"].pk, people["a3"].pk}


def test_township_records_a_talk_with_the_ticked_participants(client, cast, ql, people):
    client.force_login(cast.township_a_staff)
    data = {
        "kind": "collective",
        "date": TODAY.isoformat(),
        "held_by_name": "刘书记",
        "notes": "集体谈话",
        "records": [people["a1"].pk, people["a3"].pk],
    }
    assert client.post(reverse("talk_create"), data).status_code == 302
    assert {r.pk for r in Talk.objects.get().records.all()} == {people["a1"].pk, people["a3"].pk}


def test_a_participant_of_another_township_cannot_be_ticked(client, cast, ql, people):
    client.force_login(cast.township_a_admin)
    data = {"kind": "collective", "date": TODAY.isoformat(), "held_by_name": "刘", "notes": "x"}
    response = client.post(reverse("talk_create"), data | {"records": [people["a1"].pk, people["b1"].pk]})
    assert response.status_code == 200 and not Talk.objects.exists()
    assert "所选谈话对象有误，请刷新页面后重试。" in response.context["form"].non_field_errors()


def test_a_talk_without_participants_is_refused(client, cast, ql, people):
    client.force_login(cast.township_a_admin)
    data = {"kind": "collective", "date": TODAY.isoformat(), "held_by_name": "刘", "notes": "x"}
    response = client.post(reverse("talk_create"), data)
    assert "请至少选择一名谈话对象。" in response.context["form"].non_field_errors()
    assert not Talk.objects.exists()


def test_a_future_talk_date_is_refused(client, cast, ql, people):
    client.force_login(cast.township_a_admin)
    tomorrow = TODAY + datetime.timedelta(days=1)
    data = {"kind": "collective", "date": tomorrow.isoformat(), "held_by_name": "刘", "notes": "x"}
    response = client.post(reverse("talk_create"), data | {"records": [people["a1"].pk]})
    assert response.context["form"].errors["date"] == ["谈话日期不能晚于今天。"]
    assert not Talk.objects.exists()


def test_mentor_sees_only_their_paired_reserves_and_mentor_kinds(client, cast, people):
    client.force_login(cast.mentor)
    response = client.get(reverse("talk_create"), {"record": people["a1"].pk})
    form = response.context["form"]
    assert [k for k, _ in form.fields["kind"].choices] == ["mentor", "monthly"]
    assert [(r.pk, checked) for _v, items in response.context["groups"] for r, checked in items] == [
        (people["a1"].pk, True)
    ]
    data = {"kind": "mentor", "date": TODAY.isoformat(), "notes": "了解思想动态"}
    response = client.post(reverse("talk_create"), data | {"records": [people["a2"].pk]})
    assert response.status_code == 200 and not Talk.objects.exists()
    response = client.post(reverse("talk_create"), data | {"records": [people["a1"].pk]})
    assert response.status_code == 302
    assert Talk.objects.get().held_by_user == cast.mentor


@pytest.mark.parametrize("role", ROLES)
def test_talk_delete_per_role(client, cast, talk, role):
    url = reverse("talk_delete", args=[talk.pk])
    assert status_of(client, cast, role, url) == (200 if role in EDITORS_OF_A1 else 404)


def test_talk_delete_needs_a_reason(client, cast, talk):
    client.force_login(cast.township_a_admin)
    url = reverse("talk_delete", args=[talk.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and Talk.objects.exists()
    assert client.post(url, {"reason": "误录"}).status_code == 302 and not Talk.objects.exists()


def test_talk_pages_redirect_anonymous(client, talk):
    for url in (
        reverse("talk_list"),
        reverse("talk_create"),
        reverse("talk_detail", args=[talk.pk]),
        reverse("talk_delete", args=[talk.pk]),
        reverse("mentoring_quarter"),
        reverse("mentoring_compliance"),
    ):
        assert anonymous_goes_to_login(client, url), url


# --- compliance ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_compliance_per_role(client, cast, people, role):
    expected = 404 if role in ("mentor", "outsider") else 200
    assert status_of(client, cast, role, reverse("mentoring_compliance")) == expected


def names(response):
    return sorted(r.person.name for r in response.context["page"])


def test_compliance_lists_the_unpaired_and_who_lacks_this_quarter_and_this_years_talk(client, cast, people, pairing):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("mentoring_compliance"))
    assert names(response) == ["李兰", "王甘", "陈青"]
    # A shortcut records the full-coverage talk for everyone on the page who lacks it.
    ids = [r.pk for r in response.context["page"]]
    assert response.context["talk_links"] == [("全覆盖谈心谈话", "full_coverage", ids)]
    assert f"?township={cast.township_a.pk}&amp;kind=full_coverage" in response.content.decode()
    summary = {key: n for key, _label, n in response.context["summary"]}
    assert summary == {"pairing": 2, "entry": 1, "full_coverage": 3}  # QS: no half-yearly, collective, monthly
    assert response.context["total"] == 3
    # Fill 李兰's quarter and hold the full-coverage talk for her: she drops off.
    services.entry_create(actor=cast.mentor, pairing=pairing, year=YEAR, quarter=QUARTER, date=TODAY, content="x")
    services.talk_create(
        actor=cast.township_a_admin,
        kind="full_coverage",
        date=TODAY,
        records=[people["a1"]],
        notes="x",
        held_by_name="刘书记",
    )
    assert names(client.get(reverse("mentoring_compliance"))) == ["王甘", "陈青"]
    response = client.get(reverse("mentoring_compliance"), {"rule": "entry"})
    assert names(response) == []


def test_compliance_filters_by_village_and_says_which_pair_is_missing(client, cast, ql, people, pairing):
    client.force_login(cast.county_admin)
    response = client.get(
        reverse("mentoring_compliance"), {"township": cast.township_a.pk, "village": cast.village_a1.pk}
    )
    assert names(response) == ["李兰"]
    row = response.context["page"][0]
    assert row.pairing_text == "缺少村干部结对"
    # QL2022: pairs and its two talks; the quarterly entry is QS's and is not asked for (the page says so).
    assert [k for k, _ in response.context["rules"]] == ["pairing", "half_yearly", "collective"]
    assert "青神县的政策未要求：季度帮扶情况、全覆盖谈心谈话、导师每月了解情况" in response.content.decode()


def test_compliance_is_scoped(client, cast, people):
    client.force_login(cast.township_b_admin)
    assert names(client.get(reverse("mentoring_compliance"))) == ["赵汉"]
    client.force_login(cast.village_secretary)
    assert names(client.get(reverse("mentoring_compliance"))) == ["李兰"]


def test_records_out_of_the_pool_are_not_listed(client, cast, people):
    record = people["a2"]
    record.ended_on, record.status = TODAY, "used"
    record.save()
    record.placements.update(end=TODAY)
    client.force_login(cast.township_a_admin)
    assert names(client.get(reverse("mentoring_compliance"))) == ["李兰", "陈青"]


def test_city_viewer_picks_a_county(client, cast, people):
    client.force_login(cast.city_viewer)
    response = client.get(reverse("mentoring_compliance"))
    assert response.context["county"] == cast.county
    assert len(names(response)) == 4


def test_an_absurd_year_in_the_query_string_falls_back(client, cast, people, talk):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("mentoring_record", args=[people["a1"].pk]), {"year": "99999"})
    assert response.status_code == 200 and response.context["year"] == TODAY.year
    assert client.get(reverse("talk_list"), {"year": "99999"}).status_code == 200


def test_an_absurd_quarter_in_the_query_string_falls_back(client, cast, pairing):
    client.force_login(cast.mentor)
    response = client.get(reverse("mentoring_entry_add", args=[pairing.pk]), {"year": "99999", "quarter": "70000"})
    assert response.status_code == 200
    assert response.context["form"].initial == {"year": YEAR, "quarter": 1}


# --- village secretaries' talks (QL §15 经常性谈心谈话) ----------------------------------------------------------


def test_village_secretary_records_a_talk_with_their_villages_reserve(client, cast, people):
    client.force_login(cast.village_secretary)
    response = client.get(reverse("talk_create"), {"record": people["a1"].pk})
    form = response.context["form"]
    assert [k for k, _ in form.fields["kind"].choices] == ["regular"]
    offered = [r.pk for _v, items in response.context["groups"] for r, _checked in items]
    assert offered == [people["a1"].pk]  # only 兰沟村's reserves
    data = {"kind": "regular", "date": TODAY.isoformat(), "notes": "了解思想动态，给予鼓励"}
    response = client.post(reverse("talk_create"), data | {"records": [people["a2"].pk]})
    assert response.status_code == 200 and not Talk.objects.exists()
    assert client.post(reverse("talk_create"), data | {"records": [people["a1"].pk]}).status_code == 302
    talk = Talk.objects.get()
    assert talk.held_by_user == cast.village_secretary and talk.kind == "regular"
    record_page = client.get(reverse("mentoring_record", args=[people["a1"].pk])).content.decode()
    assert f"?record={people['a1'].pk}&amp;kind=regular" in record_page


def test_village_secretary_gets_404_for_another_villages_reserve(client, cast, people):
    client.force_login(cast.village_secretary)
    assert client.get(reverse("talk_create"), {"record": people["a2"].pk}).status_code == 404
    assert client.get(reverse("mentoring_record", args=[people["b1"].pk])).status_code == 404


def test_township_is_offered_only_the_talks_its_county_asks_for(client, cast, people):
    client.force_login(cast.township_a_admin)
    kinds = [k for k, _ in client.get(reverse("talk_create")).context["form"].fields["kind"].choices]
    assert kinds == ["mentor", "full_coverage", "regular"]  # QS2017


# --- rules the county's policy does not ask for ------------------------------------------------------------------


def test_under_cd_the_compliance_page_says_nothing_is_asked(client, cast, people):
    from reserves.models import CountyPolicy
    from reserves.policy import preset_values

    CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2018, 1, 1), preset="CD2025", **preset_values("CD2025")
    )
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("mentoring_compliance"))
    text = response.content.decode()
    assert response.context["rules"] == [] and "未要求结对帮带、季度帮扶情况和谈心谈话" in text
    assert "未结对" not in text and "CD2025" not in text


def test_under_ql_the_quarter_sheet_says_no_entry_is_asked_and_entries_are_refused(client, cast, ql, pairing):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("mentoring_quarter"))
    assert response.context["rows"] == [] and "本县政策未要求每季度填写结对帮扶情况" in response.content.decode()
    with pytest.raises(Exception, match="本县政策未要求每季度填写结对帮扶情况"):
        services.entry_create(
            actor=cast.township_a_admin, pairing=pairing, year=YEAR, quarter=QUARTER, date=TODAY, content="帮扶"
        )
    assert not MentoringEntry.objects.exists()
    client.force_login(cast.mentor)
    text = client.get(reverse("mentoring_mine")).content.decode()
    assert "本县政策未要求每季度填写结对帮扶情况" in text
    assert reverse("mentoring_entry_add", args=[pairing.pk]) not in text
    text = client.get(reverse("mentoring_record", args=[pairing.record_id])).content.decode()
    assert "本县政策未要求：季度帮扶情况" in text and "填写本季度帮扶情况" not in text
