"""Access-matrix rows for this part of the reports app: the 纪实表 of one record (page, .xlsx, .pdf)."""

# Copied from tests/test_access_matrix.py (importing it here would be circular).
ALL = [
    "county_admin",
    "county_staff",
    "township_a_admin",
    "township_a_staff",
    "township_b_admin",
    "village_secretary",
    "mentor",
    "city_viewer",
    "outsider",
]
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


def only(allowed, ok=200, other=404):
    return {role: (ok if role in allowed else other) for role in ALL}


def everyone(code=200):
    return dict.fromkeys(ALL, code)


ROWS = {
    "record_sheet": ("GET", "record", only(VIEWERS_OF_A1), 302),
    "record_sheet_xlsx": ("GET", "record", only(VIEWERS_OF_A1), 302),
    "record_sheet_pdf": ("GET", "record", only(VIEWERS_OF_A1), 302),
}


def objects(cast, people) -> dict:
    return {}
