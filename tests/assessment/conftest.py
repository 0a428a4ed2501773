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
