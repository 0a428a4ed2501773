from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "提醒"

    def ready(self):
        from org.forms import ACTION_LABELS

        ACTION_LABELS.update({"reminders.scan": "提醒扫描", "reminders.preferences": "修改提醒设置"})
