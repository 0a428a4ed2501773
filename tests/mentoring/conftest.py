import datetime

import pytest

from reserves.models import MentorPairing

D = datetime.date


@pytest.fixture
def pairing(people):
    """A1's reserve (李兰) paired with the mentor account since 2020-03-01."""
    return people["a1"].pairings.get()


@pytest.fixture
def named_pairing(people):
    """A2's reserve (王甘) paired with a village cadre who has no account."""
    return MentorPairing.objects.create(
        record=people["a2"], mentor_name="王书记", mentor_kind="village_head", post="村党支部书记", start=D(2020, 3, 1)
    )


@pytest.fixture
def ql(cast):
    """A QL2022 version for the cast's county from 2018 (leader + cadre pairs, half-yearly and collective talks; no
    quarterly mentoring entry): for tests of QL duties, which the QS cast does not have."""
    from reserves.models import CountyPolicy
    from reserves.policy import preset_values

    cast.policy = CountyPolicy.objects.create(
        county=cast.county, effective_from=D(2018, 1, 1), preset="QL2022", **preset_values("QL2022")
    )
    return cast.policy
