from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = "动态管理"

    def ready(self):
        from django.urls import reverse

        from lifecycle import services
        from org.audit_labels import register as register_labels
        from reserves.filings import register

        register_labels(
            actions={
                "removal.propose": "提出取消资格建议",
                "removal.approve": "乡镇党委同意取消资格",
                "removal.return": "乡镇党委退回取消资格建议",
                "removal.resubmit": "重新提交取消资格建议",
                "removal.withdraw": "撤回取消资格建议",
                "removal.file": "县委组织部备案，取消资格",
                "removal.county_return": "县委组织部退回取消资格建议",
                "use.propose": "推荐择优使用",
                "use.opinions": "录入有关部门意见",
                "use.approve": "乡镇党委同意择优使用",
                "use.return": "乡镇党委退回择优使用推荐",
                "use.resubmit": "重新提交择优使用推荐",
                "use.withdraw": "撤回择优使用推荐",
                "use.file": "县委组织部备案择优使用",
                "use.county_return": "县委组织部退回择优使用推荐",
                "use.notice": "发布择优使用公示",
                "use.outcome": "登记择优使用结果",
                "transfer.propose": "提出跨乡镇调动",
                "transfer.done": "乡镇内调动",
                "transfer.approve": "调入乡镇同意调动",
                "transfer.return": "调入乡镇退回调动",
                "transfer.resubmit": "重新提交调动",
                "transfer.withdraw": "撤回调动",
                "transfer.file": "县委组织部同意调动",
                "transfer.county_return": "县委组织部退回调动",
                "stipend.export": "导出补贴发放表",
            }
        )

        def link(name):
            return lambda filing: reverse(name, args=[filing.subject.rsplit(":", 1)[1]])

        register(
            "removal",
            on_filed=services.removal_file,
            on_returned=services.removal_county_return,
            link=link("removal_detail"),
        )
        register("use", on_filed=services.use_file, on_returned=services.use_county_return, link=link("use_detail"))
        register(
            "transfer",
            on_filed=services.transfer_file,
            on_returned=services.transfer_county_return,
            link=link("transfer_detail"),
        )
