from django.core.management import call_command

from org.models import Membership, OrgUnit, VillageLeader
from reserves.models import CountyPolicy, MentorPairing, Person, ReserveRecord
from reserves.policy import preset_values
from selection.models import Round


def test_demo_builds_a_county_with_every_state_and_role(db, capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "county_admin" in out and "Demo2026pass" in out
    qs = OrgUnit.objects.get(code="519921")
    assert OrgUnit.objects.filter(level="township", code__startswith=qs.code).count() == 4
    villages = OrgUnit.objects.filter(level="village", code__startswith=qs.code)
    assert 28 <= villages.count() <= 32 and villages.filter(kind="shequ").exists()
    assert Person.objects.filter(village__code__startswith=qs.code).count() >= 80
    statuses = set(ReserveRecord.objects.filter(village__code__startswith=qs.code).values_list("status", flat=True))
    assert statuses == {"active", "used", "removed", "exited"}
    assert set(Membership.objects.values_list("role", flat=True)) == {
        "city_viewer",
        "county_admin",
        "county_staff",
        "township_admin",
        "township_staff",
        "village_secretary",
        "mentor",
    }
    all_villages = OrgUnit.objects.filter(level="village")
    assert VillageLeader.objects.filter(end__isnull=True).count() == all_villages.count()
    assert MentorPairing.objects.filter(mentor_user__isnull=False).exists()
    assert sorted(Round.objects.values_list("stage", flat=True)) == ["closed", "evaluation"]
    assert ReserveRecord.objects.filter(entry_method="selection").count() == 2
    from lifecycle.models import Removal
    from mentoring.models import MentoringEntry
    from training.models import Enrolment

    assert Enrolment.objects.exists() and MentoringEntry.objects.exists()
    assert Removal.objects.get().state == "proposed"


def test_demo_has_a_second_county_on_ql2022_with_its_duties_and_accounts(db, capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo")
    out = capsys.readouterr().out
    city = OrgUnit.objects.get(level="city")
    counties = OrgUnit.objects.filter(level="county").order_by("code")
    assert [(c.name, c.parent_id) for c in counties] == [("青禾县", city.pk), ("清溪县", city.pk)]
    ql = counties[1]
    policy = CountyPolicy.objects.get(county=ql)
    assert policy.preset == "QL2022"
    assert {k: getattr(policy, k) for k in preset_values("QL2022")} == preset_values("QL2022")
    assert CountyPolicy.objects.get(county=counties[0]).preset == "QS2017"
    townships = OrgUnit.objects.filter(level="township", parent=ql)
    assert townships.count() == 2
    assert OrgUnit.objects.filter(level="village", code__startswith=ql.code).count() == 9

    # its own accounts, printed beside the QS county's
    assert "清溪县（清流县2022年管理办法" in out
    for username in ("ql_county_admin", "ql_township", "ql_leader", "ql_township_b", "ql_village_sec", "ql_mentor"):
        assert username in out
        assert Membership.objects.filter(user__username=username, unit__code__startswith=ql.code).exists()
    assert out.index("county_admin ") < out.index("ql_county_admin")

    from assessment.models import Absence, Leave
    from reserves.models import Flag
    from training.models import SHADOWING, PracticeAssignment

    records = ReserveRecord.objects.filter(village__code__startswith=ql.code)
    assert set(records.values_list("status", flat=True)) == {"active", "used", "removed", "exited"}
    # leave: one approved by the village secretary, one by the 包村领导, one waiting
    leaves = Leave.objects.filter(village__code__startswith=ql.code).select_related("decided_by")
    assert {(lv.days, lv.state, lv.decided_by.username if lv.decided_by else "") for lv in leaves} == {
        (1, "approved", "ql_village_sec"),
        (3, "approved", "ql_leader"),
        (2, "pending", ""),
    }
    # an absence over fifteen days raises the removal flag
    assert Absence.objects.filter(village__code__startswith=ql.code, kind="direct").count() == 1
    assert Flag.objects.filter(kind="absence", record__village__code__startswith=ql.code).exists()
    # shadowing at the township
    assert PracticeAssignment.objects.filter(kind=SHADOWING, record__in=records).count() == 3
    # QL pairs: a township leader and a village cadre for every active reserve
    for record in records.filter(status="active"):
        kinds = sorted(MentorPairing.objects.filter(record=record).values_list("mentor_kind", flat=True))
        assert kinds == ["township_leader", "village_cadre"]
    # stipends: the sheet of 溪口镇 this month pays its reserves, stops the one used last month, not the serving cadre
    import datetime

    from lifecycle import rules

    today = datetime.date.today()
    sheet = rules.stipend_sheet(townships.get(name="溪口镇"), today.year, today.month)
    assert sheet.pays and sheet.per_person == 2000 and len(sheet.lines) >= 5
    assert [r.status for r in sheet.stopped] == ["used"]
    assert [p.record.person.source_group for p in sheet.excluded] == ["committee_member"]
    # the QS county pays no stipend
    qs_township = OrgUnit.objects.filter(level="township", parent=counties[0]).first()
    assert not rules.stipend_sheet(qs_township, today.year, today.month).pays


def test_demo_refuses_a_database_that_has_data_unless_asked_to_skip(db, capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo")
    call_command("load_demo", "--if-empty")
    out = capsys.readouterr().out
    assert "跳过" in out and "ql_county_admin" in out.split("跳过")[1]
    assert OrgUnit.objects.filter(level="county").count() == 2
