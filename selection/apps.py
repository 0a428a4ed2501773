from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "selection"
    verbose_name = "选拔"

    def ready(self):
        from org.audit_labels import register as register_labels
        from reserves.filings import register
        from selection import services

        register_labels(
            keys={
                "notice1": "考察对象公示期满日",
                "notice2": "村内公示",
                "by": "推荐人",
                "team": "考察组",
                "returned": "退回",
                "channel": "推荐方式",
            },
            actions={
                "selection.open": "发布选拔公告",
                "selection.stage": "选拔进入下一阶段",
                "selection.nominate": "录入推荐",
                "selection.review": "资格审查",
                "selection.withdraw": "候选人退出",
                "selection.meeting": "登记评选会议",
                "selection.votes": "录入测评票数",
                "selection.inspection": "登记考察情况",
                "selection.scores": "录入考试成绩",
                "selection.joint_review": "录入协审意见",
                "selection.announcement_pdf": "导出选拔公告",
            },
        )

        register("selection", on_filed=services.on_filed, on_returned=services.on_returned)
