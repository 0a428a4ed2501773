"""Hostile values in the selection pages are refused, never a 500 (issue 14); the stage filter follows the process;
the announcement downloads under a Chinese name."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse

from selection.models import Round


@pytest.mark.parametrize("township", ["²", "٥", "５", "99999999999999999999", "-1", "a\x00b"])
def test_round_list_ignores_a_township_that_is_not_an_ascii_id(client, cast, round_, township):
    client.force_login(cast.county_admin)
    response = client.get(reverse("round_list"), {"township": township})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [round_]  # not filtered on a value that is no id


def test_round_list_filters_on_a_real_township(client, cast, round_):
    client.force_login(cast.county_admin)
    response = client.get(reverse("round_list"), {"township": cast.township_b.pk})
    assert list(response.context["page"].object_list) == []


def test_round_create_refuses_a_20_digit_village_without_writing(client, cast):
    client.force_login(cast.township_a_admin)
    before = Round.objects.count()
    response = client.post(
        reverse("round_create"),
        {
            "township": cast.township_a.pk,
            "villages": ["99999999999999999999", str(cast.village_a1.pk)],
            "kind": "qs",
            "reserve_type": "village_reserve",
            "title": "选拔",
            "announcement": "公告",
            "announced_on": "2026-09-01",
            "nomination_deadline": "2026-09-10",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["villages"]
    assert Round.objects.count() == before


def test_stage_filter_lists_stages_in_process_order(client, cast, round_):
    client.force_login(cast.county_admin)
    keys = [key for key, _label in client.get(reverse("round_list")).context["stages"]]
    assert keys[0] == "announced"
    assert keys.index("review") < keys.index("evaluation") < keys.index("inspection") < keys.index("filing")
    assert keys.index("review") < keys.index("exam") < keys.index("joint_review") < keys.index("decision")
    assert keys[-2:] == ["closed", "cancelled"]


def test_announcement_pdf_has_a_chinese_file_name(client, cast, round_):
    client.force_login(cast.township_a_admin)
    response = client.get(reverse("round_announcement_pdf", kwargs={"pk": round_.pk}))
    assert response.status_code == 200
    name = f"选拔公告-{cast.township_a.name}-{datetime.date(2026, 9, 1).year}.pdf"
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote(name)}"


@pytest.mark.parametrize("raw", ["²", "٥", "５", "99999999999999999999", "1.5", "a\x00b"])
def test_a_vote_count_in_other_digits_is_a_chinese_error(raw):
    from django.core.exceptions import ValidationError

    from selection.views import _int

    with pytest.raises(ValidationError, match="票数须为整数"):
        _int(raw)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "1e999", "٥", "８０", "1_0"])
def test_a_score_that_decimal_would_read_is_refused_unless_plain_ascii(raw):
    from django.core.exceptions import ValidationError

    from selection.views import _score

    with pytest.raises(ValidationError, match="成绩须为数字"):
        _score(raw)


def test_plain_scores_and_counts_still_parse():
    from decimal import Decimal

    from selection.views import _int, _score

    assert (_int(" 12 "), _int(""), _score("85.5"), _score("")) == (12, 0, Decimal("85.5"), None)
