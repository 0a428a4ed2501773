"""Policy presets from the seeds and the look-up of the version in force."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone

from org import roles
from org.audit import audit
from org.models import OrgUnit
from org.scope import get_scope
from reserves import choices as C
from reserves.flags import flags_resolve_rules_off
from reserves.models import CountyPolicy

CONCENTRATED_FORMS = ["concentrated", "party_school", "outside_county"]
# Which training forms count is a setting (not a rule): by default online study and 以会代训 do not.
DEFAULT_COUNTING_FORMS = ["concentrated", "party_school", "night_school", "degree_skills", "outside_county"]

P = CountyPolicy


@dataclass(frozen=True)
class Rule:
    """A duty a seed imposes: its on/off field, the value fields read when on, and each seed's words for it."""

    key: str
    label: str
    flag: str
    fields: tuple[str, ...] = ()
    # preset -> the seed's own words (only for presets whose seed imposes the rule)
    seed_words: dict = field(default_factory=dict)


RULES: list[Rule] = [
    Rule(
        "target",
        "每村储备目标",
        "target_on",
        ("target_village_reserve", "target_secretary_reserve", "target_committee_reserve"),
        {
            "QS2017": "在每个村（社区）动态培养储备2名及以上村级后备干部",
            "QL2022": "按照每个村储备1名村级后备人才或村党群工作者的要求（第三条）",
            "3YR2024": "每个村(社区)至少要储备2名比较成熟的村级党组织书记后备力量",
            "CD2025": "每个村(社区)储备1—2名党组织书记后备力量和2名“两委”干部后备力量",
        },
    ),
    Rule(
        "age",
        "年龄条件",
        "age_on",
        ("age_limit", "age_mode", "young_per_village", "young_age"),
        {
            "QS2017": "年龄一般应在35周岁左右",
            "3YR2024": "年龄要求45周岁以下(其中至少1名35岁以下)",
        },
    ),
    Rule(
        "education",
        "学历条件",
        "education_on",
        ("education_floor", "education_mode"),
        {
            "QS2017": "具有高中及以上学历",
            "QL2022": "一般应有高中（中专）学历，向大专以上学历、上轮村级后备干部适当倾斜（第六条）",
            "3YR2024": "学历大专及以上,特别优秀的可适当放宽",
        },
    ),
    Rule(
        "party",
        "党员条件",
        "party_on",
        ("party_requirement", "party_mode"),
        {"3YR2024": "人选一般应为中共正式党员"},
    ),
    Rule(
        "ql7",
        "十种不得确定为后备干部的情形",
        "ql7_checklist",
        (),
        {"QL2022": "有下列情形之一的，不得作村级后备干部（第七条，共十种）"},
    ),
    Rule(
        "reselection_ban",
        "取消资格后限制再选拔",
        "reselection_ban_on",
        ("reselection_ban_years",),
        {"QL2022": "被取消村级后备干部资格的，原则上5年内不得参加选拔（第十一条）"},
    ),
    Rule(
        "training",
        "培训要求",
        "training_on",
        ("training_window", "training_window_years", "training_min_days", "training_count_mode"),
        {
            "QS2017": "确保每名后备干部在3年内至少接受1次集中培训，时间不少于5天",
            "3YR2024": "每年至少全覆盖轮训一遍,培训时间不少于3天",
        },
    ),
    Rule(
        "shadowing",
        "到乡镇跟班学习",
        "shadowing_on",
        ("shadowing_days_per_year",),
        {"QL2022": "每年每名村级后备干部到乡镇党委、政府跟班学习不少于1个月（第十五条）"},
    ),
    Rule(
        "mentor",
        "结对帮带",
        "mentor_on",
        ("mentor_rule",),
        {
            "QS2017": "为每名村级后备干部落实1名及以上联系帮带干部",
            "QL2022": "实行每名后备干部“一名乡镇领导联系，一名村干部结对”挂钩联系机制（第十二条）",
            "3YR2024": "镇组织挂村(社区)领导班子成员担任导师,实行联系帮带",
        },
    ),
    Rule(
        "talk_full_coverage",
        "乡镇党委书记每年全覆盖谈心谈话",
        "talk_full_coverage_yearly",
        (),
        {"QS2017": "乡镇党委书记每年至少组织开展1次村级后备干部全覆盖谈心谈话"},
    ),
    Rule(
        "talk_half_yearly",
        "乡镇每半年逐一谈话",
        "talk_township_half_yearly",
        (),
        {"QL2022": "每半年对村级后备干部逐一进行谈话考察（第十五条）"},
    ),
    Rule(
        "talk_collective",
        "每年一次集体谈话",
        "talk_collective_yearly",
        (),
        {"QL2022": "每年进行一次集体谈话，并做好记录（第十五条）"},
    ),
    Rule(
        "talk_monthly",
        "导师每月了解情况",
        "talk_mentor_monthly",
        (),
        {"3YR2024": "实行联系帮带,每月了解其思想、工作情况"},
    ),
    Rule(
        "quarter_review",
        "季度评议",
        "quarter_review_on",
        (),
        {"QS2017": "乡镇党委每季度对村级后备干部现实表现进行1次评议，对其发展潜力和主要不足做出评价意见"},
    ),
    Rule(
        "quarter_mentoring",
        "每季度结对帮扶记录",
        "quarter_mentoring_on",
        (),
        {"QS2017": "附件2 纪实表“结对帮扶情况”：第一季度至第四季度的帮扶时间、帮扶责任人、帮扶内容、评定意见"},
    ),
    Rule(
        "annual_appraisal",
        "年度考核（评估）",
        "annual_appraisal_on",
        (),
        {
            "QS2017": "附件2 纪实表“年度考核结果”",
            "QL2022": "年底对村级后备干部资格进行评估…对考评称职的，继续跟踪培养；对考评不称职的，取消村级后备干部资格",
        },
    ),
    Rule(
        "leave_routing",
        "请销假分级审批",
        "leave_routing_on",
        ("leave_village_max_days",),
        {"QL2022": "请假1天以内报村党支部书记审批，请假1天以上报乡（镇）包村领导审批（第十条）"},
    ),
    Rule(
        "absence",
        "缺勤取消资格界限",
        "absence_on",
        ("absence_consecutive_days", "absence_year_days"),
        {"QL2022": "旷工或者…逾期不归连续超过十五天，或者一年内累计超过三十天的（第十一条）"},
    ),
    Rule(
        "inability_report",
        "不能履职情况报告",
        "inability_report_on",
        ("report_inability_days",),
        {"QL2022": "对无法正常履职的，要于发现之日起五日内向乡（镇）党委报告（第十五条）"},
    ),
    Rule(
        "stipend",
        "后备干部补贴",
        "stipend_on",
        ("stipend_county_monthly", "stipend_township_monthly"),
        {"QL2022": "县级补助：每人每月补助1000元…乡镇补助：每人每月补助1000元（第十三条，不含在职村干部）"},
    ),
]
RULES_BY_KEY = {r.key: r for r in RULES}

