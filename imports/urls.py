from django.urls import path

from imports import views

urlpatterns = [
    path("imports/", views.import_home, name="import_home"),
    path("imports/template/", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_preview, name="import_preview"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/discard/", views.import_discard, name="import_discard"),
]
