from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "组织架构"

    def ready(self):
        # The login/logout receivers live in org.security; connect them at start-up rather than when the middleware
        # first imports the module, so a login before the first request is stamped and audited the same way.
        from org import security  # noqa: F401
