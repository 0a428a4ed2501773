from django.urls import path

from reserves import views

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/lookup/", views.id_lookup, name="id_lookup"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/photo/", views.person_photo, name="person_photo"),
    path("people/<int:pk>/records/new/", views.record_create, name="record_create"),
    path("reserves/", views.record_list, name="record_list"),
    path("reserves/<int:pk>/close/", views.record_close, name="record_close"),
    path("reserves/<int:pk>/note/", views.record_note, name="record_note"),
    path("reserves/<int:pk>/pairings/new/", views.pairing_add, name="pairing_add"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("policy/", views.policy_list, name="policy_list"),
    path("policy/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policy/county/<int:county_pk>/new/", views.policy_create_view, name="policy_create"),
    path("policy/<int:pk>/from-preset/", views.policy_from_preset, name="policy_from_preset"),
    path("org/<int:pk>/merge/", views.village_merge, name="village_merge"),
    path("filings/", views.filing_list, name="filing_list"),
    path("filings/<int:pk>/decide/", views.filing_decide, name="filing_decide"),
]