# Settings: procedure every county needs whatever its seed; they keep their defaults in every preset.
SETTINGS = [
    "notice_candidate_days",
    "notice_village_days",
    "notice_use_days",
    "notice_posting_day_counts",
    "objection_blocks",
    "vote_scale",
    "quorum_percent",
    "selection_filing_required",
    "quarter_grace_working_days",
    "filing_wait_working_days",
    "training_counting_forms",
]

POLICY_FIELDS = [
    f.name
    for f in CountyPolicy._meta.get_fields()
    if getattr(f, "concrete", False)
    and f.name not in {"id", "county", "effective_from", "preset", "note", "created_at", "created_by"}
]
RULE_FIELDS = [name for rule in RULES for name in (rule.flag, *rule.fields)]


def _settings(**over) -> dict:
    values = {
        "notice_candidate_days": 3,
        "notice_village_days": 3,
        "notice_use_days": 5,
        "notice_posting_day_counts": True,
        "objection_blocks": True,
        "vote_scale": P.VOTE_FOUR,
        "quorum_percent": 50,
        "selection_filing_required": False,
        "quarter_grace_working_days": 10,
        "filing_wait_working_days": 5,
        "training_counting_forms": DEFAULT_COUNTING_FORMS,
    }
    return values | over


def _off(**over) -> dict:
    """Every rule off with neutral values: each preset below then names what its own seed imposes."""
    values = {
        "target_on": False,
        "target_village_reserve": 0,
        "target_secretary_reserve": 0,
        "target_committee_reserve": 0,
        "age_on": False,
        "age_limit": None,
        "age_mode": P.WARN,
        "young_per_village": False,
        "young_age": 35,
        "education_on": False,
        "education_floor": "",
        "education_mode": P.WARN,
        "party_on": False,
        "party_requirement": P.PARTY_NONE,
        "party_mode": P.WARN,
        "ql7_checklist": False,
        "reselection_ban_on": False,
        "reselection_ban_years": 0,
        "training_on": False,
        "training_window": P.WINDOW_CALENDAR,
        "training_window_years": 1,
        "training_min_days": Decimal("0"),
        "training_count_mode": P.COUNT_SINGLE,
        "shadowing_on": False,
        "shadowing_days_per_year": 0,
        "mentor_on": False,
        "mentor_rule": P.MENTOR_ONE,
        "talk_full_coverage_yearly": False,
        "talk_township_half_yearly": False,
        "talk_collective_yearly": False,
        "talk_mentor_monthly": False,
        "quarter_review_on": False,
        "quarter_mentoring_on": False,
        "annual_appraisal_on": False,
        "leave_routing_on": False,
        "leave_village_max_days": 1,
        "absence_on": False,
        "absence_consecutive_days": 15,
        "absence_year_days": 30,
        "inability_report_on": False,
        "report_inability_days": 5,
        "stipend_on": False,
        "stipend_county_monthly": 0,
        "stipend_township_monthly": 0,
    }
    unknown = set(over) - set(values)
    assert not unknown, unknown
    return values | over


