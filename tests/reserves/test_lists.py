import datetime

from django.urls import reverse

from tests.conftest import make_person, make_record

D = datetime.date


def names(response):
    return sorted(r.person.name if hasattr(r, "person") else r.name for r in response.context["page"])


def test_reserve_list_opens_on_reserves_in_the_pool(client, cast):
    make_record(make_person(cast.village_a1, name="在库"))
    make_record(make_person(cast.village_a1, name="已取消"), ended=D(2024, 1, 1), status="removed")
    client.force_login(cast.township_a_admin)
    assert names(client.get(reverse("record_list"))) == ["在库"]
    assert names(client.get(reverse("record_list"), {"status": "removed"})) == ["已取消"]
    assert names(client.get(reverse("record_list"), {"status": "all"})) == ["在库", "已取消"]


def test_filters_by_township_village_type_education_age_politics_source_and_name(client, cast, people):
    today = D.today()
    young = make_person(
        cast.village_a2,
        name="小青",
        birth=today.replace(year=today.year - 30),
        education="bachelor",
        political_status="league",
        source_group="veteran",
    )
    make_record(young, rtype="secretary_reserve")
    client.force_login(cast.county_admin)
    url = reverse("record_list")
    assert names(client.get(url, {"township": cast.township_b.pk})) == ["赵汉"]
    assert names(client.get(url, {"township": cast.township_a.pk, "village": cast.village_a2.pk})) == ["小青", "王甘"]
    assert names(client.get(url, {"reserve_type": "secretary_reserve"})) == ["小青"]
    assert names(client.get(url, {"education": "bachelor"})) == ["小青"]
    assert names(client.get(url, {"age_band": "le35"})) == ["小青"]
    assert "小青" not in names(client.get(url, {"age_band": "36_45"}))
    assert names(client.get(url, {"political_status": "league"})) == ["小青"]
    assert names(client.get(url, {"source_group": "veteran"})) == ["小青"]
    assert names(client.get(url, {"q": "青"})) == ["小青", "陈青"]
    assert names(client.get(reverse("person_list"), {"q": "汉"})) == ["赵汉"]


def test_a_village_of_another_township_in_the_filter_is_an_error_not_a_leak(client, cast, people):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("record_list"), {"village": cast.village_b1.pk})
    assert "赵汉" not in names(response)
    assert "village" in response.context["form"].errors
