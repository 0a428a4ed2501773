"""Benchmark: one full reminder scan (every kind, every county) of the generated city, its time and query count, then
the same scan again (nothing new: the steady state of a daily run) and the delivery of the e-mails it queued.

    manage.py generate_city --size city        # once (or pass --generate here)
    manage.py bench_reminders [--date 2026-12-07]

Every bench_* account gets an address (name@bench.example) so the outbox is exercised; delivery uses the in-memory
e-mail backend. Reminders of a previous run under the generated city are deleted first."""

import datetime
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import override_settings
from django.utils import timezone

from org.models import User
from reminders import services
from reminders.kinds import KIND_LABELS
from reminders.models import Notification, Outbox
from reports.management.commands.generate_city import CITY_CODE, SIZES, USER_PREFIX, generated_exists
from reserves.models import ReserveRecord


def _timed(fn):
    """(result, seconds, queries, batched inserts of notifications and outbox rows). Counted with an execute wrapper:
    CaptureQueriesContext keeps only the last 9,000."""
    counts = {"all": 0, "inserts": 0}
    ours = ("reminders_notification", "reminders_outbox")

    def count(execute, sql, params, many, context):
        counts["all"] += 1
        if sql.startswith("INSERT") and any(t in sql for t in ours):
            counts["inserts"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return result, elapsed, counts["all"], counts["inserts"]


class Command(BaseCommand):
    help = "基准测试：对生成的示范市二做一次完整的提醒扫描，报告用时和查询次数"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="city", help="配合 --generate 使用")
        parser.add_argument("--generate", action="store_true", help="先运行 generate_city --replace")
        parser.add_argument("--date", help="扫描日期 YYYY-MM-DD（默认今天；选12月的周一可覆盖最多的提醒类型）")

    def handle(self, *args, size, generate, date, **options):
        if generate:
            call_command("generate_city", size=size, replace=True, verbosity=0)
        elif not generated_exists():
            raise CommandError("未找到生成的数据：请先运行 manage.py generate_city --size city（或加 --generate）。")
        try:
            on = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}")
        Notification.objects.filter(unit_code__startswith=CITY_CODE).delete()
        User.objects.filter(username__startswith=USER_PREFIX).update(email=Concat("username", Value("@bench.example")))
        reserves = ReserveRecord.objects.filter(village__code__startswith=CITY_CODE, ended_on__isnull=True).count()
        users = User.objects.filter(username__startswith=USER_PREFIX).count()

        results, first, queries, inserts = _timed(lambda: services.scan_all(on, enqueue=False, under=CITY_CODE))
        counties = len(results)
        created = sum(r["created"] for r in results)
        outbox = sum(r.get("outbox", 0) for r in results)
        by_kind: dict[str, int] = {}
        for r in results:
            for kind, n in r.get("by_kind", {}).items():
                by_kind[kind] = by_kind.get(kind, 0) + n
        _again, second, queries2, inserts2 = _timed(lambda: services.scan_all(on, enqueue=False, under=CITY_CODE))
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            sent, delivery, queries3, _ = _timed(services.deliver)

        w = self.stdout.write
        w(
            f"数据库 {connection.vendor}；扫描日期 {on}；{counties} 个县，"
            f"在库后备干部 {reserves:,} 名，账号 {users:,} 个。"
        )
        w(
            f"首次完整扫描：{first:.2f} 秒，查询 {queries} 次（其中批量写入 {inserts} 次，其余 {queries - inserts} 次，"
            f"每县 {(queries - inserts) / max(counties, 1):.1f} 次）；新提醒 {created:,} 条，外发 {outbox:,} 条。"
        )
        w("  " + "，".join(f"{KIND_LABELS[k]} {n:,}" for k, n in sorted(by_kind.items())))
        w(
            f"再次扫描（无新提醒）：{second:.2f} 秒，查询 {queries2} 次（批量写入 {inserts2} 次，"
            f"其余 {queries2 - inserts2} 次）。"
        )
        w(
            f"发送外发邮件（内存后端）：{delivery:.2f} 秒，已发送 {sent.get('sent', 0):,} 封，"
            f"查询 {queries3} 次（每封先认领、后标记）。"
        )
        w(f"目标：一次完整扫描 ≤ 30 秒{'，达到' if first <= 30 else '，未达到'}。")
        self.outbox_left = Outbox.objects.filter(state=Outbox.PENDING).count()
