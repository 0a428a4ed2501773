import datetime

import pytest

from selection import services
from tests.conftest import make_person

D = datetime.date


@pytest.fixture
def round_(cast):
    return services.round_open(
        actor=cast.township_a_admin,
        township=cast.township_a,
        villages=[cast.village_a1, cast.village_a2],
        kind="qs",
        reserve_type="village_reserve",
        title="2026年村级后备干部选拔",
        announcement="公告正文",
        announced_on=D(2026, 9, 1),
        nomination_deadline=D(2026, 9, 15),
    )


@pytest.fixture
def trio(cast, round_):
    """Three candidates: two in A1 (one nominated by two channels), one in A2."""
    people = [
        make_person(cast.village_a1, name="甲", birth=D(1992, 3, 3)),
        make_person(cast.village_a1, name="乙", birth=D(1995, 5, 5), sex="F"),
        make_person(cast.village_a2, name="丙", birth=D(1990, 1, 1)),
    ]
    nominate = services.nominate
    ta = cast.township_a_admin
    nominate(
        actor=ta,
        round_=round_,
        village=cast.village_a1,
        channel="village_org",
        nominated_by="兰沟村党总支",
        nominated_on=D(2026, 9, 5),
        person=people[0],
    )
    nominate(
        actor=ta,
        round_=round_,
        village=cast.village_a1,
        channel="members_masses",
        nominated_by="党员王某等5人",
        nominated_on=D(2026, 9, 6),
        person=people[0],
    )
    nominate(
        actor=ta,
        round_=round_,
        village=cast.village_a1,
        channel="self",
        nominated_by="本人",
        nominated_on=D(2026, 9, 6),
        person=people[1],
    )
    nominate(
        actor=ta,
        round_=round_,
        village=cast.village_a2,
        channel="village_org",
        nominated_by="甘家沟村党支部",
        nominated_on=D(2026, 9, 7),
        person=people[2],
    )
    return people


def candidacy_of(round_, person):
    return round_.candidacies.get(person=person)


def run_to_selection(cast, round_, people):
    """Nominations closed, all reviewed and passed, meetings held and votes recorded."""
    ta = cast.township_a_admin
    services.round_close_nominations(actor=ta, round_=round_)
    for p in people:
        services.candidacy_review(actor=ta, candidacy=candidacy_of(round_, p), passed=True, note="符合条件")
    services.round_finish_review(actor=ta, round_=round_)
    services.meeting_record(
        actor=ta,
        round_=round_,
        village=cast.village_a1,
        date=D(2026, 9, 20),
        place="村委会",
        categories=["village_cadres", "member_reps"],
        expected=40,
        present=35,
    )
    services.meeting_record(
        actor=ta,
        round_=round_,
        village=cast.village_a2,
        date=D(2026, 9, 21),
        place="村委会",
        categories=["villager_reps"],
        expected=30,
        present=25,
    )
    c = {p.name: candidacy_of(round_, p).pk for p in people}
    services.votes_record(
        actor=ta,
        round_=round_,
        village=cast.village_a1,
        counts={
            c["甲"]: {"excellent": 20, "competent": 10, "basic": 3, "incompetent": 2},
            c["乙"]: {"excellent": 10, "competent": 12, "basic": 10, "incompetent": 3},
        },
    )
    services.votes_record(
        actor=ta,
        round_=round_,
        village=cast.village_a2,
        counts={c["丙"]: {"excellent": 15, "competent": 8, "basic": 2, "incompetent": 0}},
    )
    services.round_finish_evaluation(actor=ta, round_=round_)
    return c
