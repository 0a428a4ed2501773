from django.apps import AppConfig


class ReservesConfig(AppConfig):
    name = "reserves"
    verbose_name = "后备干部库"

    def ready(self):
        from org.audit_labels import register
        from reserves import choices as C

        register(
            values={"type": dict(C.RESERVE_TYPE_CHOICES)},
            keys={
                "found": "查到人员",
                "id_number": "身份证号",
                "reserve_type": "后备干部类型",
                "mentor": "帮带干部",
                "into": "并入",
                "records_moved": "迁移的记录数",
            },
            actions={
                "person.create": "登记人员",
                "person.update": "修改人员",
                "person.reveal": "查看完整信息",
                "person.lookup": "按身份证号查询",
                "person.move": "人员调整所在村",
                "record.open": "入库",
                "record.close": "出库",
                "record.note": "修改名册备注",
                "record.move": "调整所在村（调动或合并）",
                "pairing.add": "安排结对",
                "pairing.end": "结束结对",
                "policy.create": "新增政策版本",
                "filing.submit": "报县备案",
                "filing.file": "备案",
                "filing.return": "退回备案",
                "flag.raise": "提示可取消资格",
                "flag.resolve": "处理取消资格提示",
            },
        )
