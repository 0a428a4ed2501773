from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from org import roles
from org.models import OrgUnit, User
from org.scope import get_scope


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id and obj.level == roles.VILLAGE else obj.name


class AccountCreateForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=40,
        regex=r"^[A-Za-z0-9_.@-]+$",
        error_messages={"invalid": "用户名只能包含字母、数字和 _ . @ -。"},
    )
    display_name = forms.CharField(label="姓名", max_length=50)
    unit = UnitChoiceField(label="所属单位", queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(label="角色", choices=roles.ROLE_CHOICES)
    title = forms.CharField(label="职务", max_length=60, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(render_value=False),
        help_text="至少10位，须含字母和数字；用户首次登录后须修改",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            OrgUnit.objects.filter(valid_to__isnull=True)
            .filter(get_scope(user).q(roles.MANAGE_ACCOUNTS, "code"))
            .select_related("parent")
            .order_by("code")
        )

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password, User(username=self.data.get("username", "")))
        return password


class PasswordResetByAdminForm(forms.Form):
    password = forms.CharField(label="新的初始密码", widget=forms.PasswordInput(render_value=False))

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class LeaderForm(forms.Form):
    user = forms.ModelChoiceField(label="包村领导", queryset=User.objects.none())
    start = forms.DateField(label="起始日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, township: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(
                is_active=True, memberships__unit=township, memberships__role__in=["township_admin", "township_staff"]
            )
            .distinct()
            .order_by("display_name")
        )


class RenameForm(forms.Form):
    name = forms.CharField(label="新名称", max_length=60)
    code = forms.CharField(label="区划代码", max_length=12)
    on = forms.DateField(label="变更日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    note = forms.CharField(label="依据／说明", max_length=200, required=False)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="操作", required=False)
    actor = forms.CharField(label="操作人", required=False, max_length=50)
    date_from = forms.DateField(
        label="起", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="止", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    q = forms.CharField(label="对象", required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + sorted(ACTION_LABELS.items())

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("起始日期不能晚于截止日期。")
        return data


ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    "auth.logout_everywhere": "退出所有设备",
    "auth.otp_setup": "启用动态验证码",
    "auth.otp_failed": "动态验证码错误",
    "audit.export": "导出审计日志",
    "account.create": "创建账号",
    "account.disable": "停用账号",
    "account.enable": "启用账号",
    "account.reset_password": "重置密码",
    "account.password_changed": "修改密码",
    "membership.add": "授予角色",
    "membership.remove": "收回角色",
    "leader.assign": "指定包村领导",
    "org.rename": "单位更名",
    "org.merge": "村（社区）合并",
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
    "attachment.add": "上传附件",
    "notice.post": "发布公示",
    "notice.pdf": "导出公示PDF",
    "notice.recount": "公示期重算",
    "objection.add": "登记异议",
    "objection.resolve": "办结异议",
    "calendar.add": "添加节假日安排",
    "calendar.delete": "删除节假日安排",
    "selection.open": "发布选拔公告",
    "selection.stage": "选拔进入下一阶段",
    "selection.nominate": "录入推荐",
    "selection.review": "资格审查",
    "selection.withdraw": "候选人退出",
    "selection.meeting": "登记评选会议",
    "selection.votes": "录入测评票数",
    "selection.inspection": "登记考察情况",
    "selection.scores": "录入考试成绩",
    "selection.joint_review": "录入协审意见",
    "selection.announcement_pdf": "导出选拔公告",
    "filing.submit": "报县备案",
    "filing.file": "备案",
    "filing.return": "退回备案",
    "flag.raise": "提示可取消资格",
    "flag.resolve": "处理取消资格提示",
    "mentoring.entry_create": "填写结对帮扶情况",
    "mentoring.entry_update": "修改结对帮扶情况",
    "mentoring.talk_create": "登记谈心谈话",
    "mentoring.talk_participant": "登记谈话对象",
    "mentoring.talk_delete": "删除谈话记录",
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
    "removal.propose": "提出取消资格建议",
    "removal.approve": "乡镇党委同意取消资格",
    "removal.return": "乡镇党委退回取消资格建议",
    "removal.resubmit": "重新提交取消资格建议",
    "removal.withdraw": "撤回取消资格建议",
    "removal.file": "县委组织部备案，取消资格",
    "removal.county_return": "县委组织部退回取消资格建议",
    "use.propose": "推荐择优使用",
    "use.opinions": "录入有关部门意见",
    "use.approve": "乡镇党委同意择优使用",
    "use.return": "乡镇党委退回择优使用推荐",
    "use.resubmit": "重新提交择优使用推荐",
    "use.withdraw": "撤回择优使用推荐",
    "use.file": "县委组织部备案择优使用",
    "use.county_return": "县委组织部退回择优使用推荐",
    "use.notice": "发布择优使用公示",
    "use.outcome": "登记择优使用结果",
    "transfer.propose": "提出跨乡镇调动",
    "transfer.done": "乡镇内调动",
    "transfer.approve": "调入乡镇同意调动",
    "transfer.return": "调入乡镇退回调动",
    "transfer.resubmit": "重新提交调动",
    "transfer.withdraw": "撤回调动",
    "transfer.file": "县委组织部同意调动",
    "transfer.county_return": "县委组织部退回调动",
    "stipend.export": "导出补贴发放表",
}
