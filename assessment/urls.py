from django.urls import path

from assessment import views

urlpatterns = [
    path("assessment/quarters/", views.quarter_overview, name="quarter_overview"),
    path(
        "assessment/quarters/<int:year>/<int:quarter>/townships/<int:pk>/",
        views.quarter_township,
        name="quarter_township",
    ),
    path(
        "assessment/quarters/<int:year>/<int:quarter>/townships/<int:pk>/submit/",
        views.quarter_submit,
        name="quarter_submit",
    ),
    path(
        "assessment/quarters/<int:year>/<int:quarter>/townships/<int:pk>/reopen/",
        views.quarter_reopen,
        name="quarter_reopen",
    ),
    path(
        "assessment/quarters/<int:year>/<int:quarter>/villages/<int:pk>/",
        views.quarter_village,
        name="quarter_village",
    ),
    path("assessment/villages/<int:pk>/appraisals/", views.appraisal_village, name="appraisal_village"),
    path("assessment/villages/<int:pk>/attendance/", views.leave_list, name="leave_list"),
    path("assessment/villages/<int:pk>/leaves/new/", views.leave_add, name="leave_add"),
    path("assessment/villages/<int:pk>/absences/new/", views.absence_add, name="absence_add"),
    path("assessment/villages/<int:pk>/inability/new/", views.inability_add, name="inability_add"),
    path("assessment/leaves/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("assessment/leaves/<int:pk>/close/", views.leave_close, name="leave_close"),
    path("assessment/records/<int:pk>/", views.record_assessment, name="record_assessment"),
]
