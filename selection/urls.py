from django.urls import path

from selection import views

urlpatterns = [
    path("selection/", views.round_list, name="round_list"),
    path("selection/new/", views.round_create, name="round_create"),
    path("selection/<int:pk>/", views.round_detail, name="round_detail"),
    path("selection/<int:pk>/announcement.pdf", views.announcement_pdf, name="round_announcement_pdf"),
    path("selection/<int:pk>/nominate/", views.nominate, name="round_nominate"),
    path("selection/<int:pk>/advance/", views.round_advance, name="round_advance"),
    path("selection/<int:pk>/cancel/", views.round_cancel, name="round_cancel"),
    path("selection/<int:pk>/attach/", views.round_attach, name="round_attach"),
    path("selection/<int:pk>/evaluation/<int:village_pk>/", views.evaluation_village, name="round_evaluation"),
    path("selection/<int:pk>/inspection-candidates/", views.select_inspection, name="round_select_inspection"),
    path("selection/<int:pk>/inspection/", views.inspection, name="round_inspection"),
    path("selection/<int:pk>/decision/", views.decision, name="round_decision"),
    path("selection/<int:pk>/scores/", views.scores, name="round_scores"),
    path("selection/<int:pk>/joint-review/", views.joint_review, name="round_joint_review"),
    path("selection/<int:pk>/county-decision/", views.county_decision, name="round_county_decision"),
    path("selection/candidates/<int:pk>/review/", views.candidacy_review, name="candidacy_review"),
    path("selection/candidates/<int:pk>/withdraw/", views.candidacy_withdraw, name="candidacy_withdraw"),
]
