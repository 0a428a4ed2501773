from django.urls import path

from reports import views_roster as views

urlpatterns = [
    path("reports/roster/", views.roster, name="roster"),
    path("reports/roster/export/", views.roster_export, name="roster_export"),
    path("reports/record-sheets/export/", views.record_sheets_export, name="record_sheets_export"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("reports/submissions/", views.submission_home, name="submission_home"),
    path("reports/submissions/new/", views.call_create, name="call_create"),
    path("reports/submissions/<int:pk>/", views.call_detail, name="call_detail"),
    path("reports/submissions/<int:pk>/submit/", views.submission_submit, name="submission_submit"),
    path("reports/submissions/<int:pk>/export/", views.call_export, name="call_export"),
    path("reports/submission/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("reports/submission/<int:pk>/file/<str:fmt>/", views.submission_file, name="submission_file"),
    path("reports/submission/<int:pk>/decide/", views.submission_decide, name="submission_decide"),
]
