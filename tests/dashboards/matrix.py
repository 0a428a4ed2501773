"""Access-matrix rows for this app's URLs (merged into tests/test_access_matrix.py MATRIX)."""

from django.utils import timezone

from tests.matrix_helpers import ALL, everyone, only  # noqa: F401

COUNTY_VIEWERS = {"county_admin", "county_staff", "city_viewer"}
TOWNSHIP_A_VIEWERS = COUNTY_VIEWERS | {"township_a_admin", "township_a_staff"}
VILLAGE_A1_VIEWERS = TOWNSHIP_A_VIEWERS | {"village_secretary"}
VIEWERS = set(ALL) - {"mentor", "outsider"}


ROWS = {
    # The dashboards: a unit's page for whoever sees the whole unit; out of scope is 404.
    "dashboard_city": ("GET", "dash_city", only({"city_viewer"}), 302),
    "dashboard_county": ("GET", "dash_county", only(COUNTY_VIEWERS), 302),
    "dashboard_scorecard": ("GET", "dash_county", only(COUNTY_VIEWERS), 302),
    "dashboard_township": ("GET", "dash_township", only(TOWNSHIP_A_VIEWERS), 302),
    "dashboard_village": ("GET", "dash_village", only(VILLAGE_A1_VIEWERS), 302),
    # The lists behind the figures default to the user's own unit.
    "dashboard_villages": ("GET", None, only(VIEWERS), 302),
    "dashboard_reserves": ("GET", None, only(VIEWERS), 302),
    "dashboard_notices": ("GET", None, only(VIEWERS), 302),
    # The county's half-yearly analysis: read by the county and the city, written by the county (POST tested apart).
    "halfyear_report": ("GET", "dash_half", only(COUNTY_VIEWERS), 302),
    "halfyear_pdf": ("GET", "dash_half", only(COUNTY_VIEWERS), 302),
}


def objects(cast, people) -> dict:
    """Extra keys for the matrix's `objects` fixture: key -> URL kwargs."""
    today = timezone.localdate()
    half = 1 if today.month <= 6 else 2
    return {
        "dash_city": {"pk": cast.city.pk},
        "dash_county": {"pk": cast.county.pk},
        "dash_township": {"pk": cast.township_a.pk},
        "dash_village": {"pk": cast.village_a1.pk},
        "dash_half": {"pk": cast.county.pk, "year": today.year, "half": half},
    }
