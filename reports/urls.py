from django.urls import include, path

urlpatterns = [
    path("", include("reports.urls_roster")),
    path("", include("reports.urls_record_sheet")),
    path("", include("reports.urls_summary")),
]
