"""The selectors the cultivation view and the 纪实表 compose from."""

import datetime

from mentoring import selectors, services
from reserves.models import MentorPairing
from tests.conftest import make_person, make_record

D = datetime.date
TODAY = D(2026, 11, 22)


def entry(actor, pairing, year, quarter, day, content, assessment=""):
    return services.entry_create(
        actor=actor,
        pairing=pairing,
        year=year,
        quarter=quarter,
        date=day,
        content=content,
        assessment=assessment,
        today=TODAY,
    )


def test_quarter_rows_give_the_four_quarters_of_the_record_sheet(cast, people, pairing):
    record = people["a1"]
    cadre = MentorPairing.objects.create(
        record=record, mentor_name="李主任", mentor_kind="village_cadre", post="村委会主任", start=D(2021, 1, 1)
    )
    entry(cast.mentor, pairing, 2026, 1, D(2026, 3, 31), "学习", "良好")
    entry(cast.township_a_admin, cadre, 2026, 1, D(2026, 2, 3), "调解")
    entry(cast.mentor, pairing, 2026, 2, D(2026, 4, 1), "走访", "优秀")
    entry(cast.mentor, pairing, 2025, 4, D(2025, 12, 31), "去年")
    rows = selectors.quarter_rows(record, 2026)
    assert [r.label for r in rows] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    q1, q2, q3, _q4 = rows
    assert q1.date_text == "2026年2月3日；2026年3月31日"  # by date
    assert q1.mentor_text == "李主任 村委会主任；副镇长"
    assert (q1.content_text, q1.assessment_text) == ("调解；学习", "良好")
    assert (q2.date_text, q2.mentor_text, q2.content_text, q2.assessment_text) == (
        "2026年4月1日",
        "副镇长",
        "走访",
        "优秀",
    )
    assert q3.is_empty and q3.date_text == ""


def test_quarter_rows_many_takes_one_query_for_many_records(cast, people, pairing, django_assert_num_queries):
    entry(cast.mentor, pairing, 2026, 3, D(2026, 8, 1), "x")
    ids = [r.pk for r in people.values()]
    with django_assert_num_queries(1):
        out = selectors.quarter_rows_many(ids, 2026)
        texts = {pk: [r.mentor_text for r in rows] for pk, rows in out.items()}
    assert texts[people["a1"].pk] == ["", "", "副镇长", ""]
    assert texts[people["b1"].pk] == ["", "", "", ""]


def test_talks_of_a_year_oldest_first_with_participant_counts(cast, people, django_assert_num_queries):
    a1, a2 = people["a1"], people["a2"]
    kw = {"actor": cast.township_a_admin, "held_by_name": "刘书记", "today": TODAY}
    old = services.talk_create(kind="collective", date=D(2025, 12, 1), records=[a1], notes="去年", **kw)
    late = services.talk_create(kind="full_coverage", date=D(2026, 9, 1), records=[a1, a2], notes="全覆盖", **kw)
    early = services.talk_create(kind="half_yearly", date=D(2026, 3, 1), records=[a1], notes="半年", **kw)
    with django_assert_num_queries(1):
        talks = selectors.talks_of(a1, 2026)
        summary = [(t.pk, t.get_kind_display(), t.held_by_label, t.n_participants) for t in talks]
    assert summary == [(early.pk, "半年谈话", "刘书记", 1), (late.pk, "全覆盖谈心谈话", "刘书记", 2)]
    assert [t.pk for t in selectors.talks_of(a1)] == [old.pk, early.pk, late.pk]
    assert [t.pk for t in selectors.talks_of(a2, 2025)] == []


def test_mentoring_history_has_every_pairing_entry_and_talk_newest_first(cast, people, pairing):
    record = people["a1"]
    pairing.end = D(2026, 6, 1)
    pairing.save()
    later = MentorPairing.objects.create(
        record=record, mentor_name="新导师", mentor_kind="township_leader", post="镇长", start=D(2026, 6, 1)
    )
    e1 = entry(cast.township_a_admin, pairing, 2026, 1, D(2026, 1, 5), "一")
    e2 = entry(cast.township_a_admin, later, 2026, 3, D(2026, 7, 5), "三")
    t = services.talk_create(
        actor=cast.township_a_admin,
        kind="full_coverage",
        date=D(2026, 7, 1),
        records=[record],
        notes="x",
        held_by_name="刘",
        today=TODAY,
    )
    history = selectors.mentoring_history(record)
    assert [p.pk for p in history.pairings] == [pairing.pk, later.pk]
    assert [e.pk for e in history.entries] == [e2.pk, e1.pk]
    assert [x.pk for x in history.talks] == [t.pk]


def test_record_checks_use_the_policy_in_force(cast):
    record = make_record(make_person(cast.village_a1), entered=D(2020, 3, 1))
    checks = selectors.record_checks(record, on=D(2026, 5, 1))
    assert [c.key for c in checks] == ["pairing", "entry", "full_coverage", "half_yearly", "collective", "monthly"]
    assert [c.status for c in checks] == ["overdue", "na", "due", "na", "na", "na"]
