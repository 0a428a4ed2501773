from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = "动态管理"

    def ready(self):
        from django.urls import reverse

        from lifecycle import services
        from reserves.filings import register

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
