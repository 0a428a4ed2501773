from django.urls import path

from notices import views

urlpatterns = [
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("notices/<int:pk>/objections/new/", views.objection_add, name="objection_add"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("calendar/", views.calendar_list, name="calendar_list"),
    path("calendar/add/", views.calendar_add, name="calendar_add"),
    path("calendar/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
]
