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
