"""The per-person rules and their queryset twins must agree on status and deadline (and on "needs attention") for
any history, any entry date (29 February included) and any check date."""

import datetime
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from org import roles
from reserves.builders import make_id, unit
from reserves.models import CountyPolicy, Person, ReservePlacement, ReserveRecord
from tests.training.conftest import policy
from training import rules
from training.models import (
    FORM_LABELS,
    PRACTICE_KIND_CHOICES,
    Enrolment,
    PracticeAssignment,
    TrainingEvent,
    TrainingProgramme,
)

D = datetime.date
FORMS = list(FORM_LABELS)

entry_dates = st.one_of(
    st.dates(min_value=D(2016, 1, 1), max_value=D(2026, 12, 31)),
    st.sampled_from([D(2016, 2, 29), D(2020, 2, 29), D(2024, 2, 29), D(2020, 6, 30), D(2020, 7, 1)]),
)
trainings = st.lists(
    st.tuples(
        st.sampled_from(FORMS),
        st.integers(min_value=-100, max_value=4000),  # end, in days after entry
        st.integers(min_value=1, max_value=80).map(lambda tenths: Decimal(tenths) / 10),
        st.sampled_from([None, None, 0, 1]),  # the 轮训 programme it is a session of (two programmes), if any
    ),
    max_size=6,
)
MODES = [CountyPolicy.COUNT_SINGLE, CountyPolicy.COUNT_PROGRAMME, CountyPolicy.COUNT_SUM]
policies = st.one_of(
    st.builds(
        lambda years, days, forms, mode: policy(
            "QS2017",
            training_window_years=years,
            training_min_days=days,
            training_counting_forms=forms,
            training_count_mode=mode,
        ),
        st.integers(min_value=1, max_value=4),
        st.sampled_from([Decimal(5), Decimal("2.5"), Decimal(3), Decimal(0)]),
        st.sampled_from([[], ["concentrated", "party_school", "outside_county"], ["online"]]),
        st.sampled_from(MODES),
    ),
    st.builds(
        lambda days, forms, mode: policy(
            "3YR2024", training_min_days=days, training_counting_forms=forms, training_count_mode=mode
        ),
        st.sampled_from([Decimal(3), Decimal("2.5"), Decimal("0.5")]),
        st.sampled_from([[], ["concentrated", "meeting"], ["concentrated", "party_school", "night_school"]]),
        st.sampled_from(MODES),
    ),
    # A rule switched off keeps its values: the flag decides.
    st.builds(
        lambda preset: policy(preset, training_on=False, training_min_days=Decimal(3)),
        st.sampled_from(["QS2017", "3YR2024"]),
    ),
    st.just(policy("CD2025")),
)
practice = st.lists(
    st.tuples(
        st.sampled_from([k for k, _ in PRACTICE_KIND_CHOICES] + ["shadowing"] * 3),
        st.integers(min_value=-100, max_value=4000),  # start, in days after entry
        st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    ),
    max_size=5,
)

ended_after = st.one_of(st.none(), st.none(), st.none(), st.integers(min_value=0, max_value=3000))
# The check date: mostly some days after entry (a window's edges included), sometimes a fixed awkward date.
check_dates = st.one_of(
    st.integers(min_value=-30, max_value=4000),
    st.sampled_from([365, 366, 1095, 1096, 1460, 1461, 2190, 2191]),
    st.sampled_from([D(2023, 2, 28), D(2023, 3, 1), D(2024, 2, 29), D(2025, 12, 31), D(2026, 1, 1)]),
)


class RulesAgree(TestCase):
    """Each example runs in its own transaction, rolled back afterwards (hypothesis' Django TestCase)."""

    @classmethod
    def setUpTestData(cls):
        county = unit(roles.COUNTY, "县", "511425")
        cls.township = unit(roles.TOWNSHIP, "镇", "511425100", county)
        cls.village = unit(roles.VILLAGE, "村", "511425100201", cls.township, "cun")

    def _record(self, entered, ended):
        person = Person.objects.create(
            name="测",
            id_number=make_id("511425", D(1990, 1, 1), 1, "M"),
            sex="M",
            birth_date=D(1990, 1, 1),
            education="college",
            political_status="member",
            source_group="veteran",
            village=self.village,
        )
        record = ReserveRecord.objects.create(
            person=person,
            reserve_type="village_reserve",
            village=self.village,
            entered_on=entered,
            entry_method="manual",
            status="active" if ended is None else "removed",
            ended_on=ended,
        )
        ReservePlacement.objects.create(record=record, village=self.village, start=entered, end=ended)
        return record

    def _agree(self, record, pol, on, rule):
        check_fn = rules.training_checks if rule == "training" else rules.shadowing_checks
        annotate = rules.annotate_training_status if rule == "training" else rules.annotate_shadowing_status
        (check,) = check_fn(ReserveRecord.objects.get(pk=record.pk), pol, on)
        event(check.status)  # --hypothesis-show-statistics shows every status is reached
        qs = annotate(ReserveRecord.objects.filter(pk=record.pk), pol, on)
        row = qs.get()
        status, deadline = getattr(row, f"{rule}_status"), rules.deadline_from_key(getattr(row, f"{rule}_due_before"))
        assert (status, deadline) == (check.status, check.deadline), (rule, on, check.reason)
        flagged = qs.filter(rules.attention_q(rule, on)).exists()
        assert flagged == rules.needs_attention(check.status, check.deadline, on)

    @settings(max_examples=250, deadline=None)
    @given(
        entered=entry_dates,
        ended_after=ended_after,
        history=trainings,
        pol=policies,
        on=check_dates,
    )
    def test_training_rule_forms_agree(self, entered, ended_after, history, pol, on):
        ended = entered + datetime.timedelta(days=ended_after) if ended_after is not None else None
        on = on if isinstance(on, datetime.date) else entered + datetime.timedelta(days=on)
        record = self._record(entered, ended)
        programmes = [TrainingProgramme.objects.create(unit=self.township, year=2020, name=f"轮训{i}") for i in (0, 1)]
        for form, offset, days, programme in history:
            end = entered + datetime.timedelta(days=offset)
            span = int(days.to_integral_value(rounding="ROUND_CEILING"))
            event = TrainingEvent.objects.create(
                unit=self.township,
                form=form,
                start=end - datetime.timedelta(days=span - 1),
                end=end,
                days=days,
                content="x",
                organiser="y",
                programme=None if programme is None else programmes[programme],
            )
            Enrolment.objects.create(event=event, record=record)
        self._agree(record, pol, on, "training")

    @settings(max_examples=120, deadline=None)
    @given(
        entered=entry_dates,
        ended_after=ended_after,
        history=practice,
        need=st.sampled_from([0, 30, 1, 45]),
        on_flag=st.sampled_from([True, True, True, False]),
        on=check_dates,
    )
    def test_shadowing_rule_forms_agree(self, entered, ended_after, history, need, on_flag, on):
        ended = entered + datetime.timedelta(days=ended_after) if ended_after is not None else None
        on = on if isinstance(on, datetime.date) else entered + datetime.timedelta(days=on)
        record = self._record(entered, ended)
        for kind, offset, length in history:
            start = entered + datetime.timedelta(days=offset)
            PracticeAssignment.objects.create(
                record=record,
                kind=kind,
                content="x",
                start=start,
                end=None if length is None else start + datetime.timedelta(days=length),
            )
        pol = policy("QL2022", shadowing_on=on_flag, shadowing_days_per_year=need)
        self._agree(record, pol, on, "shadowing")
