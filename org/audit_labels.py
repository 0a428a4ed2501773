"""What an audit entry says, in Chinese: one registry that each app fills for its own actions and change keys (in its
AppConfig.ready()), and the renderer every change list uses (the person page's 操作记录, the 审计日志 page and its
export).

A change key is labelled, in this order, by: the app's registered key label; the verbose name of the field of that
name on the entry's model (or on any model, for context keys such as "village"); otherwise it is shown as "其他". Values
are shown through the field's choices, 是/否 for booleans, "—" for empty; a registered value map wins. Nothing in
the output is an identifier: a test renders every entry the suite writes and fails on any ASCII word left in it."""

import re
from collections.abc import Callable

from django.apps import apps

# action -> label ("record.open" -> "入库")
ACTIONS: dict[str, str] = {}
# change key -> label ("full_id" -> "含完整身份证号"); keys that are model fields need no entry
KEYS: dict[str, str] = {}
# change key -> {stored value -> label}, or a function of the value, for keys whose values are codes
VALUES: dict[str, dict | Callable] = {}
# Filing.subject / notification subject prefix ("lifecycle.removal") -> function(pk) -> (text, url or "")
SUBJECTS: dict[str, Callable] = {}


def register(*, actions=None, keys=None, values=None, subjects=None):
    """Called by each app's ready() for what it owns. A key registered twice with another label is a bug."""
    for target, new in ((ACTIONS, actions), (KEYS, keys), (VALUES, values), (SUBJECTS, subjects)):
        for key, label in (new or {}).items():
            if key in target and target[key] != label and not callable(label):
                raise ValueError(f"audit label {key!r} registered twice with different labels")
            target[key] = label


def action_label(action: str) -> str:
    return ACTIONS.get(action, "其他操作")


# Keys every app writes (org owns them).
register(
    actions={
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
        "attachment.add": "上传附件",
    },
    keys={
        "reason": "原因",
        "note": "说明",
        "count": "数量",
        "rows": "行数",
        "people": "人数",
        "full_id": "含完整身份证号",
        "params": "条件",
        "year": "年度",
        "quarter": "季度",
        "month": "月份",
        "date": "日期",
        "on": "日期",
        "unit": "单位",
        "village": "村（社区）",
        "township": "乡镇",
        "county": "县（区）",
        "format": "格式",
        "filename": "文件名",
        "username": "账号",
        "role": "角色",
        "ip": "地址",
        "kind": "类型",
        "state": "状态",
        "status": "状态",
        "subject": "事项",
        "title": "标题",
        "from": "从",
        "to": "到",
        "field": "字段",
        "fields": "字段",
        "query": "查询条件",
        "filters": "筛选条件",
        "override": "例外理由",
        "preset": "依据",
        "effective_from": "生效日期",
        "resolution": "处理情况",
    },
    values={
        "format": {"xlsx": "Excel", "pdf": "PDF", "zip": "压缩包", "csv": "CSV"},
    },
)

_MODEL_BY_NAME: dict[str, type] | None = None


def _models() -> dict[str, type]:
    global _MODEL_BY_NAME
    if _MODEL_BY_NAME is None:
        _MODEL_BY_NAME = {m._meta.model_name: m for m in apps.get_models()}
    return _MODEL_BY_NAME


def _field(object_type: str, key: str):
    model = _models().get(object_type)
    candidates = [model] if model is not None else []
    candidates += [m for m in _models().values() if m is not model]
    for m in candidates:
        try:
            f = m._meta.get_field(key)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist and reverse relations alike
            continue
        if getattr(f, "concrete", False) and hasattr(f, "verbose_name"):
            return f
    return None


def key_label(object_type: str, key: str) -> str:
    if key in KEYS:
        return KEYS[key]
    f = _field(object_type, key)
    if f is not None:
        return str(f.verbose_name)
    if not key.isascii():  # already Chinese (newer services write their keys in Chinese)
        return key
    return "其他"


def value_text(object_type: str, key: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    mapped = VALUES.get(key)
    if callable(mapped):
        return str(mapped(value))
    if isinstance(mapped, dict) and str(value) in mapped:
        return mapped[str(value)]
    if isinstance(value, dict):
        return "；".join(f"{key_label(object_type, k)}：{value_text(object_type, k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(value_text(object_type, key, v) for v in value)
    f = _field(object_type, key)
    if f is not None and getattr(f, "choices", None):
        labels = {str(k): str(v) for k, v in f.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if value in ("True", "False"):
        return "是" if value == "True" else "否"
    text = str(value)
    prefix, _, pk = text.rpartition(":")
    if prefix in SUBJECTS and pk.isascii() and pk.isdigit():
        return SUBJECTS[prefix](int(pk))[0]
    return text


def describe(entry) -> list[tuple[str, str]]:
    """(label, text) per change of an audit entry: [before, after] pairs read "before → after"."""
    rows = []
    for key, value in (entry.changes or {}).items():
        label = key_label(entry.object_type, key)
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], (dict, list)):
            text = f"{value_text(entry.object_type, key, value[0])} → {value_text(entry.object_type, key, value[1])}"
        else:
            text = value_text(entry.object_type, key, value)
        rows.append((label, text))
    return rows


ASCII_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[._:][A-Za-z0-9_]+|\b[a-z]+_[a-z_]+\b|\b[a-z]{3,}\b")


def ascii_identifiers(text: str) -> list[str]:
    """Identifier-like ASCII words in a rendered change list (codes, dotted names, snake_case): what the Chinese
    interface must never show. Upper-case abbreviations (PDF, QQ, ID) and numbers pass."""
    return ASCII_WORD.findall(text)
