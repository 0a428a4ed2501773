from django.contrib.auth import views as auth_views
from django.urls import path

from org import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
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
    path("files/<int:pk>/", views.attachment_download, name="attachment_download"),
]
