import datetime

import pytest

from org.models import VillageLeader
from tests.conftest import make_person, make_record

D = datetime.date


@pytest.fixture
def leader(cast):
    """township_a_staff is the 包村领导 of 兰沟村 (village A1) since 2020."""
    return VillageLeader.objects.create(
        village=cast.village_a1, user=cast.township_a_staff, start=D(2020, 1, 1), assigned_by=cast.township_a_admin
    )


@pytest.fixture
def a1_record(cast):
    return make_record(make_person(cast.village_a1, name="李兰"), entered=D(2020, 3, 1))


ENTERED = D(2020, 3, 1)


def populate_village(village, n, *, entered=ENTERED):
    return [make_record(make_person(village, name=f"后备{i:02d}"), entered=entered) for i in range(n)]


@pytest.fixture
def ql(cast):
    """A QL2022 version for the cast's county from 2018 (leave routing, absence thresholds, inability reports, annual
    appraisal; no quarterly review): for tests of QL duties, which the QS cast does not have."""
    from reserves.models import CountyPolicy
    from reserves.policy import preset_values

    cast.policy = CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2018, 1, 1), preset="QL2022", **preset_values("QL2022")
    )
    return cast.policy
