import datetime

import pytest

from notices import services
from notices.models import Notice

D = datetime.date
START = D(2026, 9, 30)  # a Wednesday; 3 working days end Fri 2026-10-09 (National Day between)


def post_notice(cast, *, start=START, days=3, actor=None, counts=True, places=None, **extra) -> Notice:
    """A township A notice posted in village A1 (the defaults: 3 working days from Wed 2026-09-30)."""
    fields = {
        "actor": actor or cast.township_a_admin,
        "kind": Notice.KIND_CANDIDATE,
        "unit": cast.township_a,
        "county": cast.county,
        "subject": "test.round:1",
        "title": "关于青竹街道村级后备干部考察对象的公示",
        "body": "经民主评议、组织考察，拟确定以下同志为村级后备干部考察对象，现予公示。",
        "start": start,
        "working_days": days,
        "posting_day_counts": counts,
        "places": places if places is not None else [(cast.village_a1, "兰沟村村务公开栏")],
        "contact": "0833-8888888（街道党工委组织办）",
    }
    return services.notice_post(**(fields | extra))


@pytest.fixture
def notice(cast):
    return post_notice(cast)
