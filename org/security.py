"""Login and session hardening: the client address behind a proxy, lockout across accounts, idle and absolute session
limits, logging out everywhere, the TOTP second step for county admins, and audit entries for logins.

Lockout (django-axes) counts failures per account *and* client address: 5 within 30 minutes lock that pair for 30
minutes. A client (address and browser) that fails on many accounts is locked after CLIENT_FAILURE_LIMIT. Never by
address alone: a whole township can sit behind one NAT address."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from org.audit import audit

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
SEEN_REFRESH = datetime.timedelta(seconds=60)  # a session is saved at most once a minute just to stay alive
CLIENT_FAILURE_LIMIT = 30
LOCKOUT = datetime.timedelta(minutes=30)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with PROXY_COUNT trusted proxies in front, the address the outermost
    trusted proxy saw (X-Forwarded-For is otherwise ignored: a client could write anything into it)."""
    if request is None:
        return None
    count = getattr(settings, "PROXY_COUNT", 0)
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


def client_locked(request) -> bool:
    """Too many failures from this address and browser across accounts within the lockout period."""
    from axes.models import AccessFailureLog

    ip = client_ip(request)
    if not ip:
        return False
    since = timezone.now() - LOCKOUT
    agent = request.META.get("HTTP_USER_AGENT", "")[:255]
    recent = AccessFailureLog.objects.filter(ip_address=ip, user_agent=agent, attempt_time__gte=since)
    return recent.count() >= CLIENT_FAILURE_LIMIT


# --- audit of logins --------------------------------------------------------------------------------------------------


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
    audit(user, "auth.login", user, request=request, unit_code=_unit_code(user))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(user, "auth.logout", user, request=request, unit_code=_unit_code(user))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The username as typed, never the password; filed under the account's unit when the account exists.
    from org.models import User

    username = str(credentials.get("username", ""))[:150]
    user = User.objects.filter(username=username).first()
    audit(
        None,
        "auth.login_failed",
        None,
        request=request,
        object_repr=username,
        unit_code=_unit_code(user) if user else "",
    )


def _unit_code(user) -> str:
    """The account's highest unit: where its login entries show in the audit log."""
    return user.memberships.order_by("unit__code").values_list("unit__code", flat=True).first() or ""


# --- sessions ---------------------------------------------------------------------------------------------------------


BACKGROUND_HEADER = "X-Background"


class SessionLimitsMiddleware:
    """Idle timeout (SESSION_COOKIE_AGE, refreshed at most once a minute) and an absolute lifetime from login
    (SESSION_ABSOLUTE_SECONDS), whichever comes first. Requests a page makes by itself (the bell's count, a progress
    bar's polling: htmx sends `X-Background: 1` for them) do not count as activity, or an open tab would never time
    out; when the session has ended they get an empty 204 instead of the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            login_at = session.get(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            background = request.headers.get(BACKGROUND_HEADER) == "1"
            if now - login_at > settings.SESSION_ABSOLUTE_SECONDS or now - seen_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                if background:
                    return HttpResponse(status=204)
                from django.contrib import messages

                messages.info(request, "登录已过期，请重新登录。")
                return redirect(f"{reverse('login')}?next={request.path}")
            if LOGIN_AT not in session:
                session[LOGIN_AT] = now
            if not background and (now - seen_at >= SEEN_REFRESH.total_seconds() or SEEN_AT not in session):
                session[SEEN_AT] = now  # modifies the session: saved, and its expiry moves on
        return self.get_response(request)


def logout_everywhere(user, request=None):
    """Every session of the user ends: the session hash includes a per-user token that changes here."""
    user.session_token = secrets.token_hex(16)
    user.save(update_fields=["session_token"])
    audit(user, "auth.logout_everywhere", user, request=request, unit_code=_unit_code(user))


# --- second factor ----------------------------------------------------------------------------------------------------


def needs_second_factor(user) -> bool:
    """County admins, when the deployment turns TOTP on (OTP_COUNTY_ADMINS)."""
    if not getattr(settings, "OTP_COUNTY_ADMINS", False) or not user.is_authenticated:
        return False
    return user.memberships.filter(role="county_admin").exists()


class SecondFactorMiddleware:
    """A county admin who has not passed the TOTP step may only reach the TOTP pages and logout."""

    OPEN = ("otp_setup", "otp_verify", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in {reverse(name) for name in self.OPEN}
            and not user.is_verified()
            and needs_second_factor(user)
        ):
            from django_otp.plugins.otp_totp.models import TOTPDevice

            confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            return redirect("otp_verify" if confirmed else "otp_setup")
        return self.get_response(request)
