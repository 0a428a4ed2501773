from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "考核评议"

    def ready(self):
        from org.audit_labels import register

        register(
            keys={
                "approver": "审批人",
                "overdue_days": "超假天数",
                "after_deadline": "逾期提交",
                "returned_on": "销假日期",
            },
            actions={
                "assessment.quarter_review": "填写季度评议",
                "assessment.quarter_submit": "提交季度评议",
                "assessment.quarter_reopen": "重新开放季度评议",
                "assessment.appraisal": "录入年度考核结果",
                "assessment.leave_create": "登记请假",
                "assessment.leave_approve": "批准请假",
                "assessment.leave_reject": "不批准请假",
                "assessment.leave_close": "销假",
                "assessment.absence_add": "登记缺勤",
                "assessment.inability_report": "报告不能正常履职",
            },
        )
