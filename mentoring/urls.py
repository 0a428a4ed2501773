from django.urls import path

from mentoring import views

urlpatterns = [
    path("mentoring/mine/", views.mine, name="mentoring_mine"),
    path("mentoring/reserves/<int:pk>/", views.record_mentoring, name="mentoring_record"),
    path("mentoring/pairings/<int:pk>/entries/new/", views.entry_add, name="mentoring_entry_add"),
    path("mentoring/entries/<int:pk>/edit/", views.entry_edit, name="mentoring_entry_edit"),
    path("mentoring/quarter/", views.quarter_sheet, name="mentoring_quarter"),
    path("mentoring/talks/", views.talk_list, name="talk_list"),
    path("mentoring/talks/new/", views.talk_create, name="talk_create"),
    path("mentoring/talks/<int:pk>/", views.talk_detail, name="talk_detail"),
    path("mentoring/talks/<int:pk>/delete/", views.talk_delete, name="talk_delete"),
    path("mentoring/compliance/", views.compliance, name="mentoring_compliance"),
]
