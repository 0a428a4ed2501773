from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "selection"
    verbose_name = "选拔"

    def ready(self):
        from reserves.filings import register
        from selection import services

        register("selection", on_filed=services.on_filed, on_returned=services.on_returned)
