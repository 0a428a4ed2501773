from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "结对帮带"

    def ready(self):
        from org.audit_labels import register

        register(
            keys={"held_by": "谈话人", "participants": "谈话对象", "talk": "谈心谈话", "talk_id": "谈话编号"},
            actions={
                "mentoring.entry_create": "填写结对帮扶情况",
                "mentoring.entry_update": "修改结对帮扶情况",
                "mentoring.talk_create": "登记谈心谈话",
                "mentoring.talk_participant": "登记谈话对象",
                "mentoring.talk_delete": "删除谈话记录",
            },
        )
