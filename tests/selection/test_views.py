import datetime
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reserves.models import Person
from selection import services
from selection.models import Candidacy, Round
from tests.conftest import make_person
from tests.selection.conftest import run_to_selection

D = datetime.date


@pytest.mark.parametrize(
    "role, status",
    [
        ("county_admin", 200),
        ("county_staff", 200),
        ("city_viewer", 200),
        ("township_a_admin", 200),
        ("township_a_staff", 200),
        ("village_secretary", 200),
        ("township_b_admin", 404),
        ("mentor", 404),
        ("outsider", 404),
    ],
)
def test_round_page_per_role(client, cast, round_, trio, role, status):
    client.force_login(cast.users()[role])
    response = client.get(reverse("round_detail", args=[round_.pk]))
    assert response.status_code == status
    if role == "village_secretary":
        names = {c.person.name for c in response.context["candidacies"]}
        assert names == {"甲", "乙"}  # only their own village's candidates


def test_anonymous_is_sent_to_login(client, round_):
    response = client.get(reverse("round_detail", args=[round_.pk]))
    assert response.status_code == 302 and "/login/" in response.url


def test_round_list_is_scoped_and_says_what_each_round_waits_for(client, cast, round_, trio):
    client.force_login(cast.county_admin)
    page = client.get(reverse("round_list")).context["page"]
    assert [(r.title, r.waiting) for r in page] == [("2026年村级后备干部选拔", "推荐截止 09月15日，已推荐 3 人")]
    client.force_login(cast.township_b_admin)
    assert list(client.get(reverse("round_list")).context["page"]) == []


def test_township_user_opens_a_round_in_the_browser_form(client, cast):
    client.force_login(cast.township_a_admin)
    response = client.post(
        reverse("round_create"),
        {
            "township": cast.township_a.pk,
            "villages": [cast.village_a1.pk, cast.community_a3.pk],
            "kind": "qs",
            "reserve_type": "village_reserve",
            "title": "选拔",
            "announcement": "正文",
            "announced_on": "2026-09-01",
            "nomination_deadline": "2026-09-10",
        },
    )
    r = Round.objects.get()
    assert response.status_code == 302 and response.url == reverse("round_detail", args=[r.pk])
    assert set(r.villages.all()) == {cast.village_a1, cast.community_a3}


def test_a_village_of_another_township_cannot_be_put_in_a_round(client, cast):
    client.force_login(cast.township_a_admin)
    response = client.post(
        reverse("round_create"),
        {
            "township": cast.township_a.pk,
            "villages": [cast.village_b1.pk],
            "kind": "qs",
            "reserve_type": "village_reserve",
            "title": "选拔",
            "announcement": "正文",
            "announced_on": "2026-09-01",
            "nomination_deadline": "2026-09-10",
        },
    )
    assert response.status_code == 200 and not Round.objects.exists()


def test_village_secretary_nominates_a_new_person_through_the_form(client, cast, round_):
    client.force_login(cast.village_secretary)
    response = client.post(
        reverse("round_nominate", args=[round_.pk]),
        {
            "village": cast.village_a1.pk,
            "channel": "village_org",
            "nominated_by": "兰沟村党总支",
            "nominated_on": "2026-09-05",
            "p-name": "新推荐",
            "p-id_number": "11010519491231002x",
            "p-village": cast.village_a1.pk,
            "p-ethnicity": "汉族",
            "p-political_status": "masses",
            "p-health": "健康",
            "p-education": "college",
            "p-source_group": "veteran",
        },
    )
    assert response.status_code == 302
    assert Candidacy.objects.get().person.name == "新推荐"
    assert Person.objects.get().id_number == "11010519491231002X"


def test_stale_advance_button_is_refused_and_changes_nothing(client, cast, round_, trio):
    client.force_login(cast.township_a_admin)
    url = reverse("round_advance", args=[round_.pk])
    client.post(url, {"stage": "announced"})
    response = client.post(url, {"stage": "announced"}, follow=True)
    assert "请刷新后再操作" in response.content.decode()
    assert Round.objects.get(pk=round_.pk).stage == "review"


def test_votes_form_shows_the_error_and_saves_nothing(client, cast, round_, trio):
    ta = cast.township_a_admin
    services.round_close_nominations(actor=ta, round_=round_)
    for p in trio:
        services.candidacy_review(actor=ta, candidacy=round_.candidacies.get(person=p), passed=True, note="符合")
    services.round_finish_review(actor=ta, round_=round_)
    client.force_login(ta)
    jia = round_.candidacies.get(person=trio[0])
    data = {
        "date": "2026-09-20",
        "place": "村委会",
        "categories": ["member_reps"],
        "expected": "20",
        "present": "12",
        f"v{jia.pk}_excellent": "10",
        f"v{jia.pk}_competent": "5",
    }
    response = client.post(reverse("round_evaluation", args=[round_.pk, cast.village_a1.pk]), data)
    assert "多于实到人数12" in response.content.decode()
    assert not round_.meetings.exists()
    data[f"v{jia.pk}_competent"] = "-2"
    assert (
        "负数" in client.post(reverse("round_evaluation", args=[round_.pk, cast.village_a1.pk]), data).content.decode()
    )


