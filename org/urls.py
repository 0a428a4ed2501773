from django.contrib.auth import views as auth_views
from django.urls import path

from org import views, views_security

urlpatterns = [
    path("login/", views_security.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout/all/", views_security.logout_all, name="logout_all"),
    path("otp/setup/", views_security.otp_setup, name="otp_setup"),
    path("otp/verify/", views_security.otp_verify, name="otp_verify"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/toggle/", views.account_toggle, name="account_toggle"),
    path("accounts/<int:pk>/reset/", views.account_reset, name="account_reset"),
    path("leaders/", views.leader_list, name="leader_list"),
    path("leaders/<int:pk>/", views.leader_assign, name="leader_assign"),
    path("org/", views.org_units, name="org_units"),
    path("org/<int:pk>/rename/", views.unit_rename, name="unit_rename"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("files/<int:pk>/", views.attachment_download, name="attachment_download"),
]
