"""Writes: the scan (claim and write notifications and their outbox rows), delivery through the channels, the sweep
that decides interrupted sends, and the user's own actions (mark read, preferences).

Delivery guarantees (README, "提醒"):

- in-app, exactly once per (kind, subject, period, recipient): rows are inserted with ON CONFLICT DO NOTHING on the
  unique key `notification_once`, in one transaction with their outbox rows; `batch` tells the transaction which rows
  it inserted, so only the winner of a race creates outbox rows;
- other channels, at most once and never silently lost: an outbox row is claimed pending → sending by a conditional
  UPDATE before the channel is called and marked sent (or failed) after. A crash in between leaves it `sending`;
  `decide_interrupted` (run by every scan and every sweep) marks such rows `unknown` — never sent again — and the
  county admin's sent log shows them."""

import datetime
import logging
import uuid
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from org import roles
from org.audit import audit
from org.models import OrgUnit, User
from reserves.models import CountyPolicy

from . import channels
from .kinds import CHANNEL_LABELS, EMAIL, EXTERNAL_CHANNELS, KIND_LABELS
from .models import ChannelAddress, Notification, Outbox, Preference
from .scan import CountyScan, Item, collect, digest_items

logger = logging.getLogger("reminders")

BATCH_SIZE = 1000
# A send takes seconds; a row still `sending` this long after its claim was interrupted (worker killed, machine down).
INTERRUPTED_AFTER = datetime.timedelta(minutes=10)
UNKNOWN_REASON = "发送过程中断，无法确认是否已送达；按“至多发送一次”的原则不再重发（站内提醒不受影响）"


# --- writing notifications ----------------------------------------------------------------------------------------


@dataclass
class Written:
    batch: str
    notifications: int  # rows this call inserted
    outbox: int  # outbox rows created for them
    by_kind: Counter


def write(items: list[Item], *, enqueue: bool = True) -> Written:
    """Claim and write: one notification per (kind, subject, period, recipient) not written before, and one outbox row
    per external channel the recipient has an address for and has not switched off for the kind. Same transaction;
    delivery is enqueued after commit. Query count: ceil(rows / 1000) inserts, one select of the rows won, and (when
    any) three look-ups for the recipients and the outbox inserts."""
    batch = uuid.uuid4().hex
    if not items:
        return Written(batch, 0, 0, Counter())
    now = timezone.now()
    rows: dict[tuple, Notification] = {}
    for item in items:
        for user_id in item.recipients:
            key = (item.kind, item.subject, item.period, user_id)
            if key not in rows:
                rows[key] = Notification(
                    recipient_id=user_id,
                    kind=item.kind,
                    subject=item.subject,
                    period=item.period,
                    title=item.title[:200],
                    body=item.body,
                    url=item.url[:300],
                    unit_code=item.unit_code[:12],
                    created_at=now,
                    batch=batch,
                )
    # One order for every writer, so two concurrent scans take the unique index's locks in the same order.
    ordered = [rows[key] for key in sorted(rows)]
    with transaction.atomic():
        if ordered:
            Notification.objects.bulk_create(ordered, ignore_conflicts=True, batch_size=BATCH_SIZE)
        won = list(Notification.objects.filter(batch=batch).values_list("id", "recipient_id", "kind")) if rows else []
        outbox = _outbox_rows(won, batch, now)
        if outbox:
            Outbox.objects.bulk_create(outbox, batch_size=BATCH_SIZE)
            if enqueue:
                from .tasks import deliver_batch

                transaction.on_commit(lambda: deliver_batch.delay(batch))
    return Written(batch, len(won), len(outbox), Counter(kind for _, _, kind in won))


