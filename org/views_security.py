"""The TOTP second step (set up and verify) and "退出所有设备"."""

import base64
import io

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from org.audit import audit
from org.security import client_locked, logout_everywhere


def _qr_svg(uri: str) -> str:
    """The provisioning URI as an SVG data URL (drawn here: no external service sees the secret)."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def _token(request) -> str:
    return "".join(ch for ch in request.POST.get("token", "") if ch.isdigit())[:8]


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    # only a path: redirect() would read a bare word as a view name (a 500 after a correct code)
    return target if ok and target.startswith("/") and not target.startswith("//") else "/"


@login_required
def otp_setup(request):
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="身份验证器", confirmed=False)
    error = ""
    if request.method == "POST":
        if device.verify_token(_token(request)):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit(request.user, "auth.otp_setup", request.user, request=request)
            messages.success(request, "已启用动态验证码登录。")
            return redirect(_next(request))
        error = "验证码不正确或已过期，请输入身份验证器上当前显示的6位数字。"
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {"qr": _qr_svg(device.config_url), "secret": secret, "error": error, "next": _next(request)},
    )


@login_required
def otp_verify(request):
    from django_otp import login as otp_login
    from django_otp import match_token

    error = ""
    if request.method == "POST":
        device = match_token(request.user, _token(request))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        audit(request.user, "auth.otp_failed", request.user, request=request)
        error = "验证码不正确或已过期；多次输错后需等待一段时间再试。"
    return render(request, "registration/otp_verify.html", {"error": error, "next": _next(request)})


@login_required
@require_POST
def logout_all(request):
    user = request.user
    logout_everywhere(user, request=request)
    logout(request)
    messages.success(request, "已退出所有设备上的登录。")
    return redirect("login")


class LoginView(auth_views.LoginView):
    """Django's login, refused with the lockout page while this client has failed on too many accounts (the
    per-account lockout comes from django-axes and shows the same page)."""

    def post(self, request, *args, **kwargs):
        if client_locked(request):
            return render(request, "registration/locked.html", status=429)
        return super().post(request, *args, **kwargs)
