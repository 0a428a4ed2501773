import datetime

import pytest
from django.core.exceptions import ValidationError

from reserves.models import CountyPolicy, ReserveRecord
from reserves.policy import policy_create, policy_in_force, preset_values
from reserves.services import record_close, village_merge
from tests.conftest import make_person, make_record

D = datetime.date


def test_policy_version_in_force_is_the_latest_effective_on_or_before_the_date(cast):
    newer = policy_create(
        actor=cast.county_admin,
        county=cast.county,
        effective_from=D(2024, 1, 1),
        values=preset_values("3YR2024"),
        preset="3YR2024",
    )
    assert policy_in_force(cast.county, D(2023, 12, 31)) == cast.policy
    assert policy_in_force(cast.county, D(2024, 1, 1)) == newer
    assert policy_in_force(cast.county, D(2017, 9, 30)) is None


def test_policy_create_refuses_township_users_and_duplicate_dates(cast):
    with pytest.raises(ValidationError, match="无权"):
        policy_create(
            actor=cast.township_a_admin,
            county=cast.county,
            effective_from=D(2025, 1, 1),
            values=preset_values("QS2017"),
        )
    with pytest.raises(ValidationError, match="已有一个政策版本"):
        policy_create(
            actor=cast.county_admin, county=cast.county, effective_from=D(2017, 10, 1), values=preset_values("QS2017")
        )
    assert CountyPolicy.objects.count() == 1


def test_record_opened_stores_the_policy_version_and_result_it_used(cast):
    from reserves.services import record_open

    old = cast.policy
    policy_create(
        actor=cast.county_admin, county=cast.county, effective_from=D(2024, 1, 1), values=preset_values("3YR2024")
    )
    p = make_person(cast.village_a1, birth=D(1995, 5, 5))
    r = record_open(
        actor=cast.township_a_admin,
        person=p,
        reserve_type="village_reserve",
        village=cast.village_a1,
        entered_on=D(2020, 5, 1),
        entry_method="manual",
        entry_reason="启用前在库",
    )
    assert r.policy == old
    assert {c["key"] for c in r.eligibility} == {"age", "education"}


def test_in_pool_on_a_date_follows_placements_across_a_merge_and_ends_at_removal(cast):
    p = make_person(cast.village_a1)
    record = make_record(p, entered=D(2020, 1, 1))
    village_merge(actor=cast.county_admin, source=cast.village_a1, target=cast.village_a2, on=D(2023, 6, 1))
    record.refresh_from_db()
    record_close(actor=cast.county_admin, record=record, status="removed", ended_on=D(2024, 3, 1), reason="取消")

    def pool(unit, on):
        return set(ReserveRecord.objects.in_pool(unit, on).values_list("pk", flat=True))

    assert pool(cast.village_a1, D(2023, 5, 31)) == {record.pk}
    assert pool(cast.village_a2, D(2023, 5, 31)) == set()
    assert pool(cast.village_a1, D(2023, 6, 1)) == set()
    assert pool(cast.village_a2, D(2023, 6, 1)) == {record.pk}
    assert pool(cast.township_a, D(2024, 2, 29)) == {record.pk}
    assert pool(cast.township_a, D(2024, 3, 1)) == set()
    assert pool(cast.county, D(2019, 12, 31)) == set()
    assert record.village == cast.village_a2


def test_in_pool_counts_each_record_once_and_excludes_other_townships(cast, people):
    on = D(2025, 1, 1)
    assert ReserveRecord.objects.in_pool(cast.township_a, on).count() == 3
    assert ReserveRecord.objects.in_pool(cast.county, on).count() == 4
    assert ReserveRecord.objects.in_pool(cast.village_b1, on).get() == people["b1"]


def _policy_post(client, county, **over):
    from django.urls import reverse

    page = client.get(reverse("policy_create", args=[county.pk]), {"preset": "QL2022"})
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    data.update(over)
    return client.post(reverse("policy_create", args=[county.pk]), data)


def test_county_admin_saves_a_policy_version_from_a_preset_in_the_browser_form(client, cast):
    client.force_login(cast.county_admin)
    response = _policy_post(client, cast.county, effective_from="2025-01-01", note="按清流县办法")
    assert response.status_code == 302
    saved = CountyPolicy.objects.get(effective_from=D(2025, 1, 1))
    assert (saved.preset, saved.reselection_ban_years, saved.stipend_county_monthly, saved.ql7_checklist) == (
        "QL2022",
        5,
        1000,
        True,
    )


def test_policy_form_refuses_unknown_training_forms_and_quorum_over_99(client, cast):
    client.force_login(cast.county_admin)
    response = _policy_post(
        client,
        cast.county,
        effective_from="2025-01-01",
        training_counting_forms=["party_school", "x"],
        quorum_percent=150,
    )
    page = response.content.decode()
    assert "选择一个有效的选项。 x 不在可用的选项中。" in page and "须为1至99" in page
    assert CountyPolicy.objects.count() == 1
