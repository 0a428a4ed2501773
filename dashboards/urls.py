from django.urls import path

from dashboards import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboards/city/<int:pk>/", views.city, name="dashboard_city"),
    path("dashboards/county/<int:pk>/", views.county, name="dashboard_county"),
    path("dashboards/county/<int:pk>/scorecard/", views.scorecard, name="dashboard_scorecard"),
    path(
        "dashboards/county/<int:pk>/half-year/<int:year>/<int:half>/",
        views.halfyear_report,
        name="halfyear_report",
    ),
    path(
        "dashboards/county/<int:pk>/half-year/<int:year>/<int:half>/pdf/",
        views.halfyear_pdf,
        name="halfyear_pdf",
    ),
    path("dashboards/township/<int:pk>/", views.township, name="dashboard_township"),
    path("dashboards/village/<int:pk>/", views.village, name="dashboard_village"),
    path("dashboards/villages/", views.village_list, name="dashboard_villages"),
    path("dashboards/reserves/", views.reserve_list, name="dashboard_reserves"),
    path("dashboards/notices/", views.notice_list, name="dashboard_notices"),
]