def test_announcement_pdf_has_the_title_in_an_embedded_cjk_font(client, cast, round_, tmp_path):
    client.force_login(cast.village_secretary)
    response = client.get(reverse("round_announcement_pdf", args=[round_.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "a.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "2026年村级后备干部选拔公告" in text and "兰沟村" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CJK" in fonts and " yes " in fonts


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_round_page_query_count_does_not_grow_with_candidates(client, cast, round_, trio):
    client.force_login(cast.township_a_admin)
    url = reverse("round_detail", args=[round_.pk])
    few = _count(client, url)
    for i in range(20):
        services.nominate(
            actor=cast.township_a_admin,
            round_=round_,
            village=cast.village_a2,
            channel="self",
            nominated_by="本人",
            nominated_on=D(2026, 9, 9),
            person=make_person(cast.village_a2, name=f"多{i}"),
        )
    assert _count(client, url) == few


def test_rounds_overview_query_count_does_not_grow_with_rounds(client, cast, round_, trio):
    client.force_login(cast.county_admin)
    few = _count(client, reverse("round_list"))
    for i in range(6):
        services.round_open(
            actor=cast.township_b_admin,
            township=cast.township_b,
            villages=[cast.village_b1],
            kind="qs",
            reserve_type="village_reserve",
            title=f"轮{i}",
            announcement="x",
            announced_on=D(2026, 9, 1),
            nomination_deadline=D(2026, 9, 9),
        )
    assert _count(client, reverse("round_list")) == few


def test_county_files_selection_results_from_the_inbox(client, cast, round_, trio):
    ta = cast.township_a_admin
    cast.policy.selection_filing_required = True
    cast.policy.save()
    round_.refresh_from_db()
    ids = run_to_selection(cast, round_, trio)
    services.inspection_candidates_select(
        actor=ta, round_=round_, chosen_ids=[ids["丙"]], staffing_note="x", notice_start=D(2026, 9, 30)
    )
    services.round_start_inspection(actor=ta, round_=round_, on=D(2026, 10, 10))
    services.inspection_record(actor=ta, round_=round_, team="组", date=D(2026, 10, 12), findings={ids["丙"]: "好"})
    services.round_finish_inspection(actor=ta, round_=round_)
    services.decision_record(
        actor=ta, round_=round_, date=D(2026, 10, 15), text="定", decided_ids=[ids["丙"]], notice_start=D(2026, 10, 16)
    )
    services.round_finish(actor=ta, round_=round_, on=D(2026, 10, 21))
    client.force_login(cast.county_staff)
    page = client.get(reverse("filing_list")).context["page"]
    assert [f.title for f in page] == ["青竹街道：2026年村级后备干部选拔"]
    client.post(reverse("filing_decide", args=[page[0].pk]), {"decision": "file"})
    assert Round.objects.get(pk=round_.pk).stage == "closed"
    client.force_login(cast.township_b_admin)
    assert client.post(reverse("filing_decide", args=[page[0].pk]), {"decision": "file"}).status_code == 404


def test_any_step_can_carry_an_attachment_checked_by_content(client, cast, round_, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from org.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.township_a_admin)
    url = reverse("round_attach", args=[round_.pk])
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 executable", content_type="application/pdf")
    response = client.post(url, {"purpose": "公示照片", "file": fake})
    assert "不是PDF或图片" in response.content.decode() and not Attachment.objects.exists()
    pdf = SimpleUploadedFile("考察材料.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    assert client.post(url, {"purpose": "考察材料", "file": pdf}).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.purpose == "发布公告、三推：考察材料"
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200
    client.force_login(cast.township_b_admin)
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 404


def test_replenishment_link_opens_the_round_form_with_the_short_villages_chosen(client, cast):
    client.force_login(cast.township_a_admin)
    url = (
        reverse("round_create") + f"?township={cast.township_a.pk}&villages={cast.village_a2.pk}"
        "&reserve_type=secretary_reserve"
    )
    form = client.get(url).context["form"]
    assert form["villages"].value() == [str(cast.village_a2.pk)]
    assert form["reserve_type"].value() == "secretary_reserve"
