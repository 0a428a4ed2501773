"""Run the reminder scan: `--now` runs every county's scan and the delivery here, synchronously (the demo uses it);
without it the scan is enqueued for the worker, as the beat does each morning."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notices.calendar import is_working_day
from reminders import services
from reminders.channels import NotSent
from reminders.kinds import KIND_LABELS


class Command(BaseCommand):
    help = "扫描到期事项并发送提醒（站内、邮件等）；--now 在本进程内同步完成"

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="在本进程内同步扫描并发送（不经 Celery）")
        parser.add_argument("--date", help="按该日期扫描（YYYY-MM-DD，默认今天）")
        parser.add_argument(
            "--last-working-day",
            action="store_true",
            help="今天不是工作日时，按最近一个工作日扫描（演示数据在周末、节假日也能看到提醒）",
        )

    def handle(self, *args, now=False, date=None, last_working_day=False, **options):
        try:
            on = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}")
        if last_working_day:
            on = previous_working_day(on or timezone.localdate())
        if not now:
            from reminders.tasks import scan

            scan.delay(on.isoformat() if on else None)
            self.stdout.write("已将提醒扫描加入队列，由 Celery worker 执行。")
            return
        results = services.scan_all(on, enqueue=False)
        created = sum(r["created"] for r in results)
        for r in results:
            if not r["working_day"]:
                self.stdout.write(f"{r['county']}：今天不是工作日，不发送提醒。")
            elif r["created"]:
                kinds = "，".join(f"{KIND_LABELS[k]} {n}" for k, n in sorted(r["by_kind"].items()))
                self.stdout.write(f"{r['county']}：新提醒 {r['created']} 条（{kinds}），外发 {r['outbox']} 条。")
        try:
            sent = services.deliver()
        except NotSent as exc:
            self.stderr.write(f"部分外发消息暂未发出，将由定时任务重试：{exc}")
            sent = {}
        self.stdout.write(
            f"提醒扫描完成：{len(results)} 个县，新提醒 {created} 条；外发已发送 {sent.get('sent', 0)} 条，"
            f"失败 {sent.get('failed', 0)} 条。"
        )


def previous_working_day(day: datetime.date) -> datetime.date:
    """`day` if it is a working day (national calendar), else the last one before it (at most a month back)."""
    for _ in range(31):
        if is_working_day(day)[0]:
            return day
        day -= datetime.timedelta(days=1)
    return day
