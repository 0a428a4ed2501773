"""Demo data for the reports: this year's roster call of the demo county, one township's roster submitted and one
accepted, so 名册报送 shows every state. Does nothing when a call already exists."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from org import roles
from org.models import Membership, OrgUnit
from reports import submissions
from reports.models import RosterCall


class Command(BaseCommand):
    help = "报表演示数据：本年度名册报送通知，一个乡镇已报送、一个已接收。"

    def handle(self, *args, **options):
        if RosterCall.objects.exists():
            return
        county = OrgUnit.objects.filter(level=roles.COUNTY).order_by("code").first()
        if county is None:
            return
        admin = Membership.objects.filter(unit=county, role="county_admin").select_related("user").first()
        year = timezone.localdate().year
        townships = list(OrgUnit.objects.filter(parent=county, level=roles.TOWNSHIP).order_by("code")[:2])
        with transaction.atomic():
            call = submissions.call_create(
                actor=admin.user if admin else None,
                county=county,
                year=year,
                deadline=datetime.date(year, 11, 30),
                note="请各乡镇按附件1格式报送本乡镇村级后备干部名册。",
            )
            for i, township in enumerate(townships):
                member = Membership.objects.filter(unit=township, role="township_admin").select_related("user").first()
                submission = submissions.submission_submit(
                    actor=member.user if member else None, call=call, township=township
                )
                if i == 0 and admin:
                    submissions.submission_decide(actor=admin.user, submission=submission, accept=True)
        self.stdout.write(f"名册报送演示：{call}，{len(townships)}个乡镇已报送。")
