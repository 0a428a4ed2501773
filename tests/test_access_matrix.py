"""Every URL pattern × every role, status codes asserted (as Read the Docs' test_privacy_urls). A new view cannot
ship without a row here: test_every_url_pattern_has_a_row fails first."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse
from PIL import Image

from tests.conftest import make_person
from tests.dashboards import matrix as dashboards_matrix
from tests.imports import matrix as imports_matrix
from tests.matrix_helpers import ALL, everyone, only  # noqa: F401
from tests.reminders import matrix as reminders_matrix
from tests.reports import matrix as reports_matrix
from tests.training import matrix as training_matrix

VIEWERS_OF_A1 = {
    "county_admin",
    "county_staff",
    "township_a_admin",
    "township_a_staff",
    "village_secretary",
    "mentor",
    "city_viewer",
}
EDITORS_OF_A1 = {"county_admin", "county_staff", "township_a_admin", "township_a_staff"}
EDITORS = EDITORS_OF_A1 | {"township_b_admin"}


# name -> (method, kwargs key, expected per role, expected for anonymous)
MATRIX = {
    "login": ("GET", None, everyone(302), 200),
    "logout": ("GET", None, everyone(405), 405),
    "password_change": ("GET", None, everyone(200), 302),
    "home": ("GET", None, everyone(200), 302),
    "person_list": ("GET", None, everyone(200), 302),
    "record_list": ("GET", None, everyone(200), 302),
    "person_create": ("GET", None, only(EDITORS), 302),
    "id_lookup": ("GET", None, only({"county_admin", "county_staff"}), 302),
    "person_detail": ("GET", "person", only(VIEWERS_OF_A1), 302),
    "person_photo": ("GET", "person", only(VIEWERS_OF_A1), 302),
    "person_edit": ("GET", "person", only(EDITORS_OF_A1), 302),
    "person_reveal": ("POST", "person_field", only(EDITORS_OF_A1), 302),
    "record_create": ("GET", "person", only(EDITORS_OF_A1), 302),
    "record_close": ("GET", "record", only(EDITORS_OF_A1), 302),
    "record_note": ("GET", "record", only(EDITORS_OF_A1), 302),
    "pairing_add": ("GET", "record", only(EDITORS_OF_A1), 302),
    "pairing_end": ("GET", "pairing", only(EDITORS_OF_A1), 302),
    "policy_list": ("GET", None, only({"county_admin"}), 302),
    "policy_detail": ("GET", "policy", only({"county_admin"}), 302),
    "policy_create": ("GET", "county", only({"county_admin"}), 302),
    # a bare POST (no date) goes back to the version with a message; nothing is created
    "policy_from_preset": ("POST", "policy", only({"county_admin"}, ok=302), 302),
    "org_units": ("GET", None, only({"county_admin"}), 302),
    "unit_rename": ("GET", "village", only({"county_admin"}), 302),
    "village_merge": ("GET", "village", only({"county_admin"}), 302),
    "account_list": ("GET", None, only({"county_admin", "township_a_admin", "township_b_admin"}), 302),
    "account_create": ("GET", None, only({"county_admin", "township_a_admin", "township_b_admin"}), 302),
    "account_reset": ("GET", "account", only({"county_admin", "township_a_admin"}), 302),
    "account_toggle": ("POST", "account_other", only({"county_admin", "township_a_admin"}, ok=302), 302),
    "leader_list": ("GET", None, only({"county_admin", "township_a_admin", "township_b_admin"}), 302),
    "leader_assign": ("GET", "village", only({"county_admin", "township_a_admin"}), 302),
    "audit_list": ("GET", None, only({"county_admin"}), 302),
    "audit_export": ("GET", None, only({"county_admin"}), 302),
    "logout_all": ("POST", None, everyone(302), 302),
    "otp_setup": ("GET", None, everyone(200), 302),
    "otp_verify": ("GET", None, everyone(200), 302),
    "attachment_download": ("GET", "attachment", only(VIEWERS_OF_A1 - {"mentor"}), 302),
    # selection: the township runs it, the village secretary nominates, the county watches and decides QL rounds
    "round_list": ("GET", None, everyone(200), 302),
    "round_create": ("GET", None, only(EDITORS), 302),
    "round_detail": ("GET", "round", only(VIEWERS_OF_A1 - {"mentor"}), 302),
    "round_announcement_pdf": ("GET", "round", only(VIEWERS_OF_A1 - {"mentor"}), 302),
    "round_nominate": ("GET", "round", only({"township_a_admin", "township_a_staff", "village_secretary"}), 302),
    "round_advance": ("POST", "round", only(EDITORS_OF_A1, ok=302), 302),
    "round_cancel": ("GET", "round", only(EDITORS_OF_A1), 302),
    "round_attach": ("GET", "round", only(EDITORS_OF_A1), 302),
    "round_evaluation": ("GET", "round_village", only(EDITORS_OF_A1), 302),
    "round_select_inspection": ("GET", "round", only(EDITORS_OF_A1), 302),
    "round_inspection": ("GET", "round", only(EDITORS_OF_A1), 302),
    "round_decision": ("GET", "round", only(EDITORS_OF_A1), 302),
    "round_scores": ("GET", "round", only(EDITORS_OF_A1), 302),
    "round_joint_review": ("GET", "round", only(EDITORS_OF_A1), 302),
    "round_county_decision": ("GET", "round", only({"county_admin", "county_staff"}), 302),
    "candidacy_review": ("GET", "candidacy", only(EDITORS_OF_A1), 302),
    "candidacy_withdraw": ("GET", "candidacy", only(EDITORS_OF_A1), 302),
    "filing_list": ("GET", None, everyone(200), 302),
    "filing_decide": ("POST", "filing", only(EDITORS_OF_A1 | {"city_viewer"}, ok=302), 302),
    # notices: readable where posted, written by the township
    "notice_detail": ("GET", "notice", only(VIEWERS_OF_A1 - {"mentor"}), 302),
    "notice_pdf": ("GET", "notice", only(EDITORS_OF_A1), 302),  # printing for posting is the township's job
    "objection_add": ("GET", "notice", only(EDITORS_OF_A1), 302),
    "objection_resolve": ("GET", "objection", only(EDITORS_OF_A1), 302),
    "calendar_list": ("GET", None, only({"county_admin"}), 302),
    "calendar_add": ("POST", None, only({"county_admin"}, ok=200), 302),
    "calendar_delete": ("POST", "calendar_day", only({"county_admin"}, ok=302), 302),
    # mentoring: mentors write for their own pairings, the township and county for everyone in scope
    "mentoring_mine": ("GET", None, only({"mentor"}), 302),
    "mentoring_record": ("GET", "record", only(VIEWERS_OF_A1), 302),
    "mentoring_entry_add": ("GET", "pairing", only(EDITORS_OF_A1 | {"mentor"}), 302),
    "mentoring_entry_edit": ("GET", "mentoring_entry", only(EDITORS_OF_A1 | {"mentor"}), 302),
    "mentoring_quarter": ("GET", None, only(EDITORS), 302),
    "mentoring_compliance": ("GET", None, only(EDITORS | {"village_secretary", "city_viewer"}), 302),
    "talk_list": ("GET", None, everyone(200), 302),
    "talk_create": ("GET", None, only(EDITORS | {"mentor", "village_secretary"}), 302),  # QL §15: own village
    "talk_detail": ("GET", "talk", only(VIEWERS_OF_A1), 302),
    "talk_delete": ("GET", "talk", only(EDITORS_OF_A1), 302),
    # assessment: the village writes its opinions and leave, the township everything, the county reopens quarters
    "quarter_overview": ("GET", None, only(set(ALL) - {"mentor", "outsider"}), 302),
    "quarter_township": ("GET", "quarter_township", only(EDITORS_OF_A1 | {"city_viewer"}), 302),
    "quarter_submit": ("POST", "quarter_township", only(EDITORS_OF_A1, ok=302), 302),
    "quarter_reopen": ("GET", "quarter_township", only({"county_admin", "county_staff"}), 302),
    "quarter_village": ("GET", "quarter_village", only(VIEWERS_OF_A1 - {"mentor"}), 302),
    "appraisal_village": ("GET", "village", only(VIEWERS_OF_A1 - {"mentor"}), 302),
    "leave_list": ("GET", "village", only(VIEWERS_OF_A1 - {"mentor"}), 302),
    "leave_add": ("GET", "village", only(EDITORS_OF_A1 | {"village_secretary"}), 302),
    "absence_add": ("GET", "village", only(EDITORS_OF_A1 | {"village_secretary"}), 302),
    "inability_add": ("GET", "village", only(EDITORS_OF_A1 | {"village_secretary"}), 302),
    "leave_decide": ("GET", "leave", only(EDITORS_OF_A1 | {"village_secretary"}), 302),
    "leave_close": ("GET", "leave", only(EDITORS_OF_A1 | {"village_secretary"}), 302),
    "record_assessment": ("GET", "record", only(VIEWERS_OF_A1), 302),
    # training and practice
    "training_event_list": ("GET", None, everyone(200), 302),
    "training_event_create": ("GET", None, only(EDITORS), 302),
    "training_gaps": ("GET", None, everyone(200), 302),
    "training_event_detail": ("GET", "training_event", only(VIEWERS_OF_A1 - {"mentor"}), 302),
    "training_event_edit": ("GET", "training_event", only(EDITORS_OF_A1), 302),
    "training_event_delete": ("GET", "training_event", only(EDITORS_OF_A1), 302),  # GET = confirmation page
    "training_enrol": ("GET", "training_event", only(EDITORS_OF_A1), 302),
    "training_unenrol": ("POST", "training_enrolment", only(EDITORS_OF_A1, ok=302), 302),  # no confirm: no change
    "training_record": ("GET", "record", only(VIEWERS_OF_A1), 302),
    "training_single": ("GET", "record", only(EDITORS_OF_A1), 302),
    "practice_add": ("GET", "record", only(EDITORS_OF_A1), 302),
    "practice_edit": ("GET", "practice", only(EDITORS_OF_A1), 302),
    "practice_delete": ("POST", "practice", only(EDITORS_OF_A1, ok=302), 302),  # no confirm: no change
}


PROPOSERS_OF_A1 = {"township_a_admin", "township_a_staff", "village_secretary"}
TOWNSHIP_A = {"township_a_admin", "township_a_staff"}
SEE_A1 = VIEWERS_OF_A1 - {"mentor"}
# lifecycle: the village proposes, the township approves, the county files; a transfer's receiving township acts too
MATRIX.update(
    {
        "lifecycle_home": ("GET", None, everyone(200), 302),
        "record_lifecycle": ("GET", "lc_record", only(SEE_A1), 302),
        "removal_create": ("GET", "lc_record", only(PROPOSERS_OF_A1), 302),
        "use_create": ("GET", "lc_record", only(PROPOSERS_OF_A1), 302),
        "transfer_create": ("GET", "lc_record", only(TOWNSHIP_A), 302),
        "removal_list": ("GET", None, everyone(200), 302),
        "removal_detail": ("GET", "removal", only(SEE_A1), 302),
        "removal_act": ("POST", "removal", only(SEE_A1, ok=302), 302),
        "removal_resubmit": ("GET", "removal_returned", only(PROPOSERS_OF_A1), 302),
        "use_list": ("GET", None, everyone(200), 302),
        "use_detail": ("GET", "use", only(SEE_A1), 302),
        "use_act": ("POST", "use", only(SEE_A1, ok=302), 302),
        "use_resubmit": ("GET", "use_returned", only(PROPOSERS_OF_A1), 302),
        "use_opinions": ("GET", "use", only(EDITORS_OF_A1), 302),
        "use_notice": ("GET", "use_filed", only(TOWNSHIP_A), 302),
        "use_outcome": ("GET", "use", only(TOWNSHIP_A), 302),
        "transfer_list": ("GET", None, everyone(200), 302),
        "transfer_detail": ("GET", "transfer", only(SEE_A1 | {"township_b_admin"}), 302),
        "transfer_act": ("POST", "transfer", only(SEE_A1 | {"township_b_admin"}, ok=302), 302),
        "transfer_resubmit": ("GET", "transfer_returned", only(TOWNSHIP_A), 302),
        "replenish_list": ("GET", None, only(set(ALL) - {"mentor", "outsider"}), 302),
        "stipend_sheet": ("GET", None, only(EDITORS), 302),
        "stipend_export": ("GET", None, only(EDITORS), 302),
    }
)

# Rows of the later apps live beside their tests, so each app's author edits only its own file.
EXTENSIONS = [reports_matrix, reminders_matrix, dashboards_matrix, imports_matrix, training_matrix]
for _ext in EXTENSIONS:
    assert not set(_ext.ROWS) & set(MATRIX), "duplicate access-matrix row"
    MATRIX.update(_ext.ROWS)


def named_patterns():
    names = set()

    def walk(patterns, namespace=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                if getattr(p, "app_name", None) == "admin" or getattr(p, "namespace", None) == "admin":
                    continue
                walk(p.url_patterns)
            elif p.name:
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_pattern_has_a_row():
    assert named_patterns() == set(MATRIX)


@pytest.fixture
def objects(cast, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record = people["a1"]
    buf = io.BytesIO()
    Image.new("RGB", (30, 40), "red").save(buf, "PNG")
    person = record.person
    person.photo = SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")
    person.save()
    from org.attachments import attachment_save

    pdf = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    attachment = attachment_save(actor=cast.township_a_admin, unit=cast.village_a1, owner="test:1", upload=pdf)
    import datetime

    from notices.models import CalendarDay
    from notices.services import notice_post, objection_add
    from reserves.filings import filing_submit
    from selection import services as selection

    round_ = selection.round_open(
        actor=cast.township_a_admin,
        township=cast.township_a,
        villages=[cast.village_a1],
        kind="qs",
        reserve_type="village_reserve",
        title="选拔",
        announcement="x",
        announced_on=datetime.date(2026, 9, 1),
        nomination_deadline=datetime.date(2026, 9, 9),
    )
    nomination = selection.nominate(
        actor=cast.township_a_admin,
        round_=round_,
        village=cast.village_a1,
        channel="self",
        nominated_by="本人",
        nominated_on=datetime.date(2026, 9, 2),
        person=make_person(cast.village_a1, name="候选"),
    )
    notice = notice_post(
        actor=cast.township_a_admin,
        kind="candidate",
        unit=cast.township_a,
        county=cast.county,
        subject=round_.subject,
        title="公示",
        body="x",
        start=datetime.date(2026, 9, 30),
        working_days=3,
        posting_day_counts=True,
        places=[(cast.village_a1, "兰沟村公示栏")],
    )
    objection = objection_add(
        actor=cast.township_a_admin,
        notice=notice,
        received_on=datetime.date(2026, 10, 8),
        from_whom="匿名",
        about="x",
        content="反映",
    )
    filing = filing_submit(
        actor=cast.township_a_admin,
        kind="selection",
        subject=round_.subject,
        title="备案",
        unit=cast.township_a,
        county=cast.county,
    )
    day = CalendarDay.objects.create(county=cast.county, date=datetime.date(2027, 1, 1), kind="holiday")
    from mentoring import services as mentoring

    entry = mentoring.entry_create(
        actor=cast.mentor,
        pairing=record.pairings.get(),
        year=2026,
        quarter=1,
        date=datetime.date(2026, 2, 1),
        content="帮扶",
    )
    talk = mentoring.talk_create(
        actor=cast.township_a_admin,
        kind="collective",
        date=datetime.date(2026, 9, 1),
        records=[record],
        notes="集体谈话",
        held_by_name="刘书记",
    )
    from assessment import services as assessment
    from assessment.quarters import current_quarter

    year, quarter = current_quarter(datetime.date.today())
    leave = assessment.leave_create(
        actor=cast.village_secretary,
        record=record,
        village=cast.village_a1,
        start=datetime.date.today(),
        end=datetime.date.today(),
        reason="事假",
    )
    from decimal import Decimal

    from training import services as training

    t_event = training.training_create(
        actor=cast.township_a_admin,
        unit=cast.township_a,
        data={
            "form": "concentrated",
            "start": datetime.date(2026, 3, 1),
            "end": datetime.date(2026, 3, 5),
            "days": Decimal(5),
            "content": "集中培训",
            "organiser": "青竹街道党工委",
        },
    )
    (t_enrolment,) = training.enrol(actor=cast.township_a_admin, event=t_event, records=[record])
    practice = training.practice_add(
        actor=cast.township_a_admin,
        record=record,
        data={
            "kind": "shadowing",
            "content": "跟班学习",
            "start": datetime.date(2026, 3, 1),
            "end": datetime.date(2026, 3, 30),
        },
    )
    from tests.lifecycle.conftest import lifecycle_objects

    extra = {}
    for ext in EXTENSIONS:
        extra |= ext.objects(cast, people)
    return (
        extra
        | lifecycle_objects(cast, people)
        | {
            "training_event": {"pk": t_event.pk},
            "training_enrolment": {"pk": t_enrolment.pk},
            "practice": {"pk": practice.pk},
            "quarter_township": {"year": year, "quarter": quarter, "pk": cast.township_a.pk},
            "quarter_village": {"year": year, "quarter": quarter, "pk": cast.village_a1.pk},
            "leave": {"pk": leave.pk},
            "mentoring_entry": {"pk": entry.pk},
            "talk": {"pk": talk.pk},
            "round": {"pk": round_.pk},
            "round_village": {"pk": round_.pk, "village_pk": cast.village_a1.pk},
            "candidacy": {"pk": nomination.candidacy_id},
            "filing": {"pk": filing.pk},
            "notice": {"pk": notice.pk},
            "objection": {"pk": objection.pk},
            "calendar_day": {"pk": day.pk},
            "attachment": {"pk": attachment.pk},
            "person": {"pk": person.pk},
            "person_field": {"pk": person.pk, "field": "id_number"},
            "record": {"pk": record.pk},
            "pairing": {"pk": record.pairings.get().pk},
            "policy": {"pk": cast.policy.pk},
            "county": {"county_pk": cast.county.pk},
            "village": {"pk": cast.village_a1.pk},
            "account": {"pk": cast.village_secretary.pk},
            "account_other": {"pk": cast.village_secretary.pk},
        }
    )


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_matrix(client, cast, objects, name):
    method, key, expected, anonymous = MATRIX[name]
    url = reverse(name, kwargs=objects[key] if key else None)
    call = client.post if method == "POST" else client.get
    assert call(url).status_code == anonymous, f"anonymous {name}"
    got = {}
    for role, user in cast.users().items():
        client.force_login(user)
        got[role] = call(url).status_code
        if name == "account_toggle" and got[role] == 302:
            call(url)  # toggle back so the next role sees the same state
    assert got == expected
