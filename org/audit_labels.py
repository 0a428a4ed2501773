"""What an audit entry says, in Chinese: one registry that each app fills for its own actions and change keys (in its
AppConfig.ready()), and the renderer every change list uses (the person page's 操作记录, the 审计日志 page and its
export).

A change key is labelled, in this order, by: the app's registered key label; the verbose name of the field of that
name on the entry's model (or on any model, for context keys such as "village"); otherwise it is shown as "其他". Values
are shown through the field's choices, 是/否 for booleans, "—" for empty; a registered value map wins. Nothing in
the output is an identifier: a test renders every entry the suite writes and fails on any ASCII word left in it."""

import functools
import re
from collections.abc import Callable

from django.apps import apps

from org.roles import ROLES

# action -> label ("record.open" -> "入库")
ACTIONS: dict[str, str] = {}
# change key -> label ("full_id" -> "含完整身份证号"); keys that are model fields need no entry
KEYS: dict[str, str] = {}
# change key -> {stored value -> label}, or a function of the value, for keys whose values are codes
VALUES: dict[str, dict | Callable] = {}
# change keys whose values are what a person typed or named (user names, file names): shown as they are
FREE_TEXT: set[str] = {
    "username",
    "filename",
    "file",
    "actor_label",
    "name",
    "display_name",
    "email",
    "title",
    "reason",
    "note",
}


def register(*, actions=None, keys=None, values=None, free_text=()):
    """Called by each app's ready() for what it owns. A key registered twice with another label is a bug."""
    FREE_TEXT.update(free_text)
    for target, new in ((ACTIONS, actions), (KEYS, keys), (VALUES, values)):
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
        "period": "时间",
        "days": "天数",
        "start": "开始日期",
        "end": "终止日期",
        "size": "文件大小（字节）",
        "bytes": "文件大小（字节）",
        "result": "结果",
        "half": "半年",
        "deadline": "截止日期",
        "post": "职务",
        "upload": "附有材料",
        "errors": "错误",
        "new": "新增",
        "update": "更新",
        "file": "文件",
        "name": "名称",
        "purpose": "用途",
        "type": "后备干部类型",
        "call": "名册报送通知",
        "chars": "字数",
        "was": "原状态",
        "record": "后备干部",
        "records": "入库人数",
        "notice": "公示",
    },
    values={
        "format": {"xlsx": "Excel", "pdf": "PDF", "zip": "压缩包", "csv": "CSV"},
        "role": {key: role.label for key, role in ROLES.items()},
        "upload": {"True": "是", "False": "否"},
    },
)

_MODEL_BY_NAME: dict[str, type] | None = None


def _models() -> dict[str, type]:
    global _MODEL_BY_NAME
    if _MODEL_BY_NAME is None:
        _MODEL_BY_NAME = {m._meta.model_name: m for m in apps.get_models()}
    return _MODEL_BY_NAME


@functools.lru_cache(maxsize=4096)
def _fields(object_type: str, key: str) -> tuple:
    """The concrete fields named `key`: the entry's own model's first, then any other model's (cached: every row of
    the log asks the same few (type, key) pairs)."""
    model = _models().get(object_type)
    candidates = [model] if model is not None else []
    candidates += [m for m in _models().values() if m is not model]
    out = []
    for m in candidates:
        try:
            f = m._meta.get_field(key)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist and reverse relations alike
            continue
        if getattr(f, "concrete", False) and hasattr(f, "verbose_name"):
            out.append(f)
    return tuple(out)


def _field(object_type: str, key: str):
    fields = _fields(object_type, key)
    return fields[0] if fields else None


def key_label(object_type: str, key: str) -> str:
    if key in KEYS:
        return KEYS[key]
    f = _field(object_type, key)
    if f is not None and not str(f.verbose_name).isascii():  # an unset verbose name is the field's own name
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
    if key in ("field", "fields"):
        names = value if isinstance(value, list) else [value]
        return "、".join(key_label(object_type, str(n)) for n in names)
    f = _field(object_type, key)
    if f is not None and f.get_internal_type() in ("FileField", "ImageField"):
        return "已上传"
    for f in _fields(object_type, key):
        if getattr(f, "choices", None):
            labels = {str(k): str(v) for k, v in f.flatchoices}
            if str(value) in labels:
                return labels[str(value)]
    if value in ("True", "False"):
        return "是" if value == "True" else "否"
    text = str(value)
    if SUBJECT.fullmatch(text):
        return subject_text(text)
    return text


