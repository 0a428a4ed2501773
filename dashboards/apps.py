from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "统计分析"

    def ready(self):
        from org.forms import ACTION_LABELS

        ACTION_LABELS.update(
            {
                "dashboards.halfyear_save": "保存半年分析评估意见",
                "dashboards.halfyear_pdf": "导出半年分析PDF",
            }
        )
