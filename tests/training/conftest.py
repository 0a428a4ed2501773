import datetime
from decimal import Decimal

from reserves.models import CountyPolicy
from reserves.policy import preset_values
from training.models import Enrolment, PracticeAssignment, TrainingEvent, TrainingProgramme

D = datetime.date


def policy(preset="QS2017", **over) -> CountyPolicy:
    """An unsaved policy: the rules only read its fields."""
    values = preset_values(preset) | over
    return CountyPolicy(pk=1, county_id=1, effective_from=D(2000, 1, 1), **values)


def programme(unit, year, name="全覆盖轮训") -> TrainingProgramme:
    return TrainingProgramme.objects.create(unit=unit, year=year, name=name)


def training(
    unit, records, *, end, days, form="concentrated", start=None, content="集中培训", programme=None
) -> TrainingEvent:
    """An event straight in the database (the rule tests need no permissions)."""
    days = Decimal(str(days))
    if start is None:
        start = end - datetime.timedelta(days=max(int(days.to_integral_value(rounding="ROUND_CEILING")) - 1, 0))
    event = TrainingEvent.objects.create(
        unit=unit,
        form=form,
        start=start,
        end=end,
        days=days,
        content=content,
        organiser="县委组织部",
        programme=programme,
    )
    for r in records:
        Enrolment.objects.create(event=event, record=r)
    return event


def shadowing(record, start, end, kind="shadowing") -> PracticeAssignment:
    return PracticeAssignment.objects.create(record=record, kind=kind, content="跟班学习", start=start, end=end)
