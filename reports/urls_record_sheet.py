from django.urls import path

from reports import views_record_sheet as views

urlpatterns = [
    path("reports/record-sheet/<int:pk>/", views.record_sheet_page, name="record_sheet"),
    path("reports/record-sheet/<int:pk>/xlsx/", views.record_sheet_xlsx, name="record_sheet_xlsx"),
    path("reports/record-sheet/<int:pk>/pdf/", views.record_sheet_pdf, name="record_sheet_pdf"),
]
