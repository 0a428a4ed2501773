from django.urls import path

from training import views

urlpatterns = [
    path("training/", views.event_list, name="training_event_list"),
    path("training/new/", views.event_create, name="training_event_create"),
    path("training/gaps/", views.gap_list, name="training_gaps"),
    path("training/programmes/", views.programme_list, name="training_programme_list"),
    path("training/programmes/new/", views.programme_create, name="training_programme_create"),
    path("training/programmes/<int:pk>/", views.programme_detail, name="training_programme_detail"),
    path("training/programmes/<int:pk>/edit/", views.programme_edit, name="training_programme_edit"),
    path("training/programmes/<int:pk>/delete/", views.programme_delete, name="training_programme_delete"),
    path("training/<int:pk>/", views.event_detail, name="training_event_detail"),
    path("training/<int:pk>/edit/", views.event_edit, name="training_event_edit"),
    path("training/<int:pk>/delete/", views.event_delete, name="training_event_delete"),
    path("training/<int:pk>/enrol/", views.enrol, name="training_enrol"),
    path("training/enrolments/<int:pk>/remove/", views.unenrol, name="training_unenrol"),
    path("training/records/<int:pk>/", views.record_page, name="training_record"),
    path("training/records/<int:pk>/add/", views.single_training, name="training_single"),
    path("training/records/<int:pk>/practice/new/", views.practice_add, name="practice_add"),
    path("training/practice/<int:pk>/edit/", views.practice_edit, name="practice_edit"),
    path("training/practice/<int:pk>/delete/", views.practice_delete, name="practice_delete"),
]
