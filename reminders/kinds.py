"""The reminder kinds and the channels, with the Chinese labels the pages show. No imports: models and scans read
these."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    who: str  # who receives it, for the preferences page
    when: str  # when it is sent


KINDS = [
    Kind("notice_ending", "公示即将期满", "乡镇管理员、工作人员", "公示期最后一个工作日的前一个工作日"),
    Kind(
        "notice_ended", "公示期满，可进行下一步", "乡镇管理员、工作人员", "公示期满后（选拔、择优使用仍停在公示阶段时）"
    ),
    # Each kind below "quarter_due" is a duty of some seed: it is only sent in counties whose policy in force has that
    # rule on (reminders/scan.py asks reserves.policy.rule_on).
    Kind("quarter_due", "季度评议待完成", "乡镇管理员、工作人员；村（社区）党组织书记", "自每季度最后一个月1日起"),
    Kind("quarter_overdue", "季度评议逾期", "乡镇管理员、工作人员", "季度结束后，宽限期内尚未提交"),
    Kind("quarter_lock", "季度评议即将锁定", "乡镇管理员、工作人员", "宽限期最后3个工作日"),
    Kind("appraisal_due", "年度考核待录入", "乡镇管理员、工作人员", "每年12月至次年1月"),
    Kind("training_risk", "培训未达要求预警", "乡镇管理员、工作人员", "60天内将不满足培训要求，或已不满足"),
    Kind("mentor_missing", "未按要求结对帮带", "乡镇管理员、工作人员", "每季度一次，直至结对"),
    Kind("mentor_entry", "本季度帮扶情况未填写", "帮带干部", "自每季度最后一个月1日起"),
    Kind("talk_coverage", "全覆盖谈心谈话未完成", "乡镇管理员、工作人员", "每年11月起"),
    Kind("talk_half_yearly", "半年逐一谈话未完成", "乡镇管理员、工作人员", "每年6月、12月起（每半年一次）"),
    Kind("talk_collective", "年度集体谈话未进行", "乡镇管理员、工作人员", "每年11月起"),
    Kind("talk_monthly", "导师本月未了解情况", "导师（帮带干部）；乡镇管理员、工作人员", "每月20日起"),
    Kind("shadowing_risk", "跟班学习未达要求预警", "乡镇管理员、工作人员", "60天内将不满足跟班学习天数，或已不满足"),
    Kind("leave_overdue", "请假逾期未销假", "村（社区）党组织书记；乡镇管理员、工作人员", "请假结束后仍未销假"),
    Kind("absence", "缺勤超过规定", "村（社区）党组织书记；乡镇管理员、工作人员", "达到连续或全年累计缺勤天数时"),
    Kind(
        "age_over", "已超过年龄上限", "乡镇管理员、工作人员", "已超过本县年龄上限时（年龄条件为“不符合即不通过”的县）"
    ),
    Kind(
        "age_out",
        "12个月内将超过年龄上限",
        "乡镇管理员、工作人员",
        "12个月内将超过本县年龄上限时（年龄条件为“不符合即不通过”的县）",
    ),
    Kind("below_target", "村后备干部缺额", "乡镇管理员、工作人员；村（社区）党组织书记", "每季度一次，直至补齐"),
    Kind(
        "filing_waiting",
        "备案等待超过规定时限",
        "县委组织部管理员",
        "报送后超过本县规定的工作日数（默认5个）仍未办理",
    ),
    Kind("halfyear_analysis", "半年分析研判未保存", "县委组织部管理员", "每年6月、12月起，至次半年第3个月底"),
    Kind("roster_deadline", "名册报送截止临近", "乡镇管理员、工作人员", "截止前5个工作日起，尚未报送（或被退回）"),
    Kind("digest", "每周汇总", "所有有未读提醒的用户", "每周第一个工作日"),
]
KIND_CHOICES = [(k.key, k.label) for k in KINDS]
KIND_LABELS = dict(KIND_CHOICES)
KIND_BY_KEY = {k.key: k for k in KINDS}
DIGEST = "digest"

EMAIL, SMS, WECOM = "email", "sms", "wecom"
CHANNEL_CHOICES = [(EMAIL, "电子邮件"), (SMS, "短信"), (WECOM, "政务微信")]
CHANNEL_LABELS = dict(CHANNEL_CHOICES)
EXTERNAL_CHANNELS = [EMAIL, SMS, WECOM]
