from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "公示"

    def ready(self):
        from org.audit_labels import register

        register(
            keys={"places": "公示地点", "after_end": "公示期满后收到", "because": "调整的日期"},
            actions={
                "notice.post": "发布公示",
                "notice.pdf": "导出公示PDF",
                "notice.recount": "公示期重算",
                "objection.add": "登记异议",
                "objection.resolve": "办结异议",
                "calendar.add": "添加节假日安排",
                "calendar.delete": "删除节假日安排",
            },
        )
