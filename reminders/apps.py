from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "提醒"

    def ready(self):
        from org.audit_labels import register

        register(actions={"reminders.scan": "提醒扫描", "reminders.preferences": "修改提醒设置"})
