from django.urls import path

from reports import views_summary

urlpatterns = [
    path("reports/summary/", views_summary.summary, name="summary"),
    path("reports/summary/xlsx/", views_summary.summary_xlsx_download, name="summary_xlsx"),
    path("reports/summary/pdf/", views_summary.summary_pdf_download, name="summary_pdf"),
]
