"""Access-matrix rows for this part of the reports app: the 纪实表 of one record (page, .xlsx, .pdf)."""

from tests.matrix_helpers import ALL, everyone, only  # noqa: F401

# Copied from tests/test_access_matrix.py (importing it here would be circular).
# Whoever sees the record of village A1: its subtree up to the city, and the mentor paired with it.
VIEWERS_OF_A1 = {
    "county_admin",
    "county_staff",
    "township_a_admin",
    "township_a_staff",
    "village_secretary",
    "mentor",
    "city_viewer",
}


ROWS = {
    "record_sheet": ("GET", "record", only(VIEWERS_OF_A1), 302),
    "record_sheet_xlsx": ("GET", "record", only(VIEWERS_OF_A1), 302),
    "record_sheet_pdf": ("GET", "record", only(VIEWERS_OF_A1), 302),
}


def objects(cast, people) -> dict:
    return {}
