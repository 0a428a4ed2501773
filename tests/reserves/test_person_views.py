import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from org.models import AuditLog
from reserves.builders import make_id
from reserves.models import Person
from tests.conftest import make_person

KNOWN_GOOD = "11010519491231002X"


@pytest.fixture
def form(cast):
    return {
        "name": "刘青",
        "id_number": KNOWN_GOOD,
        "village": cast.village_a1.pk,
        "ethnicity": "汉族",
        "political_status": "member",
        "party_joined": "1975.06",
        "work_started": "1968.09",
        "health": "健康",
        "education": "high_school",
        "source_group": "group_leader",
        "phone": "+86 138-0013-8000",
    }


@pytest.fixture
def ta(client, cast):
    client.force_login(cast.township_a_admin)
    return client


def post_create(client, data, **files):
    return client.post(reverse("person_create"), data | files)


def errors(response):
    return response.context["form"].errors


def test_township_user_registers_a_person_with_derived_birth_and_sex(ta, form, cast):
    response = post_create(ta, form)
    person = Person.objects.get()
    assert response.status_code == 302 and response.url == reverse("person_detail", args=[person.pk])
    assert (person.sex, str(person.birth_date), person.phone) == ("F", "1949-12-31", "13800138000")
    assert str(person.party_joined) == "1975-06-01"
    entry = AuditLog.objects.get(action="person.create")
    assert entry.changes["id_number"][1] == "110105********002X"  # masked in the audit log
    assert KNOWN_GOOD not in str(entry.changes)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("id_number", "110105194912310021", "校验位不正确"),
        ("id_number", "110105491231002", "15位"),
        ("id_number", "110105194902300028", "不存在"),
        ("phone", "1380013800", "11位"),
        ("phone", "12345678901", "13至19"),
        ("name", "张" * 200, "不能超过50个字"),
        ("party_joined", "1975年13月", "1990.01"),
        ("party_joined", "2099.01", "不能晚于本月"),
        ("source_group", "other", "请填写具体身份"),
    ],
)
def test_bad_input_gets_a_chinese_error_and_writes_nothing(ta, form, field, value, message):
    response = post_create(ta, form | {field: value})
    assert response.status_code == 200
    assert message in str(errors(response))
    assert Person.objects.count() == 0
    assert not AuditLog.objects.filter(action="person.create").exists()


@pytest.mark.parametrize(
    "variant", ["11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", " 110105194912310\u200b02X "]
)
def test_an_id_already_registered_is_refused_without_saying_where(ta, form, cast, variant):
    make_person(cast.village_b1, name="别处")
    Person.objects.filter(name="别处").update(id_number=KNOWN_GOOD)
    response = post_create(ta, form | {"id_number": variant})
    assert errors(response)["id_number"] == ["该身份证号已在系统中登记，请联系县委组织部"]
    assert "汉阳" not in response.content.decode()
    assert Person.objects.count() == 1


def test_lower_case_x_full_width_and_zero_width_are_accepted_and_normalised(ta, form):
    post_create(ta, form | {"id_number": "１１０１０５１９４９１２３１\u200b００２x"})
    assert Person.objects.get().id_number == KNOWN_GOOD


def test_rare_character_outside_the_basic_plane_is_kept(ta, form):
    post_create(ta, form | {"name": "王𠈌"})
    assert Person.objects.get().name == "王𠈌"


def test_html_in_text_fields_is_shown_escaped(ta, form):
    post_create(ta, form | {"specialty": "<script>alert(1)</script>", "occupation": "<b>李</b>"})
    person = Person.objects.get()
    page = ta.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;李&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "name",
    ["<b>李</b>", "李\u202e明", "李\u200b明", "李\x00明", "李明😀", "李 明", "李明2", "·李明", "李\u0007"],
)
def test_names_with_control_bidi_symbols_or_emoji_are_refused(ta, form, name):
    response = post_create(ta, form | {"name": name})
    assert errors(response)["name"]  # a Chinese reason (Django's own for NUL)
    assert Person.objects.count() == 0


@pytest.mark.parametrize("name", ["阿依古丽·买买提", "王𠈌", "欧阳娜娜", "Anna·李"])
def test_minority_foreign_and_rare_character_names_are_kept(ta, form, name):
    post_create(ta, form | {"name": name})
    assert Person.objects.get().name == name


def test_an_id_in_arabic_indic_digits_is_stored_in_ascii_and_is_the_same_person(ta, form):
    arabic = "".join("٠١٢٣٤٥٦٧٨٩"[int(c)] if c.isdigit() else c for c in KNOWN_GOOD)
    post_create(ta, form | {"id_number": arabic, "phone": "١٣٨٠٠١٣٨٠٠٠"})
    person = Person.objects.get()
    assert person.id_number == KNOWN_GOOD and person.phone == "13800138000"
    response = post_create(ta, form | {"name": "刘二"})
    assert "该身份证号已在系统中登记" in str(errors(response)["id_number"])
    assert Person.objects.count() == 1


def test_superscript_digits_fold_to_ascii_like_full_width_ones(ta, form):
    # NFKC folds ² to 2 as it folds ２: the number is stored once, in ASCII.
    post_create(ta, form | {"id_number": "¹¹⁰¹⁰⁵¹⁹⁴⁹¹²³¹⁰⁰²X"})
    assert Person.objects.get().id_number == KNOWN_GOOD