# Every preset names every rule and setting (preset_values refuses one that omits a field).
PRESETS: dict[str, dict] = {
    "QS2017": {
        "label": "青神县2017年工作方案",
        **_off(
            target_on=True,
            target_village_reserve=2,
            age_on=True,
            age_limit=35,
            age_mode=P.WARN,  # "一般应在35周岁左右"
            education_on=True,
            education_floor="high_school",
            education_mode=P.BLOCK,
            training_on=True,
            training_window=P.WINDOW_ROLLING,
            training_window_years=3,
            training_min_days=Decimal("5"),
            training_count_mode=P.COUNT_SINGLE,  # "至少接受1次集中培训，时间不少于5天"
            mentor_on=True,
            mentor_rule=P.MENTOR_ONE,
            talk_full_coverage_yearly=True,
            quarter_review_on=True,
            quarter_mentoring_on=True,
            annual_appraisal_on=True,
        ),
        **_settings(training_counting_forms=CONCENTRATED_FORMS),
    },
    "QL2022": {
        "label": "清流县2022年管理办法",
        **_off(
            target_on=True,
            target_village_reserve=1,
            education_on=True,
            education_floor="high_school",
            education_mode=P.WARN,  # "一般应有高中（中专）学历"
            ql7_checklist=True,
            reselection_ban_on=True,
            reselection_ban_years=5,
            shadowing_on=True,
            shadowing_days_per_year=30,
            mentor_on=True,
            mentor_rule=P.MENTOR_PAIR,
            talk_township_half_yearly=True,
            talk_collective_yearly=True,
            annual_appraisal_on=True,
            leave_routing_on=True,
            leave_village_max_days=1,
            absence_on=True,
            absence_consecutive_days=15,
            absence_year_days=30,
            inability_report_on=True,
            report_inability_days=5,
            stipend_on=True,
            stipend_county_monthly=1000,
            stipend_township_monthly=1000,
        ),
        **_settings(),
    },
    "3YR2024": {
        "label": "村党组织书记后备力量三年行动（2024—2026）",
        **_off(
            target_on=True,
            target_secretary_reserve=2,
            age_on=True,
            age_limit=45,
            age_mode=P.BLOCK,
            young_per_village=True,
            young_age=35,
            education_on=True,
            education_floor="college",
            education_mode=P.WARN,  # "特别优秀的可适当放宽"
            party_on=True,
            party_requirement=P.PARTY_FULL,
            party_mode=P.WARN,  # "一般应为中共正式党员"
            training_on=True,
            training_window=P.WINDOW_CALENDAR,
            training_window_years=1,
            training_min_days=Decimal("3"),
            training_count_mode=P.COUNT_PROGRAMME,  # "全覆盖轮训一遍,培训时间不少于3天"
            mentor_on=True,
            mentor_rule=P.MENTOR_ONE,
            talk_mentor_monthly=True,
        ),
        **_settings(),
    },
    "CD2025": {
        "label": "成都市2025年（书记＋“两委”后备力量）",
        **_off(target_on=True, target_secretary_reserve=1, target_committee_reserve=2),
        **_settings(),
    },
}
PRESET_CHOICES = [(key, value["label"]) for key, value in PRESETS.items()]


