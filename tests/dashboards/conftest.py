"""A small hand-built county for the dashboards (QS2017 policy: 2 village reserves per village, age limit 35).

Villages and who is in the pool today:

    township A  兰沟村 a1    P1 李一 (F, 35, 大专, 党员; paired, trained, reviewed last quarter)
                            P2 王二 (M, 36, 本科, 群众; an open removal ground and a removal in progress)
                            P3 张三 (M, 30, 高中, 预备党员)
                            U1 used (已使用) this quarter: not counted
                甘家沟村 a2  P4 陈四 (F, 40, 高中, 共青团员)
                            P5 刘五 (M, 50, 初中, 党员; entered this quarter the day R1 was removed: replenishes)
                            R1 removed (已取消) this quarter: not counted
                青竹社区 a3  P6 周六 (M, 33, 研究生, 群众; transferred here from 汉阳村 in the middle of last quarter)
    township B  汉阳村 b1    (nobody now)
                汉阳社区 b2  P7 赵七 (M, 45, 大专, 党员)

So villages hold 3, 2, 1, 0 and 1 reserves; ages 30, 33, 35 | 36, 40, 45, 50."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment.models import QuarterReview
from org import roles
from org.models import OrgUnit
from reserves.builders import unit
from reserves.compliance import quarter_bounds, quarter_of
from reserves.dates import shift_years_back
from reserves.models import Flag, ReserveRecord
from reserves.services import record_transfer
from tests.conftest import make_person, make_record

TODAY = timezone.localdate()
P1_ENTERED = TODAY - datetime.timedelta(days=400)  # P1's first 3-year training window runs until after today


def born(age: int, days: int = 10) -> datetime.date:
    """A birth date `age` whole years old today, `days` past the birthday (clear of the boundary)."""
    return shift_years_back(TODAY, age) - datetime.timedelta(days=days)


def quarter_start(on: datetime.date) -> datetime.date:
    return quarter_bounds(*quarter_of(on))[0]


def previous_quarter_of(on: datetime.date):
    year, quarter = quarter_of(on)
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


@dataclass
class World:
    cast: object
    b2: OrgUnit
    people: dict  # key -> ReserveRecord
    removed: ReserveRecord
    used: ReserveRecord
    transfer_day: datetime.date
    change_day: datetime.date  # R1 removed, U1 used, P5 entered
    review_quarter: tuple[int, int]


@pytest.fixture
def world(cast) -> World:
    b2 = unit(roles.VILLAGE, "汉阳社区", "511425101101", cast.township_b, OrgUnit.KIND_SHEQU)
    a1, a2, a3, b1 = cast.village_a1, cast.village_a2, cast.community_a3, cast.village_b1
    this_q = quarter_start(TODAY)
    change_day = this_q + datetime.timedelta(days=min(5, (TODAY - this_q).days))
    prev_year, prev_q = previous_quarter_of(TODAY)
    prev_start, prev_end = quarter_bounds(prev_year, prev_q)
    transfer_day = prev_start + (prev_end - prev_start) // 2

    def person(village, name, age, sex, education, political, source="group_leader"):
        return make_person(
            village,
            name=name,
            birth=born(age),
            sex=sex,
            education=education,
            political_status=political,
            source_group=source,
        )

    people = {
        "p1": make_record(person(a1, "李一", 35, "F", "college", "member"), mentor=cast.mentor, entered=P1_ENTERED),
        "p2": make_record(person(a1, "王二", 36, "M", "bachelor", "masses", "veteran")),
        "p3": make_record(person(a1, "张三", 30, "M", "high_school", "probationary")),
        "p4": make_record(person(a2, "陈四", 40, "F", "high_school", "league")),
        "p5": make_record(person(a2, "刘五", 50, "M", "junior", "member", "veteran"), entered=change_day),
        "p6": make_record(person(b1, "周六", 33, "M", "postgraduate", "masses")),
        "p7": make_record(person(b2, "赵七", 45, "M", "college", "member")),
    }
    removed = make_record(person(a2, "罗取消", 38, "M", "college", "member"), status="removed", ended=change_day)
    used = make_record(person(a1, "孙使用", 32, "F", "college", "member"), status="used", ended=change_day)
    record_transfer(actor=cast.county_admin, record=people["p6"], target=a3, on=transfer_day, note="调动")
    people["p6"].refresh_from_db()

    # P1 is trained (QS: one concentrated training of 5 days in each 3-year window) and reviewed last quarter.
    from training import services as training

    event = training.training_create(
        actor=cast.township_a_admin,
        unit=cast.township_a,
        data={
            "form": "concentrated",
            "start": TODAY - datetime.timedelta(days=9),
            "end": TODAY - datetime.timedelta(days=5),
            "days": Decimal(5),
            "content": "集中培训",
            "organiser": "青竹街道党工委",
        },
    )
    training.enrol(actor=cast.township_a_admin, event=event, records=[people["p1"]])
    QuarterReview.objects.create(
        record=people["p1"], year=prev_year, quarter=prev_q, village=a1, township_rating="good"
    )
    Flag.objects.create(
        record=people["p2"], kind=Flag.APPRAISAL, source="test:p2", reason="年度考核不称职", raised_on=TODAY
    )
    return World(
        cast=cast,
        b2=b2,
        people=people,
        removed=removed,
        used=used,
        transfer_day=transfer_day,
        change_day=change_day,
        review_quarter=(prev_year, prev_q),
    )


def add_reserves(cast, n: int, start: int = 0):
    """More reserves in township A's villages (for query counts that must not grow)."""
    villages = [cast.village_a1, cast.village_a2, cast.community_a3]
    for i in range(start, start + n):
        make_record(
            make_person(villages[i % 3], name=f"加{i}", birth=born(25 + i % 30), sex="MF"[i % 2]),
            mentor=cast.mentor if i % 2 else None,
        )
    return ReserveRecord.objects.count()


@pytest.fixture
def busy(world):
    """The world with work in flight: a selection round, a removal, a filing and a notice."""
    from notices.services import notice_post
    from reserves.filings import filing_submit
    from selection import services as selection
    from tests.lifecycle.conftest import propose_removal

    cast = world.cast
    round_ = selection.round_open(
        actor=cast.township_a_admin,
        township=cast.township_a,
        villages=[cast.village_a1],
        kind="qs",
        reserve_type="village_reserve",
        title="选拔",
        announcement="x",
        announced_on=TODAY,
        nomination_deadline=TODAY + datetime.timedelta(days=7),
    )
    propose_removal(cast, world.people["p2"])
    notice_post(
        actor=cast.township_a_admin,
        kind="candidate",
        unit=cast.township_a,
        county=cast.county,
        subject=round_.subject,
        title="公示",
        body="x",
        start=TODAY,
        working_days=1,
        posting_day_counts=True,
        places=[(cast.village_a1, "兰沟村公示栏")],
    )
    filing_submit(
        actor=cast.township_a_admin,
        kind="selection",
        subject=round_.subject,
        title="备案",
        unit=cast.township_a,
        county=cast.county,
    )
    return world
