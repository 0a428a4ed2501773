from django.core.management import call_command

from org.models import Membership, OrgUnit, VillageLeader
from reserves.models import MentorPairing, Person, ReserveRecord
from selection.models import Round


def test_demo_builds_a_county_with_every_state_and_role(db, capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "county_admin" in out and "Demo2026pass" in out
    assert OrgUnit.objects.filter(level="township").count() == 4
    villages = OrgUnit.objects.filter(level="village")
    assert 28 <= villages.count() <= 32 and villages.filter(kind="shequ").exists()
    assert Person.objects.count() >= 80
    statuses = set(ReserveRecord.objects.values_list("status", flat=True))
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
    assert VillageLeader.objects.filter(end__isnull=True).count() == villages.count()
    assert MentorPairing.objects.filter(mentor_user__isnull=False).exists()
    assert sorted(Round.objects.values_list("stage", flat=True)) == ["closed", "evaluation"]
    assert ReserveRecord.objects.filter(entry_method="selection").count() == 2
    from lifecycle.models import Removal
    from mentoring.models import MentoringEntry
    from training.models import Enrolment

    assert Enrolment.objects.exists() and MentoringEntry.objects.exists()
    assert Removal.objects.get().state == "proposed"


def test_demo_refuses_a_database_that_has_data_unless_asked_to_skip(db, capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo")
    call_command("load_demo", "--if-empty")
    assert "跳过" in capsys.readouterr().out
    assert OrgUnit.objects.filter(level="county").count() == 1