def _outbox_rows(won, batch: str, now) -> list[Outbox]:
    if not won:
        return []
    user_ids = {user_id for _, user_id, _ in won}
    emails = dict(User.objects.filter(pk__in=user_ids, is_active=True).exclude(email="").values_list("id", "email"))
    addresses = {
        (user_id, channel): address
        for user_id, channel, address in ChannelAddress.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "channel", "address"
        )
    }
    off = set(Preference.objects.filter(user_id__in=user_ids).values_list("user_id", "kind", "channel"))
    out = []
    for notification_id, user_id, kind in won:
        for channel in EXTERNAL_CHANNELS:
            address = emails.get(user_id) if channel == EMAIL else addresses.get((user_id, channel))
            if address and (user_id, kind, channel) not in off:
                out.append(
                    Outbox(
                        notification_id=notification_id,
                        channel=channel,
                        address=address,
                        created_at=now,
                        batch=batch,
                    )
                )
    return out


# --- the scan --------------------------------------------------------------------------------------------------------


def counties(on: datetime.date, under: str = "") -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(level=roles.COUNTY, code__startswith=under).current(on).order_by("code"))


def scan_county(county: OrgUnit, on: datetime.date, *, enqueue: bool = True, policy=...) -> dict:
    """Every reminder kind for one county on `on`, then the weekly digest. Nothing on a day off (the county's
    calendar): a reminder due on a holiday goes out on the next working day."""
    s = CountyScan.load(county, on, policy)
    if not s.is_working(on):
        return {"county": county.code, "working_day": False, "created": 0}
    written = write(collect(s), enqueue=enqueue)
    digest = write(digest_items(s), enqueue=enqueue)
    by_kind = written.by_kind + digest.by_kind
    created = written.notifications + digest.notifications
    if created:
        audit(
            None,
            "reminders.scan",
            county,
            unit=county,
            changes={KIND_LABELS[k]: n for k, n in sorted(by_kind.items())}
            | {"外发消息": written.outbox + digest.outbox},
        )
    return {
        "county": county.code,
        "working_day": True,
        "created": created,
        "outbox": written.outbox + digest.outbox,
        "by_kind": dict(by_kind),
    }


def scan_all(on: datetime.date | None = None, *, enqueue: bool = True, under: str = "") -> list[dict]:
    """The whole scan (of the counties whose code starts with `under`), synchronously: `send_reminders --now` and the
    benchmark. The beat's task fans out one task per county instead."""
    on = on or timezone.localdate()
    decide_interrupted()
    policies = _policies(on)
    return [scan_county(c, on, enqueue=enqueue, policy=policies.get(c.pk)) for c in counties(on, under)]


def _policies(on: datetime.date) -> dict[int, CountyPolicy]:
    """The policy in force of every county (one query)."""
    out: dict[int, CountyPolicy] = {}
    for policy in CountyPolicy.objects.filter(effective_from__lte=on).order_by("county_id", "-effective_from", "-id"):
        out.setdefault(policy.county_id, policy)
    return out


# --- delivery ----------------------------------------------------------------------------------------------------


def _message(row: Outbox) -> channels.Message:
    n = row.notification
    return channels.Message(
        outbox_id=row.pk,
        channel=row.channel,
        address=row.address,
        title=n.title,
        body=n.body,
        url=n.url,
        recipient_name=str(n.recipient),
        kind_label=KIND_LABELS.get(n.kind, n.kind),
    )


