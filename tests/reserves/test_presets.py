"""Each preset is its own seed and nothing else.

Two independent tables: the code's PRESETS (reserves/policy.py) and SEEDS below, written by hand from the seeds'
words (issue 13's table). They must agree field by field; a preset that omits a field is refused; the README's table is
the generated one."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from reserves import policy as policy_module
from reserves.flags import flag_raise
from reserves.models import CountyPolicy, Flag
from reserves.policy import (
    POLICY_FIELDS,
    PRESETS,
    RULES,
    SETTINGS,
    differences_from_preset,
    preset_values,
    rule_on,
    rules_table_markdown,
)
from tests.conftest import PASSWORD, make_person, make_record

D = datetime.date
OFF = "off"

# What each seed states (the rule table of issue 13). A rule is OFF, or the values the seed gives.
SEEDS = {
    "QS2017": {
        "target": {"target_village_reserve": 2, "target_secretary_reserve": 0, "target_committee_reserve": 0},
        "age": {"age_limit": 35, "age_mode": "warn", "young_per_village": False},  # "一般应在35周岁左右"
        "education": {"education_floor": "high_school", "education_mode": "block"},  # "具有高中及以上学历"
        "party": OFF,
        "ql7": OFF,
        "reselection_ban": OFF,
        # "3年内至少接受1次集中培训，时间不少于5天"
        "training": {
            "training_window": "rolling",
            "training_window_years": 3,
            "training_min_days": Decimal("5"),
            "training_count_mode": "single",
        },
        "shadowing": OFF,
        "mentor": {"mentor_rule": "one"},
        "talk_full_coverage": {},
        "talk_half_yearly": OFF,
        "talk_collective": OFF,
        "talk_monthly": OFF,
        "quarter_review": {},
        "quarter_mentoring": {},
        "annual_appraisal": {},
        "leave_routing": OFF,
        "absence": OFF,
        "inability_report": OFF,
        "stipend": OFF,
    },
    "QL2022": {
        "target": {"target_village_reserve": 1, "target_secretary_reserve": 0, "target_committee_reserve": 0},
        "age": OFF,
        "education": {"education_floor": "high_school", "education_mode": "warn"},  # "一般应有高中（中专）学历"
        "party": OFF,
        "ql7": {},
        "reselection_ban": {"reselection_ban_years": 5},
        "training": OFF,
        "shadowing": {"shadowing_days_per_year": 30},  # "不少于1个月"
        "mentor": {"mentor_rule": "leader_and_cadre"},
        "talk_full_coverage": OFF,
        "talk_half_yearly": {},
        "talk_collective": {},
        "talk_monthly": OFF,
        "quarter_review": OFF,
        "quarter_mentoring": OFF,
        "annual_appraisal": {},
        "leave_routing": {"leave_village_max_days": 1},
        "absence": {"absence_consecutive_days": 15, "absence_year_days": 30},
        "inability_report": {"report_inability_days": 5},
        "stipend": {"stipend_county_monthly": 1000, "stipend_township_monthly": 1000},
    },
    "3YR2024": {
        "target": {"target_village_reserve": 0, "target_secretary_reserve": 2, "target_committee_reserve": 0},
        "age": {"age_limit": 45, "age_mode": "block", "young_per_village": True, "young_age": 35},
        "education": {"education_floor": "college", "education_mode": "warn"},  # "特别优秀的可适当放宽"
        "party": {"party_requirement": "full", "party_mode": "warn"},  # "一般应为中共正式党员"
        "ql7": OFF,
        "reselection_ban": OFF,
        # "每年至少全覆盖轮训一遍,培训时间不少于3天"
        "training": {
            "training_window": "calendar",
            "training_window_years": 1,
            "training_min_days": Decimal("3"),
            "training_count_mode": "programme",
        },
        "shadowing": OFF,
        "mentor": {"mentor_rule": "one"},
        "talk_full_coverage": OFF,
        "talk_half_yearly": OFF,
        "talk_collective": OFF,
        "talk_monthly": {},
        "quarter_review": OFF,
        "quarter_mentoring": OFF,
        "annual_appraisal": OFF,
        "leave_routing": OFF,
        "absence": OFF,
        "inability_report": OFF,
        "stipend": OFF,
    },
    "CD2025": {
        "target": {"target_village_reserve": 0, "target_secretary_reserve": 1, "target_committee_reserve": 2},
        **dict.fromkeys(
            [
                "age",
                "education",
                "party",
                "ql7",
                "reselection_ban",
                "training",
                "shadowing",
                "mentor",
                "talk_full_coverage",
                "talk_half_yearly",
                "talk_collective",
                "talk_monthly",
                "quarter_review",
                "quarter_mentoring",
                "annual_appraisal",
                "leave_routing",
                "absence",
                "inability_report",
                "stipend",
            ],
            OFF,
        ),
    },
}


@pytest.mark.parametrize("preset", list(SEEDS))
def test_the_code_preset_agrees_with_the_seed_table_field_by_field(preset):
    values = preset_values(preset)
    table = SEEDS[preset]
    assert set(table) == {r.key for r in RULES}, "the hand table names every rule"
    for rule in RULES:
        stated = table[rule.key]
        assert values[rule.flag] is (stated is not OFF), f"{preset} {rule.label}"
        if stated is not OFF:
            for name, value in stated.items():
                assert values[name] == value, f"{preset} {rule.label} {name}"


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_names_every_rule_and_setting(preset):
    assert set(PRESETS[preset]) - {"label"} == set(POLICY_FIELDS)


def test_a_preset_that_omits_a_field_is_refused(monkeypatch):
    broken = {k: v for k, v in PRESETS["QS2017"].items() if k != "absence_on"}
    monkeypatch.setitem(policy_module.PRESETS, "QS2017", broken)
    with pytest.raises(ImproperlyConfigured, match="absence_on"):
        preset_values("QS2017")


def test_settings_are_the_same_in_every_preset_except_the_counting_forms_qs_names():
    for name in SETTINGS:
        values = {preset_values(p)[name] if name != "training_counting_forms" else None for p in PRESETS}
        assert len(values) == 1, name
    assert preset_values("QS2017")["training_counting_forms"] == ["concentrated", "party_school", "outside_county"]
    # by default online study and 以会代训 do not count
    assert "online" not in preset_values("3YR2024")["training_counting_forms"]
    assert "meeting" not in preset_values("3YR2024")["training_counting_forms"]


def test_the_readme_table_is_the_generated_one():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- policy-table:start -->\n") + len("<!-- policy-table:start -->\n")
    end = readme.index("<!-- policy-table:end -->")
    assert readme[start:end] == rules_table_markdown()


def test_only_ql_pays_stipends_and_routes_leave():
    for preset in PRESETS:
        p = CountyPolicy(**preset_values(preset))
        assert rule_on(p, "stipend") is (preset == "QL2022")
        assert rule_on(p, "leave_routing") is (preset == "QL2022")
        assert rule_on(p, "absence") is (preset == "QL2022")
    assert rule_on(None, "target") is False


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_preset_passes_its_own_validation(cast, preset):
    CountyPolicy(county=cast.county, effective_from=D(2030, 1, 1), preset=preset, **preset_values(preset)).full_clean()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("notice_candidate_days", 0, "公示时间须为1至30个工作日"),
        ("notice_use_days", 0, "公示时间须为1至30个工作日"),
        ("quorum_percent", 0, "须为1至99"),
        ("quorum_percent", 100, "须为1至99"),
        ("filing_wait_working_days", 0, "须为1至60个工作日"),
    ],
)
def test_settings_refuse_nonsense(cast, field, value, message):
    p = CountyPolicy(county=cast.county, effective_from=D(2030, 1, 1), **(preset_values("QS2017") | {field: value}))
    with pytest.raises(ValidationError) as exc:
        p.full_clean()
    assert message in str(exc.value.message_dict[field])


@pytest.mark.parametrize(
    "over, field",
    [
        ({"age_on": True, "age_limit": None}, "age_limit"),
        ({"training_on": True, "training_min_days": Decimal("0")}, "training_min_days"),
        ({"absence_on": True, "absence_consecutive_days": 0}, "absence_consecutive_days"),
        ({"stipend_on": True, "stipend_county_monthly": 0, "stipend_township_monthly": 0}, "stipend_county_monthly"),
        ({"education_on": True, "education_floor": ""}, "education_floor"),
        ({"reselection_ban_on": True, "reselection_ban_years": 0}, "reselection_ban_years"),
    ],
)
def test_a_rule_switched_on_needs_its_values(cast, over, field):
    p = CountyPolicy(county=cast.county, effective_from=D(2030, 1, 1), **(preset_values("CD2025") | over))
    with pytest.raises(ValidationError) as exc:
        p.full_clean()
    assert field in exc.value.message_dict


def test_a_zero_threshold_with_the_rule_off_is_allowed_and_means_nothing(cast):
    p = CountyPolicy(
        county=cast.county, effective_from=D(2030, 1, 1), **(preset_values("QS2017") | {"absence_consecutive_days": 0})
    )
    p.full_clean()
    assert not rule_on(p, "absence")


def test_targets_count_only_when_the_target_rule_is_on():
    p = CountyPolicy(**preset_values("CD2025"))
    assert p.target_for("committee_reserve") == 2
    p.target_on = False
    assert p.target_for("committee_reserve") == 0


# --- the policy page -----------------------------------------------------------------------------------------------


def test_the_policy_page_shows_each_rule_with_its_seed_words_and_no_codes(client, cast):
    client.login(username="county_admin", password=PASSWORD)
    html = client.get(reverse("policy_detail", args=[cast.policy.pk])).content.decode()
    assert "青神县2017年工作方案" in html
    assert "确保每名后备干部在3年内至少接受1次集中培训，时间不少于5天" in html
    assert "请销假分级审批" in html and "关闭" in html and "开启" in html
    assert "集中培训、县委党校、县外培训" in html
    for code in ("QS2017", "concentrated", "high_school", "rolling", "leader_and_cadre", "与预设不同"):
        assert code not in html, code


def test_a_version_changed_from_its_preset_is_marked_and_a_new_one_is_made_in_one_step(client, cast):
    leaky = CountyPolicy.objects.create(
        county=cast.county,
        effective_from=D(2024, 1, 1),
        preset="QS2017",
        **(preset_values("QS2017") | {"leave_routing_on": True, "absence_on": True}),
    )
    assert differences_from_preset(leaky) == {"leave_routing_on", "absence_on"}
    client.login(username="county_admin", password=PASSWORD)
    html = client.get(reverse("policy_detail", args=[leaky.pk])).content.decode()
    assert html.count('badge text-bg-warning">与预设不同') == 2
    assert "按预设新建版本" in html

    day = datetime.date.today()
    response = client.post(reverse("policy_from_preset", args=[leaky.pk]), {"effective_from": day.isoformat()})
    new = CountyPolicy.objects.get(county=cast.county, effective_from=day)
    assert response.status_code == 302 and response["Location"] == reverse("policy_detail", args=[new.pk])
    assert new.preset == "QS2017" and not differences_from_preset(new)
    assert CountyPolicy.objects.in_force(cast.county, day) == new


def test_a_bad_date_for_the_one_step_version_changes_nothing(client, cast):
    client.login(username="county_admin", password=PASSWORD)
    before = CountyPolicy.objects.count()
    for bad in ["", "2026-13-45", "²", "9" * 30]:
        response = client.post(reverse("policy_from_preset", args=[cast.policy.pk]), {"effective_from": bad})
        assert response.status_code == 302
    # the day of an existing version is refused too
    response = client.post(
        reverse("policy_from_preset", args=[cast.policy.pk]), {"effective_from": "2017-10-01"}, follow=True
    )
    assert "该生效日期已有一个政策版本" in response.content.decode()
    assert CountyPolicy.objects.count() == before


def test_township_users_cannot_make_a_version(client, cast):
    client.login(username="ta_admin", password=PASSWORD)
    response = client.post(reverse("policy_from_preset", args=[cast.policy.pk]), {"effective_from": "2030-01-01"})
    assert response.status_code == 404
    assert not CountyPolicy.objects.filter(effective_from=D(2030, 1, 1)).exists()


def test_the_new_version_form_groups_rules_with_switches_and_saves_them(client, cast):
    client.login(username="county_admin", password=PASSWORD)
    url = reverse("policy_create", args=[cast.county.pk])
    html = client.get(url + "?preset=QL2022").content.decode()
    assert "请假1天以内报村党支部书记审批" in html  # the chosen preset's words beside its rule
    assert 'role="switch"' in html
    assert "逗号分隔" not in html and "concentrated, party_school" not in html
    data = {k: v for k, v in preset_values("QL2022").items() if v is not None and v is not False}
    data["training_counting_forms"] = ["concentrated", "online"]
    data |= {"effective_from": "2030-01-01", "preset": "QL2022", "note": ""}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    p = CountyPolicy.objects.get(county=cast.county, effective_from=D(2030, 1, 1))
    assert p.stipend_on and p.leave_routing_on and not p.training_on and not p.quarter_review_on
    assert p.training_counting_forms == ["concentrated", "online"]


def test_the_new_version_form_refuses_a_zero_day_notice_in_chinese(client, cast):
    client.login(username="county_admin", password=PASSWORD)
    data = {k: v for k, v in preset_values("QS2017").items() if v is not None and v is not False}
    data |= {"effective_from": "2030-01-01", "preset": "QS2017", "notice_candidate_days": 0}
    response = client.post(reverse("policy_create", args=[cast.county.pk]), data)
    assert response.status_code == 200
    assert "公示时间须为1至30个工作日" in response.content.decode()
    assert not CountyPolicy.objects.filter(effective_from=D(2030, 1, 1)).exists()


# --- flags raised under a rule now off -------------------------------------------------------------------------------


def test_a_new_version_that_switches_a_rule_off_resolves_its_open_flags_with_a_note(cast):
    record = make_record(make_person(cast.village_a1))
    today = datetime.date.today()
    absence, _ = flag_raise(record=record, kind=Flag.ABSENCE, source="test:1", reason="缺勤", on=today)
    appraisal, _ = flag_raise(record=record, kind=Flag.APPRAISAL, source="test:2", reason="不称职", on=today)
    # the QS version in force has no absence rule (a leaked flag), and has the annual appraisal
    policy_module.policy_create(
        actor=cast.county_admin,
        county=cast.county,
        effective_from=today,
        values=preset_values("QS2017"),
        preset="QS2017",
    )
    absence.refresh_from_db()
    appraisal.refresh_from_db()
    assert absence.resolved_on == today and "不再有此项规定" in absence.resolution
    assert appraisal.resolved_on is None


def test_a_version_taking_effect_later_resolves_nothing_yet(cast):
    record = make_record(make_person(cast.village_a1))
    today = datetime.date.today()
    flag, _ = flag_raise(record=record, kind=Flag.ABSENCE, source="test:1", reason="缺勤", on=today)
    CountyPolicy.objects.filter(pk=cast.policy.pk).update(absence_on=True)
    policy_module.policy_create(
        actor=cast.county_admin,
        county=cast.county,
        effective_from=today + datetime.timedelta(days=30),
        values=preset_values("QS2017"),
        preset="QS2017",
    )
    flag.refresh_from_db()
    assert flag.resolved_on is None
