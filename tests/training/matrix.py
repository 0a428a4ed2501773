"""Access-matrix rows for the 轮训 programme pages (merged into tests/test_access_matrix.py MATRIX). The programme is
township A's: seen like its trainings (township A, its villages, the county, the city), edited by township A and the
county; everyone who records trainings may open the new-programme form."""

from tests.matrix_helpers import ALL, everyone, only  # noqa: F401

VIEWERS_OF_A = {
    "county_admin",
    "county_staff",
    "township_a_admin",
    "township_a_staff",
    "village_secretary",
    "city_viewer",
}
EDITORS_OF_A = {"county_admin", "county_staff", "township_a_admin", "township_a_staff"}
EDITORS = EDITORS_OF_A | {"township_b_admin"}

ROWS = {
    "training_programme_list": ("GET", None, everyone(200), 302),
    "training_programme_create": ("GET", None, only(EDITORS), 302),
    "training_programme_detail": ("GET", "training_programme", only(VIEWERS_OF_A), 302),
    "training_programme_edit": ("GET", "training_programme", only(EDITORS_OF_A), 302),
    # no confirm: a redirect back with a message, nothing deleted
    "training_programme_delete": ("POST", "training_programme", only(EDITORS_OF_A, ok=302), 302),
}


def objects(cast, people) -> dict:
    """Extra keys for the matrix's `objects` fixture: key -> URL kwargs."""
    from training import services

    programme = services.programme_create(
        actor=cast.township_a_admin, unit=cast.township_a, data={"name": "全覆盖轮训", "year": 2026}
    )
    return {"training_programme": {"pk": programme.pk}}
