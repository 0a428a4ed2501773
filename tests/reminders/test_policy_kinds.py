"""Reminders follow the county's own seed: each kind of a seed's duty is sent only where the county's version in force
has that rule on, and the reminders for every seed frequency that has a rule (QL's half-yearly and collective talks
and shadowing, 3YR's monthly mentor contact, QS's half-yearly analysis) are sent exactly once."""

import pytest

from assessment.models import Absence, Leave
from dashboards.models import HalfYearReport
from mentoring.models import KIND_COLLECTIVE, KIND_HALF_YEARLY, KIND_MONTHLY, Talk, TalkParticipant
from reminders.models import Notification
from tests.conftest import make_person, make_record
from tests.reminders.conftest import D, got, recipients, scan, use_preset
from training.models import SHADOWING, PracticeAssignment

MON_DEC_21 = D(2026, 12, 21)  # a working day in December, after the 20th: every seasonal kind is in season
TOWNSHIP_A = {"ta_admin", "ta_staff"}
# Kinds that are procedure every county follows (not a seed's rule), and the weekly digest.
PROCEDURE = {"notice_ending", "notice_ended", "filing_waiting", "roster_deadline", "digest"}

EXPECTED = {
    "QS2017": {
        "training_risk",
        "mentor_missing",
        "mentor_entry",
        "talk_coverage",
        "quarter_due",
        "appraisal_due",
        "below_target",
        "halfyear_analysis",
    },
    "QL2022": {
        "shadowing_risk",
        "mentor_missing",
        "talk_half_yearly",
        "talk_collective",
        "appraisal_due",
        "leave_overdue",
        "absence",
    },
    "3YR2024": {"training_risk", "mentor_missing", "talk_monthly", "age_over", "age_out", "below_target"},
    "CD2025": {"below_target"},
}


@pytest.fixture
def busy_county(cast, people):
    """Something for every kind to say: nobody trained, shadowed or talked to; three of four unpaired; an overdue
    leave and 20 days away in 兰沟村; a reserve past 45 and one turning 46 within the year (3YR's blocking limit);
    one village reserve per village (short of QS's 2, meets QL's 1; 3YR and CD count 书记后备力量: none)."""
    leave = Leave.objects.create(
        record=people["a1"], village=cast.village_a1, start=D(2026, 12, 1), end=D(2026, 12, 2), reason="事假"
    )
    Leave.objects.filter(pk=leave.pk).update(state=Leave.APPROVED)
    Absence.objects.create(record=people["a1"], village=cast.village_a1, start=D(2026, 11, 1), end=D(2026, 11, 20))
    old = make_record(make_person(cast.village_b1, birth=D(1980, 6, 1), name="四十六"))
    soon = make_record(make_person(cast.village_b1, birth=D(1981, 3, 1), name="将四十六"))  # 46 on 1 March 2027
    return {"old": old, "soon": soon}


def kinds_sent() -> set[str]:
    return set(Notification.objects.values_list("kind", flat=True)) - PROCEDURE


@pytest.mark.parametrize("preset", list(EXPECTED))
def test_a_county_gets_exactly_its_own_seeds_reminders(cast, busy_county, preset):
    use_preset(cast, preset)
    scan(cast, MON_DEC_21)
    assert kinds_sent() == EXPECTED[preset]


