from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "培训与实践"

    def ready(self):
        from org.audit_labels import register

        register(
            keys={
                "training": "培训",
                "enrolled": "参训人员",
                "event_id": "培训编号",
                "practice_id": "实践锻炼编号",
                "programme": "轮训班次",
            },
            actions={
                "training.create": "登记培训",
                "training.update": "修改培训",
                "training.delete": "删除培训",
                "training.enrol": "培训报名",
                "training.unenrol": "取消培训报名",
                "training.single": "登记个人培训",
                "training.programme_create": "登记轮训班",
                "training.programme_update": "修改轮训班",
                "training.programme_delete": "删除轮训班",
                "practice.create": "登记实践锻炼",
                "practice.update": "修改实践锻炼",
                "practice.delete": "删除实践锻炼",
            },
        )
