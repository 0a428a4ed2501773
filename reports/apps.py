from django.apps import AppConfig

AUDIT_LABELS = {
    "report.roster": "导出名册",
    "report.export": "后台导出",
    "report.record_sheet": "导出纪实表",
    "report.summary": "导出后备力量名单汇总表",
    "roster.call_create": "发布名册报送通知",
    "roster.submit": "报送名册",
    "roster.accept": "接收报送的名册",
    "roster.return": "退回报送的名册",
}


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表"

    def ready(self):
        from org.audit_labels import register

        register(keys={"submitted": "来自报送的名册"}, actions=AUDIT_LABELS)