# "app_label.model_name:pk": how services name the thing a filing, an attachment or a step belongs to.
SUBJECT = re.compile(r"([a-z_]+)\.([a-z_]+):([0-9]{1,18})")
_subject_cache: dict[str, str] = {}


def subject_text(subject: str) -> str:
    """ "取消资格：何敏强（石桥村）" for "lifecycle.removal:2": the model's name and the object as it prints itself;
    "（已删除）" when it is gone. Entries shown together are resolved in one query per model (prefetch_subjects)."""
    if subject in _subject_cache:
        return _subject_cache[subject]
    prefetch_subjects([subject])
    return _subject_cache.get(subject, "其他事项")


def prefetch_subjects(subjects) -> None:
    by_model: dict[tuple[str, str], set[int]] = {}
    for text in subjects:
        m = SUBJECT.fullmatch(str(text))
        if m and text not in _subject_cache:
            by_model.setdefault((m[1], m[2]), set()).add(int(m[3]))
    for (app_label, model_name), pks in by_model.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        found = {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=pks)}
        for pk in pks:
            label = found.get(pk, "（已删除）")
            _subject_cache[f"{app_label}.{model_name}:{pk}"] = f"{model._meta.verbose_name}：{label}"
    if len(_subject_cache) > 10_000:  # a long-lived process: forget, it is only a cache of names
        _subject_cache.clear()


def prefetch_entries(entries) -> list:
    """Resolve the subjects named in the changes of `entries` (a page of the log) in one query per model."""
    entries = list(entries)
    subjects = []
    for entry in entries:
        for value in (entry.changes or {}).values():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and SUBJECT.fullmatch(v):
                    subjects.append(v)
    _subject_cache.clear()
    prefetch_subjects(subjects)
    return entries


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


def _is_free_text(object_type: str, key: str) -> bool:
    """A text field without choices holds what a person typed: its value is data, not a code."""
    f = _field(object_type, key) if key.isascii() else None
    if f is None:
        return not key.isascii()  # keys written in Chinese by the services hold free text or Chinese values
    return f.get_internal_type() in ("CharField", "TextField") and not f.choices


def offending_text(entry) -> list[str]:
    """Identifier-like ASCII left in an entry as a reader sees it (action, object, each change), skipping values
    that are what a person typed or named. Empty when the entry reads as Chinese."""
    found = []
    if entry.action not in ACTIONS:
        found.append(f"未登记的操作 {entry.action}")
    # the object as it prints itself may hold typed text (a file name, a user name typed at login): only codes count
    if entry.object_type != "user" and not entry.action.startswith("auth."):
        found += CODE_WORD.findall(entry.object_repr or "")
    for key, value in (entry.changes or {}).items():
        label = key_label(entry.object_type, key)
        if label == "其他":
            found.append(f"未登记的变更项 {key}")
        if key in FREE_TEXT or _is_free_text(entry.object_type, key):
            continue
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], (dict, list)):
            text = f"{value_text(entry.object_type, key, value[0])} {value_text(entry.object_type, key, value[1])}"
        else:
            text = value_text(entry.object_type, key, value)
        found += [f"{key}={w}" for w in ascii_identifiers(text)]
    return found


ASCII_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[._:][A-Za-z0-9_]+|\b[a-z]+_[a-z_]+\b|\b[a-z]{3,}\b")


CODE_WORD = re.compile(r"\b[a-z_]+\.[a-z_]+:[0-9]+\b|\b[a-z]+_[a-z_]+\b")


def ascii_identifiers(text: str) -> list[str]:
    """Identifier-like ASCII words in a rendered change list (codes, dotted names, snake_case): what the Chinese
    interface must never show. Upper-case abbreviations (PDF, QQ, ID) and numbers pass."""
    return ASCII_WORD.findall(text)
