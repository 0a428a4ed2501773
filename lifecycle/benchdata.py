"""Benchmark data for the county's filing inbox (not used by the application itself).

    from lifecycle.benchdata import make_filings, delete_for_prefix
    make_filings(county, 500)          # 500 removals waiting for the county, submitted over the last 60 days
    ...time GET /filings/ as the county admin (and /replenish/ as the county admin and the city viewer)...
    delete_for_prefix("5198")          # before deleting the generated records (chains PROTECT them)

Everything is bulk-inserted (a few queries whatever n), straight into the states the services would leave: each
removal approved by the township, its filing submitted, one Step per transition taken."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from lifecycle.models import Removal, Step, Transfer, Use, UseOpinion
from org.models import OrgUnit
from reserves.models import Filing, ReserveRecord


@transaction.atomic
def make_filings(county: OrgUnit, n: int, *, seed: int = 5198, days: int = 60) -> list[Filing]:
    """n removals of open records of `county` (those without an open chain), approved by their township and
    waiting in the county's inbox, submitted at random times over the last `days` days. Returns the filings."""
    rng = random.Random(seed)
    busy = set()
    for model in (Removal, Use, Transfer):
        busy |= set(model.objects.filter(state__in=model.OPEN_STATES).values_list("record_id", flat=True))
    records = list(
        ReserveRecord.objects.open()
        .filter(village__code__startswith=county.code)
        .exclude(pk__in=busy)
        .select_related("person", "village__parent")
        .order_by("id")[:n]
    )
    if len(records) < n:
        raise ValueError(f"{county.name}只有{len(records)}名可用的在库后备干部，不足{n}名。")
    now = timezone.now()
    removals = Removal.objects.bulk_create(
        [
            Removal(
                record=r,
                village=r.village,
                state=Removal.APPROVED,
                proposed_at=now - datetime.timedelta(days=days),
                grounds=["performance"],
                account="基准测试数据",
            )
            for r in records
        ]
    )
    filings = Filing.objects.bulk_create(
        [
            Filing(
                kind="removal",
                subject=f"lifecycle.removal:{removal.pk}",
                title=f"{r.village.parent.name}{r.village.name} {r.person.name}：取消后备干部资格",
                unit=r.village.parent,
                county=county,
            )
            for removal, r in zip(removals, records, strict=True)
        ]
    )
    # auto_now_add ignores a value given at insert: spread the submission times afterwards, one UPDATE per day.
    by_day: dict[int, list[int]] = {}
    for filing in filings:
        by_day.setdefault(rng.randrange(days), []).append(filing.pk)
    for day, ids in by_day.items():
        Filing.objects.filter(pk__in=ids).update(submitted_at=now - datetime.timedelta(days=day, minutes=day * 7))
    for removal, filing in zip(removals, filings, strict=True):
        removal.filing = filing
    Removal.objects.bulk_update(removals, ["filing"], batch_size=1000)
    Step.objects.bulk_create(
        [
            Step(subject=f"lifecycle.removal:{removal.pk}", record_id=removal.record_id, action=action, label=label,
                 state=state, actor_label="基准测试")
            for removal in removals
            for action, label, state in (
                ("propose", "村（社区）党组织提出取消资格建议", "待乡镇党委审批"),
                ("approve", "乡镇党委审批同意，报县委组织部备案", "乡镇党委已同意，待县委组织部备案"),
            )
        ],
        batch_size=1000,
    )  # fmt: skip
    return filings


@transaction.atomic
def delete_for_prefix(prefix: str) -> dict[str, int]:
    """Delete the chains, steps and filings of units under a code prefix (for the generated city: "5198"), so that
    the records they PROTECT can be deleted. Audit entries stay (append-only)."""
    counts = {}
    records = ReserveRecord.objects.filter(village__code__startswith=prefix).values("pk")
    counts["Step"] = Step.objects.filter(record__in=records).delete()[0]
    counts["UseOpinion"] = UseOpinion.objects.filter(use__record__in=records).delete()[0]
    for model in (Removal, Use, Transfer):
        ids = list(model.objects.filter(record__in=records).values_list("pk", flat=True))
        if model is Removal:
            Removal.flags.through.objects.filter(removal_id__in=ids).delete()
        counts[model.__name__] = model.objects.filter(pk__in=ids).delete()[0]
    counts["Filing"] = Filing.objects.filter(unit__code__startswith=prefix).delete()[0]
    return counts