def preset_values(preset: str) -> dict:
    """Every policy field as the preset names it. A preset that omits a field is a bug, not a default."""
    values = {k: v for k, v in PRESETS[preset].items() if k != "label"}
    missing = set(POLICY_FIELDS) - set(values)
    if missing:
        raise ImproperlyConfigured(f"预设 {preset} 缺少政策项：{', '.join(sorted(missing))}")
    return {k: (list(v) if isinstance(v, list) else v) for k, v in values.items()}


def preset_label(preset: str) -> str:
    return PRESETS[preset]["label"] if preset in PRESETS else "自定义"


def rule_on(policy: CountyPolicy | None, key: str) -> bool:
    """Whether `policy` imposes rule `key` (no policy imposes nothing)."""
    return policy is not None and bool(getattr(policy, RULES_BY_KEY[key].flag))


@dataclass
class RuleRow:
    rule: Rule
    on: bool
    values: list[tuple[str, str]]  # (label, display) of the value fields, when on
    seed_words: str  # the words of the seed the version follows, "" when that seed does not impose it
    differs: bool  # differs from the version's own preset


def field_display(policy_or_values, name: str) -> str:
    """A policy value as a user reads it: choice labels, 是/否, 元 and 天, form names; never a code."""
    value = policy_or_values.get(name) if isinstance(policy_or_values, dict) else getattr(policy_or_values, name, None)
    model_field = CountyPolicy._meta.get_field(name)
    if name == "training_counting_forms":
        return "、".join(C.TRAINING_FORM_LABELS.get(f, "（已停用的方式）") for f in value) if value else "所有方式"
    if isinstance(value, bool):
        return "是" if value else "否"
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, "—"))
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (Decimal, int, float)) and isinstance(b, (Decimal, int, float)):
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


def differences_from_preset(policy: CountyPolicy, preset: str | None = None) -> set[str]:
    """Field names whose value in `policy` differs from its preset (or `preset`); empty when it has none."""
    preset = preset or policy.preset
    if preset not in PRESETS:
        return set()
    values = preset_values(preset)
    return {name for name in POLICY_FIELDS if not _same(getattr(policy, name), values[name])}


def rule_rows(policy: CountyPolicy) -> list[RuleRow]:
    """Each rule of the version: on/off, its values when on, the seed's words and whether it differs from its preset."""
    diff = differences_from_preset(policy)
    rows = []
    for rule in RULES:
        on = bool(getattr(policy, rule.flag))
        # a target of 0 is "no target for that type": not worth a line
        names = [n for n in rule.fields if not (n.startswith("target_") and not getattr(policy, n))]
        values = [(CountyPolicy._meta.get_field(n).verbose_name, field_display(policy, n)) for n in names]
        rows.append(
            RuleRow(
                rule=rule,
                on=on,
                values=values if on else [],
                seed_words=rule.seed_words.get(policy.preset, ""),
                # a value of a rule that is off (on both sides) does not matter
                differs=rule.flag in diff or (on and any(n in diff for n in rule.fields)),
            )
        )
    return rows


def setting_rows(policy: CountyPolicy) -> list[tuple[str, str, bool]]:
    diff = differences_from_preset(policy)
    return [(CountyPolicy._meta.get_field(n).verbose_name, field_display(policy, n), n in diff) for n in SETTINGS]


def policy_in_force(county: OrgUnit, on: datetime.date) -> CountyPolicy | None:
    return CountyPolicy.objects.in_force(county, on)


def county_of(unit: OrgUnit) -> OrgUnit | None:
    """The county above (or at) a unit; None for a township hanging straight under a city."""
    if unit.level == roles.COUNTY:
        return unit
    return OrgUnit.objects.filter(code=unit.code[:6], level=roles.COUNTY).order_by("-valid_from").first()


