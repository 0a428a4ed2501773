"""County filing (备案): generic, low in the layering. A higher app submits a filing for something of its own and
registers what happens when the county files or returns it; the county's inbox only calls those handlers."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from org import roles
from org.audit import audit
from org.scope import get_scope
from reserves.models import Filing


@dataclass
class Handlers:
    on_filed: Callable
    on_returned: Callable


_HANDLERS: dict[str, Handlers] = {}


def register(kind: str, *, on_filed: Callable, on_returned: Callable):
    """Called from a higher app's AppConfig.ready(): handlers take (actor=, filing=, request=)."""
    _HANDLERS[kind] = Handlers(on_filed, on_returned)


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
