"""Policy presets from the seeds and the look-up of the version in force."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from org import roles
from org.audit import audit
from org.models import OrgUnit
from org.scope import get_scope
from reserves.models import CountyPolicy

CONCENTRATED_FORMS = ["concentrated", "party_school", "outside_county"]

PRESETS: dict[str, dict] = {
    "QS2017": {
        "label": "青神县2017年工作方案",
        "target_village_reserve": 2,
        "age_limit": 35,
        "age_mode": CountyPolicy.WARN,  # "一般应在35周岁左右"
        "education_floor": "high_school",
        "education_mode": CountyPolicy.BLOCK,
        "party_requirement": CountyPolicy.PARTY_NONE,
        "notice_candidate_days": 3,
        "notice_village_days": 3,
        "notice_use_days": 5,
        "training_window": CountyPolicy.WINDOW_ROLLING,
        "training_window_years": 3,
        "training_min_days": 5,
        "training_counting_forms": CONCENTRATED_FORMS,
        "mentor_rule": CountyPolicy.MENTOR_ONE,
        "talk_full_coverage_yearly": True,
    },
    "QL2022": {
        "label": "清流县2022年管理办法",
        "target_village_reserve": 1,
        "age_limit": None,
        "education_floor": "high_school",
        "education_mode": CountyPolicy.WARN,  # "一般应有高中（中专）学历"
        "party_requirement": CountyPolicy.PARTY_NONE,
        "ql7_checklist": True,
        "reselection_ban_years": 5,
        "training_window": CountyPolicy.WINDOW_CALENDAR,
        "training_window_years": 1,
        "training_min_days": 0,
        "shadowing_days_per_year": 30,
        "mentor_rule": CountyPolicy.MENTOR_PAIR,
        "talk_full_coverage_yearly": False,
        "talk_township_half_yearly": True,
        "talk_collective_yearly": True,
        "leave_village_max_days": 1,
        "absence_consecutive_days": 15,
        "absence_year_days": 30,
        "report_inability_days": 5,
        "stipend_county_monthly": 1000,
        "stipend_township_monthly": 1000,
    },
    "3YR2024": {
        "label": "村党组织书记后备力量三年行动（2024—2026）",
        "target_village_reserve": 0,
        "target_secretary_reserve": 2,
        "age_limit": 45,
        "age_mode": CountyPolicy.BLOCK,
        "young_per_village": True,
        "young_age": 35,
        "education_floor": "college",
        "education_mode": CountyPolicy.WARN,  # "特别优秀的可适当放宽"
        "party_requirement": CountyPolicy.PARTY_FULL,
        "party_mode": CountyPolicy.WARN,  # "一般应为中共正式党员"
        "training_window": CountyPolicy.WINDOW_CALENDAR,
        "training_window_years": 1,
        "training_min_days": 3,
        "training_counting_forms": [],  # every form counts
        "mentor_rule": CountyPolicy.MENTOR_ONE,
        "talk_mentor_monthly": True,
    },
    "CD2025": {
        "label": "成都市2025年（书记＋“两委”后备力量）",
        "target_village_reserve": 0,
        "target_secretary_reserve": 1,
        "target_committee_reserve": 2,
        "age_limit": None,
        "education_floor": "",
        "party_requirement": CountyPolicy.PARTY_NONE,
        "mentor_rule": CountyPolicy.MENTOR_ONE,
    },
}
PRESET_CHOICES = [(key, value["label"]) for key, value in PRESETS.items()]

POLICY_FIELDS = [
    f.name
    for f in CountyPolicy._meta.get_fields()
    if getattr(f, "concrete", False)
    and f.name not in {"id", "county", "effective_from", "preset", "note", "created_at", "created_by"}
]


def preset_values(preset: str) -> dict:
    """Every policy field: model defaults overlaid with the preset."""
    values = {name: CountyPolicy._meta.get_field(name).get_default() for name in POLICY_FIELDS}
    values.update({k: v for k, v in PRESETS[preset].items() if k != "label"})
    return values


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
    audit(
        actor,
        "policy.create",
        policy,
        unit=county,
        changes={"effective_from": str(effective_from), "preset": preset},
        request=request,
    )
    return policy
