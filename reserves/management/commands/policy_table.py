from django.core.management.base import BaseCommand

from reserves.policy import rules_table_markdown


class Command(BaseCommand):
    help = "打印各预设的规则表（README 中的表由此生成）"

    def handle(self, *args, **options):
        self.stdout.write(rules_table_markdown(), ending="")