@transaction.atomic
def policy_create(
    *,
    actor,
    county: OrgUnit,
    effective_from: datetime.date,
    values: dict,
    preset: str = "",
    note: str = "",
    request=None,
) -> CountyPolicy:
    if county.level != roles.COUNTY or not get_scope(actor).has(roles.MANAGE_POLICY, county):
        raise ValidationError("您无权设置该县的政策。")
    if CountyPolicy.objects.filter(county=county, effective_from=effective_from).exists():
        raise ValidationError("该生效日期已有一个政策版本，请换一个日期。")
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError(f"未知的政策项：{', '.join(sorted(unknown))}")
    policy = CountyPolicy(
        county=county, effective_from=effective_from, preset=preset, note=note, created_by=actor, **values
    )
    policy.full_clean()
    policy.save()
    if effective_from <= timezone.localdate():
        flags_resolve_rules_off(on=timezone.localdate(), county=county, actor=actor, request=request)
    audit(
        actor,
        "policy.create",
        policy,
        unit=county,
        changes={"effective_from": str(effective_from), "preset": preset_label(preset)},
        request=request,
    )
    return policy


# --- the rules table (README and the policy page's overview) ------------------------------------------------------


def _num(value) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def rule_summary(values: dict, rule: Rule) -> str:
    """One cell of the rules table: 关闭, or the rule's values in a short Chinese phrase."""
    v = values
    if not v[rule.flag]:
        return "关闭"
    mode = {P.WARN: "提醒", P.BLOCK: "不符合即不通过"}
    if rule.key == "target":
        targets = [(label, v["target_" + key]) for key, label in C.RESERVE_TYPE_CHOICES]
        return "；".join(f"{label}{n}名" for label, n in targets if n)
    if rule.key == "age":
        text = f"不超过{v['age_limit']}周岁（{mode[v['age_mode']]}）"
        if v["young_per_village"]:
            text += f"；每村至少1名{v['young_age']}岁及以下书记后备力量"
        return text
    if rule.key == "education":
        return f"{dict(C.EDUCATION_CHOICES)[v['education_floor']]}及以上（{mode[v['education_mode']]}）"
    if rule.key == "party":
        return f"{dict(P.PARTY_CHOICES)[v['party_requirement']]}（{mode[v['party_mode']]}）"
    if rule.key == "reselection_ban":
        return f"{v['reselection_ban_years']}年内不得再选拔（原则上，可写明理由例外）"
    if rule.key == "training":
        window = (
            f"每{v['training_window_years']}年（自入库起）"
            if v["training_window"] == P.WINDOW_ROLLING
            else ("每个自然年" if v["training_window_years"] == 1 else f"每{v['training_window_years']}个自然年")
        )
        how = {
            P.COUNT_SINGLE: f"至少1次培训不少于{_num(v['training_min_days'])}天",
            P.COUNT_PROGRAMME: f"1次培训或同一轮训班各期合计不少于{_num(v['training_min_days'])}天",
            P.COUNT_SUM: f"各次培训合计不少于{_num(v['training_min_days'])}天",
        }[v["training_count_mode"]]
        return f"{window}{how}"
    if rule.key == "shadowing":
        return f"每年不少于{v['shadowing_days_per_year']}天"
    if rule.key == "mentor":
        return dict(P.MENTOR_CHOICES)[v["mentor_rule"]]
    if rule.key == "leave_routing":
        n = v["leave_village_max_days"]
        return f"{n}天以内村党组织书记审批，{n}天以上包村领导审批"
    if rule.key == "absence":
        return f"连续超过{v['absence_consecutive_days']}天或一年累计超过{v['absence_year_days']}天"
    if rule.key == "inability_report":
        return f"发现之日起{v['report_inability_days']}日内报告"
    if rule.key == "stipend":
        return f"县级{v['stipend_county_monthly']}元＋乡镇{v['stipend_township_monthly']}元/人·月"
    return "开启"


def rules_table_markdown() -> str:
    """The table of every rule under every preset, as the README prints it (tests keep the two identical)."""
    keys = list(PRESETS)
    head = "| 规则 | " + " | ".join(f"{k}（{PRESETS[k]['label']}）" for k in keys) + " |"
    lines = [head, "|---" * (len(keys) + 1) + "|"]
    for rule in RULES:
        cells = [rule_summary(preset_values(k), rule) for k in keys]
        lines.append(f"| {rule.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