def deliver(*, batch: str | None = None, limit: int | None = None) -> dict:
    """Send pending outbox rows (of one batch, or all), each claimed by a conditional UPDATE first. Raises
    channels.NotSent at the end when some could not be sent but certainly did not leave (the caller retries)."""
    qs = Outbox.objects.filter(state=Outbox.PENDING).select_related("notification__recipient").order_by("id")
    if batch is not None:
        qs = qs.filter(batch=batch)
    rows = list(qs[:limit] if limit else qs)
    opened: dict[str, channels.Channel] = {}
    unavailable: dict[str, str] = {}
    done = Counter()
    try:
        for row in rows:
            if row.channel in unavailable:
                continue
            channel = opened.get(row.channel)
            if channel is None:
                channel = channels.make(row.channel)
                try:
                    channel.open()
                except channels.NotSent as exc:
                    unavailable[row.channel] = str(exc)
                    continue
                opened[row.channel] = channel
            claimed = Outbox.objects.filter(pk=row.pk, state=Outbox.PENDING).update(
                state=Outbox.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
            )
            if not claimed:  # another worker has it
                continue
            try:
                channel.send(_message(row))
            except channels.NotSent as exc:
                Outbox.objects.filter(pk=row.pk, state=Outbox.SENDING).update(
                    state=Outbox.PENDING, error=str(exc)[:500]
                )
                unavailable[row.channel] = str(exc)
                done["retry"] += 1
            except Exception as exc:  # noqa: BLE001 - after the claim any failure may have left: never resend
                logger.exception("reminder outbox %s failed", row.pk)
                Outbox.objects.filter(pk=row.pk, state=Outbox.SENDING).update(
                    state=Outbox.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
                )
                done["failed"] += 1
            else:
                Outbox.objects.filter(pk=row.pk, state=Outbox.SENDING).update(
                    state=Outbox.SENT, sent_at=timezone.now(), error=""
                )
                done["sent"] += 1
    finally:
        for channel in opened.values():
            channel.close()
    if unavailable:
        skipped = [r.pk for r in rows if r.channel in unavailable]
        for key, reason in unavailable.items():
            Outbox.objects.filter(pk__in=skipped, channel=key, state=Outbox.PENDING).update(error=reason[:500])
        raise channels.NotSent("；".join(f"{CHANNEL_LABELS[k]}：{v}" for k, v in unavailable.items()))
    return dict(done)


def decide_interrupted(now=None) -> int:
    """Rows claimed and never marked: the send may or may not have happened. At most once: mark them unknown."""
    now = now or timezone.now()
    return Outbox.objects.filter(state=Outbox.SENDING, claimed_at__lt=now - INTERRUPTED_AFTER).update(
        state=Outbox.UNKNOWN, error=UNKNOWN_REASON
    )


# --- the user's own actions ---------------------------------------------------------------------------------------


def mark_read(*, user, notification: Notification) -> bool:
    """Not audited: reading one's own reminders changes nothing anyone else sees but the sent log's 已读."""
    if notification.recipient_id != user.pk:
        raise ValidationError("只能标记自己的提醒。")
    return bool(Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now()))


def mark_all_read(*, user, kind: str = "") -> int:
    qs = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, user, off: set[tuple[str, str]], addresses: dict[str, str], request=None) -> None:
    """Replace the user's opt-outs with `off` ({(kind, channel)}) and their SMS / 政务微信 addresses."""
    unknown = {k for k, _ in off} - set(KIND_LABELS) | {c for _, c in off} - set(EXTERNAL_CHANNELS)
    if unknown:
        raise ValidationError("未知的提醒类型或渠道。")
    current = list(Preference.objects.filter(user=user).values_list("pk", "kind", "channel"))
    before = {(k, c) for _, k, c in current}
    Preference.objects.filter(pk__in=[pk for pk, k, c in current if (k, c) not in off]).delete()
    Preference.objects.bulk_create(
        [Preference(user=user, kind=k, channel=c) for k, c in sorted(off - before)], ignore_conflicts=True
    )
    old_addresses = dict(ChannelAddress.objects.filter(user=user).values_list("channel", "address"))
    for channel, address in addresses.items():
        if address:
            ChannelAddress.objects.update_or_create(user=user, channel=channel, defaults={"address": address})
        else:
            ChannelAddress.objects.filter(user=user, channel=channel).delete()
    changes = {}
    if before != off:
        changes["关闭"] = [_pairs_text(before), _pairs_text(off)]
    for channel, address in addresses.items():
        if old_addresses.get(channel, "") != address:
            changes[CHANNEL_LABELS[channel]] = "已修改" if address else "已删除"
    if changes:
        audit(user, "reminders.preferences", user, changes=changes, request=request)


def _pairs_text(pairs: set[tuple[str, str]]) -> str:
    return "、".join(f"{KIND_LABELS[k]}（{CHANNEL_LABELS[c]}）" for k, c in sorted(pairs)) or "无"
