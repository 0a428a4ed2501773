import datetime

import pytest

from reminders import services
from reminders.models import Notification
from reserves.models import CountyPolicy
from reserves.policy import preset_values

D = datetime.date
# Working days of 2026 on the Chinese calendar (the library knows 2026), used as scan dates.
TUE_NOV_3 = D(2026, 11, 3)
TUE_DEC_1 = D(2026, 12, 1)


def scan(cast, on):
    """One county's scan, synchronously, without enqueueing delivery (tests call deliver themselves)."""
    return services.scan_county(cast.county, on, enqueue=False)


def use_preset(cast, preset, since=datetime.date(2026, 1, 1), **over):
    """A new policy version of the cast's county from `preset` (the cast runs QS2017 since 2017)."""
    values = preset_values(preset) | over
    return CountyPolicy.objects.create(county=cast.county, effective_from=since, preset=preset, **values)


def got(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters)


def recipients(kind, **filters) -> set[str]:
    return set(got(kind, **filters).values_list("recipient__username", flat=True))


@pytest.fixture
def with_emails(cast):
    for user in cast.users().values():
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    return cast