def test_each_new_reminder_is_sent_once_under_repeated_scans(cast, busy_county):
    use_preset(cast, "QL2022")
    scan(cast, MON_DEC_21)
    scan(cast, MON_DEC_21)
    scan(cast, D(2026, 12, 22))
    ql = {k: got(k).count() for k in ("talk_half_yearly", "talk_collective", "shadowing_risk")}
    # two townships × their users for the talks (A: admin and staff; B: admin); one per reserve for shadowing
    assert ql == {"talk_half_yearly": 3, "talk_collective": 3, "shadowing_risk": 2 * 3 + 1 * 3}
    use_preset(cast, "3YR2024", since=D(2026, 12, 23))
    for _ in range(2):
        scan(cast, D(2026, 12, 23))
    scan(cast, D(2026, 12, 24))
    assert got("talk_monthly").count() == 3 + 1  # the townships' users, and the mentor for their pairee
    assert (got("age_over").count(), got("age_out").count()) == (1, 1)  # township B's admin
    qs = use_preset(cast, "QS2017", since=D(2026, 12, 25))
    qs.refresh_from_db()
    for day in (D(2026, 12, 28), D(2026, 12, 28), D(2027, 1, 4)):
        scan(cast, day)
    assert got("halfyear_analysis").count() == 1  # the county admin, once for 2026's second half
    assert Notification.objects.values("kind", "subject", "period", "recipient").distinct().count() == (
        Notification.objects.count()
    )


def test_ql_half_yearly_and_collective_talks(cast, people):
    use_preset(cast, "QL2022")
    scan(cast, D(2026, 11, 30))  # before the half's last month: nothing for the half-yearly talk
    assert not got("talk_half_yearly").exists()
    assert recipients("talk_collective") == TOWNSHIP_A | {"tb_admin"}  # from November
    talk = Talk.objects.create(
        kind=KIND_HALF_YEARLY, date=D(2026, 9, 1), unit=cast.township_a, held_by_name="书记", notes="谈话"
    )
    for key in ("a1", "a2", "a3"):
        TalkParticipant.objects.create(talk=talk, record=people[key])
    collective = Talk.objects.create(
        kind=KIND_COLLECTIVE, date=D(2026, 3, 1), unit=cast.township_b, held_by_name="书记", notes="集体谈话"
    )
    TalkParticipant.objects.create(talk=collective, record=people["b1"])
    scan(cast, D(2026, 12, 1))
    assert recipients("talk_half_yearly") == {"tb_admin"}  # township A talked to all three this half
    n = got("talk_half_yearly").first()
    assert n.period == "2026H2" and n.title == "2026年下半年乡镇半年谈话：尚有1名后备干部未谈"
    assert "请于2026年12月31日前完成" in n.body
    # The collective talk was reminded in November to both townships; township B's talk since changes nothing sent.
    assert got("talk_collective").count() == 3
    scan(cast, D(2027, 6, 1))
    assert got("talk_half_yearly", period="2027H1").count() == 3  # a new half: both townships again


def test_3yr_monthly_mentor_contact_from_the_20th(cast, people):
    use_preset(cast, "3YR2024")
    scan(cast, D(2026, 12, 18))
    assert not got("talk_monthly").exists()
    talk = Talk.objects.create(
        kind=KIND_MONTHLY, date=D(2026, 12, 5), unit=cast.township_a, held_by_name="导师", notes="了解情况"
    )
    TalkParticipant.objects.create(talk=talk, record=people["a2"])
    scan(cast, MON_DEC_21)
    township_a = got("talk_monthly", subject=f"org.orgunit:{cast.township_a.pk}").first()
    assert township_a.title == "2026年12月导师每月了解情况：尚有2名后备干部未谈"  # a1, a3; a2 was seen
    (mentor,) = got("talk_monthly", recipient=cast.mentor)
    assert mentor.period == "2026-12" and "李兰" in mentor.body and mentor.url == "/mentoring/mine/"
    scan(cast, D(2027, 1, 20))
    assert got("talk_monthly", period="2027-01", recipient=cast.mentor).count() == 1


