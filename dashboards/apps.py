from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "统计分析"

    def ready(self):
        from org.audit_labels import register

        register(
            actions={
                "dashboards.halfyear_save": "保存半年分析评估意见",
                "dashboards.halfyear_pdf": "导出半年分析PDF",
            }
        )
