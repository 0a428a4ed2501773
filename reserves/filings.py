"""County filing (备案): generic, low in the layering. A higher app submits a filing for something of its own and
registers what happens when the county files or returns it; the county's inbox only calls those handlers."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notices.calendar import Overrides, is_working_day
from notices.models import CalendarDay
from org import roles
from org.audit import audit
from org.scope import get_scope
from reserves.models import Filing


@dataclass
class Handlers:
    on_filed: Callable
    on_returned: Callable
    link: Callable | None = None


_HANDLERS: dict[str, Handlers] = {}


def register(kind: str, *, on_filed: Callable, on_returned: Callable, link: Callable | None = None):
    """Called from a higher app's AppConfig.ready(): handlers take (actor=, filing=, request=); `link(filing)`
    (optional) gives the URL of the page of what is filed, for the inbox."""
    _HANDLERS[kind] = Handlers(on_filed, on_returned, link)


def link_for(filing: Filing) -> str | None:
    handlers = _HANDLERS.get(filing.kind)
    return handlers.link(filing) if handlers is not None and handlers.link is not None else None


@transaction.atomic
def filing_submit(*, actor, kind: str, subject: str, title: str, unit, county, request=None) -> Filing:
    if Filing.objects.filter(subject=subject, state=Filing.SUBMITTED).exists():
        raise ValidationError("该事项已报县委组织部备案，正在等待处理。")
    filing = Filing.objects.create(
        kind=kind, subject=subject, title=title, unit=unit, county=county, submitted_by=actor
    )
    audit(actor, "filing.submit", filing, unit=unit, changes={"title": title}, request=request)
    return filing


@transaction.atomic
def filing_decide(*, actor, filing: Filing, accept: bool, note: str = "", request=None) -> Filing:
    """File (备案) or return (退回) a filing; exactly one decision, even under two clicks."""
    if not get_scope(actor).has(roles.EDIT_PEOPLE, filing.county) or filing.county.level != roles.COUNTY:
        raise ValidationError("只有县委组织部可以办理备案。")
    if not accept and not note.strip():
        raise ValidationError("退回时须说明理由。")
    claimed = Filing.objects.filter(pk=filing.pk, state=Filing.SUBMITTED).update(
        state=Filing.FILED if accept else Filing.RETURNED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=note.strip(),
    )
    if not claimed:
        raise ValidationError("该备案事项已办理，不能重复操作。")
    filing.refresh_from_db()
    handlers = _HANDLERS.get(filing.kind)
    if handlers is not None:
        (handlers.on_filed if accept else handlers.on_returned)(actor=actor, filing=filing, request=request)
    audit(
        actor,
        "filing.file" if accept else "filing.return",
        filing,
        unit=filing.unit,
        changes={"note": note.strip()},
        request=request,
    )
    return filing


def filing_decide_many(
    *, actor, filings: Iterable[Filing], accept: bool, note: str = "", request=None
) -> tuple[list[Filing], list[tuple[Filing, str]]]:
    """Several filings at once: each is decided in its own transaction, so one refusal (already decided by a
    colleague, a record that ended meanwhile) does not undo the others. Returns (done, [(refused, reason)])."""
    if not accept and not note.strip():
        raise ValidationError("退回时须说明理由。")
    done: list[Filing] = []
    refused: list[tuple[Filing, str]] = []
    for filing in filings:
        try:
            done.append(filing_decide(actor=actor, filing=filing, accept=accept, note=note, request=request))
        except ValidationError as exc:
            refused.append((filing, "；".join(exc.messages)))
    return done, refused


def waiting_working_days(filings: list[Filing], today: datetime.date) -> None:
    """Set `age` on each filing: the working days (county calendar) from the day after it was submitted through
    `today`, so one submitted today is 0. One query for all the counties' calendar rows, whatever the number of
    filings; the days are counted once per county over the span, not once per filing."""
    if not filings:
        return
    submitted = {f.pk: timezone.localtime(f.submitted_at).date() for f in filings}
    first = min(submitted.values())
    county_ids = {f.county_id for f in filings}
    rows = (
        CalendarDay.objects.filter(county_id__in=county_ids, date__gte=first, date__lte=max(today, first))
        .order_by()
        .values_list("county_id", "date", "kind")
    )
    days: dict[int, dict[datetime.date, str]] = {c: {} for c in county_ids}
    for county_id, day, kind in rows:
        days[county_id][day] = kind
    cumulative: dict[int, dict[datetime.date, int]] = {}
    for county_id in county_ids:
        table = days[county_id]
        entered = {d.year for d in table}
        overrides = Overrides(table, entered, set(range(first.year, today.year + 1)), county_id)
        running, counts, day = 0, {}, first
        while day <= today:
            if is_working_day(day, overrides=overrides)[0]:
                running += 1
            counts[day] = running
            day += datetime.timedelta(days=1)
        cumulative[county_id] = counts
    for f in filings:
        counts = cumulative[f.county_id]
        start = submitted[f.pk]
        f.age = counts.get(today, 0) - counts.get(start, 0) if start <= today else 0
