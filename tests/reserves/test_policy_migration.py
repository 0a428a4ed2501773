"""The rule-flags migration on a database holding versions saved under the leaky presets and open flags: stored
versions are history (each gets the switches that say what the code then did with it, nothing else changes), and the
policy page can then tell them from the corrected presets."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reserves", "0005_filing_transfer_inbox")]
AFTER = [("reserves", "0006_policy_rule_flags")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_stored_versions_keep_what_they_did_and_open_flags_stay_open():
    old = _migrate(BEFORE)
    OrgUnit = old.get_model("org", "OrgUnit")
    CountyPolicy = old.get_model("reserves", "CountyPolicy")
    day = datetime.date(2017, 1, 1)
    county = OrgUnit.objects.create(level="county", name="甲县", code="519901", valid_from=day)
    # A CD county as the old preset_values made it: QS's training window and talk leaked in, QL's leave and absence.
    cd = CountyPolicy.objects.create(
        county=county,
        effective_from=datetime.date(2025, 1, 1),
        preset="CD2025",
        target_village_reserve=0,
        target_secretary_reserve=1,
        target_committee_reserve=2,
        age_limit=None,
        education_floor="",
        training_window="rolling",
        training_window_years=3,
        training_min_days=5,
        talk_full_coverage_yearly=True,
    )
    # A 3YR version whose calendar-year rule added every training up.
    yr = CountyPolicy.objects.create(
        county=county,
        effective_from=datetime.date(2024, 1, 1),
        preset="3YR2024",
        target_village_reserve=0,
        target_secretary_reserve=2,
        age_limit=45,
        age_mode="block",
        young_per_village=True,
        education_floor="college",
        party_requirement="full",
        training_window="calendar",
        training_window_years=1,
        training_min_days=3,
        talk_full_coverage_yearly=True,
        talk_mentor_monthly=True,
    )
    township = OrgUnit.objects.create(level="township", name="甲镇", code="519901100", parent=county, valid_from=day)
    village = OrgUnit.objects.create(level="village", name="甲村", code="519901100201", parent=township, valid_from=day)
    Person = old.get_model("reserves", "Person")
    ReserveRecord = old.get_model("reserves", "ReserveRecord")
    Flag = old.get_model("reserves", "Flag")
    person = Person.objects.create(
        name="王五",
        id_number="11010519491231002X",
        sex="F",
        birth_date=datetime.date(1949, 12, 31),
        village=village,
        education="college",
        source_group="group_leader",
    )
    record = ReserveRecord.objects.create(
        person=person,
        reserve_type="secretary_reserve",
        village=village,
        entered_on=datetime.date(2025, 3, 1),
        entry_method="manual",
    )
    flag = Flag.objects.create(record=record, kind="absence", source="x:1", reason="连续缺勤20天", raised_on=day)

    new = _migrate(AFTER)
    CountyPolicy = new.get_model("reserves", "CountyPolicy")
    cd = CountyPolicy.objects.get(pk=cd.pk)
    # what the code did with it: the leaked rules stay on (history), the targets too
    assert cd.training_on and cd.training_count_mode == "single" and cd.talk_full_coverage_yearly
    assert cd.leave_routing_on and cd.absence_on and cd.quarter_review_on and cd.target_on
    assert not cd.age_on and not cd.education_on and not cd.stipend_on and not cd.reselection_ban_on
    assert (cd.target_secretary_reserve, cd.target_committee_reserve, cd.training_min_days) == (1, 2, 5)
    yr = CountyPolicy.objects.get(pk=yr.pk)
    assert yr.training_count_mode == "sum", "the old calendar rule added every training up"
    assert yr.age_on and yr.education_on and yr.party_on and yr.talk_mentor_monthly
    assert new.get_model("reserves", "Flag").objects.get(pk=flag.pk).resolved_on is None

    # Back on the current models: the versions differ from the corrected presets, field by field.
    from reserves.models import CountyPolicy as Current
    from reserves.policy import differences_from_preset

    diff = differences_from_preset(Current.objects.get(pk=cd.pk))
    assert {"training_on", "talk_full_coverage_yearly", "leave_routing_on", "absence_on", "quarter_review_on"} <= diff
    assert "target_on" not in diff and "target_committee_reserve" not in diff


@pytest.fixture(autouse=True)
def _back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
