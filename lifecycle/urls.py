from django.urls import path

from lifecycle import views

urlpatterns = [
    path("lifecycle/", views.lifecycle_home, name="lifecycle_home"),
    path("lifecycle/records/<int:pk>/", views.record_lifecycle, name="record_lifecycle"),
    path("lifecycle/records/<int:pk>/removal/new/", views.removal_create, name="removal_create"),
    path("lifecycle/records/<int:pk>/use/new/", views.use_create, name="use_create"),
    path("lifecycle/records/<int:pk>/transfer/new/", views.transfer_create, name="transfer_create"),
    path("removals/", views.removal_list, name="removal_list"),
    path("removals/<int:pk>/", views.removal_detail, name="removal_detail"),
    path("removals/<int:pk>/act/", views.removal_act, name="removal_act"),
    path("removals/<int:pk>/resubmit/", views.removal_resubmit, name="removal_resubmit"),
    path("uses/", views.use_list, name="use_list"),
    path("uses/<int:pk>/", views.use_detail, name="use_detail"),
    path("uses/<int:pk>/act/", views.use_act, name="use_act"),
    path("uses/<int:pk>/resubmit/", views.use_resubmit, name="use_resubmit"),
    path("uses/<int:pk>/opinions/", views.use_opinions, name="use_opinions"),
    path("uses/<int:pk>/notice/", views.use_notice, name="use_notice"),
    path("uses/<int:pk>/outcome/", views.use_outcome, name="use_outcome"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/act/", views.transfer_act, name="transfer_act"),
    path("transfers/<int:pk>/resubmit/", views.transfer_resubmit, name="transfer_resubmit"),
    path("replenish/", views.replenish_list, name="replenish_list"),
    path("stipends/", views.stipend_sheet, name="stipend_sheet"),
    path("stipends/export/", views.stipend_export, name="stipend_export"),
]
