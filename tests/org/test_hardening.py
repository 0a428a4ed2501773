"""Security baseline: password hashing and rules, login lockout, sessions, logout everywhere, TOTP for county admins,
login audit, security headers and CSRF."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config import settings as project_settings
from org.models import AuditLog
from tests.conftest import PASSWORD

LOGIN = "/login/"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    return settings


def post_login(client, username, password, agent="Mozilla/5.0 测试"):
    return client.post(LOGIN, {"username": username, "password": password}, HTTP_USER_AGENT=agent)


# --- passwords ------------------------------------------------------------------------------------------------------


def test_argon2_hashes_new_passwords_and_pbkdf2_hashes_still_verify():
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in project_settings.PASSWORD_HASHERS
    with pytest.MonkeyPatch.context():
        from django.test import override_settings

        with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
            assert make_password("Qingshen2026").startswith("argon2$")


@pytest.mark.parametrize(
    "password, message",
    [
        ("Aa123456", "至少"),
        ("abcdefghijk", "字母和数字"),
        ("1234567890", "数字"),
        ("password123", "常见"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(db, password, message):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert any(message in m for m in exc.value.messages), exc.value.messages


def test_a_long_password_with_letters_and_digits_is_accepted(db):
    validate_password("Qingshen2026Cadres")


# --- lockout --------------------------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_from_that_client_for_thirty_minutes(client, cast, axes_on):
    for _ in range(4):
        assert post_login(client, "ta_admin", "wrong-password-1").status_code == 200
    assert post_login(client, "ta_admin", "wrong-password-1").status_code == 429  # the fifth failure locks
    locked = post_login(client, "ta_admin", PASSWORD)
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    # Another account from the same address (the same township office) still logs in.
    assert post_login(Client(), "ta_staff", PASSWORD).status_code == 302
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        assert post_login(Client(), "ta_admin", PASSWORD).status_code == 302


def test_the_same_account_from_another_address_is_not_locked(client, cast, axes_on):
    for _ in range(5):
        post_login(client, "ta_admin", "wrong-password-1")
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert post_login(other, "ta_admin", PASSWORD).status_code == 302


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(client, cast, axes_on):
    def body(response):
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", text).replace('value="nobody-here"', 'value="ta_admin"')

    unknown = post_login(client, "nobody-here", "wrong-password-1")
    wrong = post_login(Client(), "ta_admin", "wrong-password-1")
    assert unknown.status_code == wrong.status_code == 200
    assert body(unknown) == body(wrong)
    for _ in range(3):
        post_login(client, "nobody-here", "x")
    assert post_login(client, "nobody-here", "x").status_code == 429  # unknown names lock the same way


def test_a_client_failing_on_many_accounts_is_locked_but_not_its_whole_address(client, cast, axes_on):
    from org.security import CLIENT_FAILURE_LIMIT

    for i in range(CLIENT_FAILURE_LIMIT):
        post_login(client, f"guess{i}", "wrong-password-1", agent="bot/1.0")
    assert post_login(client, "ta_admin", PASSWORD, agent="bot/1.0").status_code == 429
    # Colleagues behind the same address with their own browsers are not affected.
    assert post_login(Client(), "ta_admin", PASSWORD, agent="Mozilla/5.0 同事").status_code == 302


def test_the_client_address_comes_from_the_trusted_proxy_only(rf, settings):
    from org.security import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "127.0.0.1"  # no proxy configured: the header is ignored
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what our proxy saw, not what the client wrote


# --- sessions -------------------------------------------------------------------------------------------------------


def test_the_session_id_changes_at_login(client, cast):
    session = client.session
    session["probe"] = 1
    session.save()
    client.cookies["sessionid"] = session.session_key
    before = session.session_key
    assert post_login(client, "ta_admin", PASSWORD).status_code == 302
    assert client.cookies["sessionid"].value != before


def test_thirty_idle_minutes_end_the_session(client, cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_login(client, "ta_admin", PASSWORD)
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
        assert client.get("/").status_code == 200  # active 29 minutes ago
    with time_machine.travel(start + datetime.timedelta(minutes=89), tick=False):
        response = client.get("/reserves/")
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_twelve_hours_after_login_the_session_ends_however_active(client, cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_login(client, "ta_admin", PASSWORD)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get("/").status_code == 200, minutes
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=5), tick=False):
        assert client.get("/").status_code == 302


def test_logout_everywhere_ends_the_other_sessions_too(cast):
    office, phone = Client(), Client()
    post_login(office, "ta_admin", PASSWORD)
    post_login(phone, "ta_admin", PASSWORD)
    assert phone.get("/").status_code == 200
    assert office.post(reverse("logout_all")).status_code == 302
    assert phone.get("/").status_code == 302
    assert office.get("/").status_code == 302
    assert AuditLog.objects.filter(action="auth.logout_everywhere", actor=cast.township_a_admin).exists()
    assert post_login(Client(), "ta_admin", PASSWORD).status_code == 302  # and may log in again


# --- second factor --------------------------------------------------------------------------------------------------


def totp_now(device):
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def test_county_admins_set_up_and_then_use_totp_when_the_setting_is_on(cast, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_COUNTY_ADMINS = True
    client = Client()
    post_login(client, "county_admin", PASSWORD)
    response = client.get("/reserves/")
    assert response.status_code == 302 and response["Location"] == reverse("otp_setup")
    page = client.get(reverse("otp_setup")).content.decode()
    assert "data:image/svg+xml;base64," in page
    device = TOTPDevice.objects.get(user=cast.county_admin)
    wrong = client.post(reverse("otp_setup"), {"token": "000000" if totp_now(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):  # past the throttle of one miss
        assert client.post(reverse("otp_setup"), {"token": totp_now(device)}).status_code == 302
        assert client.get("/reserves/").status_code == 200
    # A new login asks for the code.
    again = Client()
    post_login(again, "county_admin", PASSWORD)
    assert again.get("/reserves/")["Location"] == reverse("otp_verify")
    device.refresh_from_db()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60)):
        assert again.post(reverse("otp_verify"), {"token": totp_now(device)}).status_code == 302
        assert again.get("/reserves/").status_code == 200


def test_other_roles_and_a_switched_off_setting_need_no_code(cast, settings):
    settings.OTP_COUNTY_ADMINS = True
    township = Client()
    post_login(township, "ta_admin", PASSWORD)
    assert township.get("/reserves/").status_code == 200
    settings.OTP_COUNTY_ADMINS = False
    county = Client()
    post_login(county, "county_admin", PASSWORD)
    assert county.get("/reserves/").status_code == 200


# --- audit of logins ------------------------------------------------------------------------------------------------


def test_logins_and_failed_logins_are_audited_and_visible_to_county_admins(client, cast):
    post_login(client, "ta_admin", "wrong-password-1")
    post_login(client, "no-such-user", "wrong-password-1")
    post_login(client, "ta_admin", PASSWORD)
    failed = AuditLog.objects.filter(action="auth.login_failed")
    assert {e.object_repr for e in failed} == {"ta_admin", "no-such-user"}
    assert all("wrong-password" not in str(e.changes) for e in failed)
    assert failed.get(object_repr="ta_admin").unit_code == cast.township_a.code
    login = AuditLog.objects.get(action="auth.login", actor=cast.township_a_admin)
    assert login.ip == "127.0.0.1"
    admin = Client()
    admin.force_login(cast.county_admin)
    page = admin.get(reverse("audit_list"), {"action": "auth.login_failed"}).content.decode()
    assert "no-such-user" in page and "ta_admin" in page
    other = Client()
    other.force_login(cast.township_b_admin)
    assert other.get(reverse("audit_list")).status_code == 404


def test_county_admins_export_the_filtered_audit_log(client, cast):
    import io

    import openpyxl

    post_login(Client(), "ta_admin", "wrong-password-1")
    client.force_login(cast.county_admin)
    response = client.get(reverse("audit_export"), {"action": "auth.login_failed"})
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "操作")
    assert [r[3] for r in rows[1:]] == ["ta_admin"] and rows[1][2] == "登录失败"
    assert AuditLog.objects.filter(action="audit.export", actor=cast.county_admin).exists()


# --- HTTP -----------------------------------------------------------------------------------------------------------


def test_security_headers_and_a_strict_csp_on_pages(client, cast, people):
    client.force_login(cast.county_admin)
    for url in ["/", "/reserves/", "/people/", "/selection/", "/audit/", LOGIN]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp
            and "frame-ancestors 'none'" in csp
            and "'unsafe-inline'" not in csp.split("style-src-attr")[0]
        ), url
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        body = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), f"inline script on {url}"
        assert "<style" not in body, f"inline style element on {url}"


def test_forms_refuse_a_post_without_the_csrf_token(cast, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.township_a_admin)
    for url in ["/people/new/", reverse("logout_all"), reverse("roster_export"), reverse("password_change")]:
        assert client.post(url, {"name": "x"}).status_code == 403, url
    page = client.get("/people/new/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post("/people/new/", {"csrfmiddlewaretoken": token}).status_code == 200  # form errors, not 403


def test_error_pages_are_plain_and_in_chinese(client, cast, settings):
    settings.DEBUG = False
    client.force_login(cast.township_a_admin)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(cast.township_a_admin)
    response = csrf.post("/people/new/", {"name": "x"})
    assert response.status_code == 403 and "缺少安全校验" in response.content.decode()


def test_a_tab_left_open_polling_the_bell_still_times_out(client, cast):
    bell = reverse("notification_bell")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post_login(client, "ta_admin", PASSWORD)
    for minutes in range(2, 30, 2):  # the bell asks every two minutes: that is not activity
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get(bell, HTTP_X_BACKGROUND="1", HTTP_HX_REQUEST="true").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        response = client.get(bell, HTTP_X_BACKGROUND="1", HTTP_HX_REQUEST="true")
        assert response.status_code == 204 and response.content == b""  # no login page swapped into the badge
        assert client.get("/").status_code == 302


def test_the_bell_and_progress_polling_say_they_are_background_requests(client, cast, people):
    client.force_login(cast.township_a_admin)
    page = client.get("/").content.decode()
    assert 'hx-headers=\'{"X-Background": "1"}\'' in page