def test_ql_shadowing_at_risk(cast):
    use_preset(cast, "QL2022")
    # Entered in 2026's first half: 2026 is their first judged year (an earlier year missed would be overdue now).
    people = {
        key: make_record(make_person(village, name=name), entered=D(2026, 3, 1))
        for key, village, name in (
            ("a1", cast.village_a1, "李兰"),
            ("a2", cast.village_a2, "王甘"),
            ("a3", cast.community_a3, "陈青"),
            ("b1", cast.village_b1, "赵汉"),
        )
    }
    for key in ("a1", "a2"):
        PracticeAssignment.objects.create(
            record=people[key], kind=SHADOWING, content="跟班学习", start=D(2026, 3, 1), end=D(2026, 3, 30)
        )
    scan(cast, D(2026, 10, 30))  # the year's end is more than 60 days away
    assert not got("shadowing_risk").exists()
    scan(cast, D(2026, 11, 2))
    subjects = {n.subject for n in got("shadowing_risk")}
    assert subjects == {f"reserves.reserverecord:{people[k].pk}" for k in ("a3", "b1")}  # a1, a2: 30 days
    n = got("shadowing_risk", subject=f"reserves.reserverecord:{people['a3'].pk}").first()
    assert n.period == "2026-12-31" and "须于2026年12月31日前达到30天" in n.title
    assert recipients("shadowing_risk", subject=n.subject) == TOWNSHIP_A


def test_qs_half_year_analysis_reminds_the_county_until_it_is_saved(cast):
    scan(cast, D(2026, 5, 29))
    assert not got("halfyear_analysis").exists()
    HalfYearReport.objects.create(county=cast.county, year=2026, half=1, assessment_text="分析")
    scan(cast, D(2026, 6, 1))  # the first half's analysis is saved already
    assert not got("halfyear_analysis").exists()
    scan(cast, D(2026, 12, 1))
    (n,) = got("halfyear_analysis")
    assert n.recipient == cast.county_admin and n.period == "2026H2"
    assert n.title == "2026年下半年后备干部队伍分析研判尚未保存"
    assert n.url == f"/dashboards/county/{cast.county.pk}/half-year/2026/2/"
    scan(cast, D(2027, 3, 31))  # still reminded once only
    assert got("halfyear_analysis").count() == 1


def test_the_half_year_analysis_after_the_half_and_not_under_other_seeds(cast):
    scan(cast, D(2026, 7, 1))  # the first half ended unsaved: reminded in the next half's first three months
    assert got("halfyear_analysis", period="2026H1").exists()
    Notification.objects.all().delete()
    scan(cast, D(2026, 10, 8))
    assert not got("halfyear_analysis").exists()  # too late for 2026H1, too early for 2026H2
    use_preset(cast, "QL2022", since=D(2026, 11, 1))
    scan(cast, D(2026, 12, 1))
    assert not got("halfyear_analysis").exists()  # QL has no quarterly review: not a QS-like county


def test_a_cd_county_hears_about_procedure_and_coverage_only(cast, busy_county):
    use_preset(cast, "CD2025")
    scan(cast, MON_DEC_21)
    n = got("below_target", subject=f"org.orgunit:{cast.village_a1.pk}").first()
    # CD: 1 书记后备力量 and 2 “两委”后备力量 per village; a village reserve counts for neither.
    assert "村党组织书记后备力量缺1名（目标1名，在库0名）" in n.body
    assert "村“两委”干部后备力量缺2名（目标2名，在库0名）" in n.body


def test_a_period_that_ended_is_judged_by_the_version_in_force_at_its_end(cast, people):
    """QS until the end of 2026, CD from 2027: in January the county still hears about 2026's QS duties (the fourth
    quarter's review, the year's appraisal, the second half's analysis), and nothing of QS for 2027."""
    use_preset(cast, "CD2025", since=D(2027, 1, 1))
    scan(cast, D(2027, 1, 5))
    assert set(got("quarter_overdue").values_list("period", flat=True)) == {"2026Q4"}
    assert set(got("appraisal_due").values_list("period", flat=True)) == {"2026"}
    assert set(got("halfyear_analysis").values_list("period", flat=True)) == {"2026H2"}
    assert not got("mentor_missing").exists() and not got("training_risk").exists()