@pytest.mark.parametrize("bad", ["²" * 18, "1101051949123100\u2167X", "11010519491231002\u00bd"])
def test_an_id_that_is_not_digits_after_folding_is_refused_in_chinese(ta, form, bad):
    response = post_create(ta, form | {"id_number": bad})
    assert "身份证号" in str(errors(response)["id_number"])
    assert Person.objects.count() == 0


def test_a_photo_of_another_type_gets_one_short_chinese_message(ta, form, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    response = post_create(ta, form, photo=SimpleUploadedFile("a.gif", buf.getvalue(), content_type="image/gif"))
    assert errors(response)["photo"] == ["仅支持 JPG、PNG 图片。"]
    response = post_create(ta, form, photo=SimpleUploadedFile("a.txt", b"hello", content_type="text/plain"))
    assert errors(response)["photo"] == ["仅支持 JPG、PNG 图片。"]
    assert Person.objects.count() == 0


def test_photo_that_is_not_an_image_is_refused(ta, form, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("a.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = post_create(ta, form, photo=fake)
    assert "图片" in str(errors(response)["photo"])
    assert Person.objects.count() == 0


def test_photo_over_5_mb_is_refused(ta, form, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "PNG")
    big = buf.getvalue() + b"\0" * (5 * 1024 * 1024)
    response = post_create(ta, form, photo=SimpleUploadedFile("big.png", big, content_type="image/png"))
    assert "5MB" in str(errors(response)["photo"])
    assert Person.objects.count() == 0


def test_valid_photo_is_stored_and_served_only_through_the_scoped_view(ta, form, settings, tmp_path, client, cast):
    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (30, 40), "blue").save(buf, "JPEG")
    post_create(ta, form, photo=SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg"))
    person = Person.objects.get()
    assert ta.get(reverse("person_photo", args=[person.pk])).status_code == 200
    client.force_login(cast.township_b_admin)
    assert client.get(reverse("person_photo", args=[person.pk])).status_code == 404


def test_edit_outside_scope_is_404_and_changes_nothing(client, cast, form):
    other = make_person(cast.village_b1, name="赵汉")
    client.force_login(cast.township_a_admin)
    response = client.post(reverse("person_edit", args=[other.pk]), form | {"village": cast.village_b1.pk})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "赵汉"


def test_party_date_before_birth_is_refused(ta, cast, form):
    person = make_person(cast.village_a1, name="旧名")
    response = ta.post(reverse("person_edit", args=[person.pk]), form | {"id_number": person.id_number})
    assert "入党时间不能早于出生日期" in str(errors(response))
    person.refresh_from_db()
    assert person.name == "旧名"


def test_moving_a_person_to_a_village_outside_scope_is_refused(ta, cast, form):
    person = make_person(cast.village_a1)
    response = ta.post(
        reverse("person_edit", args=[person.pk]), form | {"id_number": person.id_number, "village": cast.village_b1.pk}
    )
    assert "village" in errors(response)
    person.refresh_from_db()
    assert person.village == cast.village_a1


def test_edit_records_before_and_after_in_the_audit_log(ta, cast, form):
    person = make_person(cast.village_a1, name="旧名")
    ta.post(
        reverse("person_edit", args=[person.pk]),
        form | {"id_number": person.id_number, "name": "新名", "party_joined": "2012.07", "work_started": "2010.09"},
    )
    person.refresh_from_db()
    assert person.name == "新名"
    assert AuditLog.objects.get(action="person.update").changes["name"] == ["旧名", "新名"]
    page = ta.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "修改人员" in page and "旧名 → 新名" in page


def test_masked_everywhere_and_reveal_is_audited(ta, cast, client):
    person = make_person(cast.village_a1, phone="13800138000")
    detail = ta.get(reverse("person_detail", args=[person.pk])).content.decode()
    listing = ta.get(reverse("person_list")).content.decode()
    for page in (detail, listing):
        assert person.id_number not in page and "13800138000" not in page
        assert person.id_number[:6] + "********" + person.id_number[-4:] in page and "138****8000" in page
    revealed = ta.post(reverse("person_reveal", args=[person.pk, "id_number"]))
    assert person.id_number in revealed.content.decode()
    assert AuditLog.objects.filter(action="person.reveal", object_id=str(person.pk)).count() == 1
    client.force_login(cast.village_secretary)
    assert client.post(reverse("person_reveal", args=[person.pk, "phone"])).status_code == 404
    assert AuditLog.objects.filter(action="person.reveal").count() == 1


def test_county_user_looks_up_by_id_within_the_county(client, cast):
    person = make_person(cast.village_b1, name="查到")
    client.force_login(cast.county_staff)
    found = client.post(reverse("id_lookup"), {"id_number": person.id_number.lower()})
    assert "查到" in found.content.decode()
    outside = make_id("110105", __import__("datetime").date(1980, 1, 1), 7, "M")
    missing = client.post(reverse("id_lookup"), {"id_number": outside})
    assert "没有登记" in missing.content.decode()
    assert AuditLog.objects.filter(action="person.lookup").count() == 2
