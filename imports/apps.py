from django.apps import AppConfig
from django.core import checks


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "批量导入"

    def ready(self):
        from org.audit_labels import register

        register(
            keys={"import": "导入批次"},
            actions={
                "import.upload": "上传导入文件",
                "import.confirm": "确认批量导入",
                "import.discard": "放弃批量导入",
                "import.refused": "导入文件被拒绝",
            },
        )
        checks.register(defusedxml_check, checks.Tags.security)


def defusedxml_check(app_configs, **kwargs):
    """openpyxl parses workbooks with defusedxml only when it is importable (and OPENPYXL_DEFUSEDXML is not False)."""
    import openpyxl

    if openpyxl.DEFUSEDXML:
        return []
    return [
        checks.Error(
            "openpyxl is not using defusedxml: uploaded workbooks could carry XML entity bombs.",
            hint="pip install defusedxml, and do not set OPENPYXL_DEFUSEDXML=False.",
            id="imports.E001",
        )
    ]
