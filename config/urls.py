from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("org.urls")),
    path("", include("reserves.urls")),
    path("", include("lifecycle.urls")),
    path("", include("notices.urls")),
    path("", include("selection.urls")),
    path("", include("training.urls")),
    path("", include("mentoring.urls")),
    path("", include("assessment.urls")),
    path("", include("reports.urls")),
    path("", include("reminders.urls")),
    path("", include("dashboards.urls")),
    path("", include("imports.urls")),
]
