"""The roles of the access matrix and the two ways to write a row's expectations (shared by tests/test_access_matrix.py
and the per-app matrix modules)."""

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


def only(allowed, ok=200, other=404):
    return {role: (ok if role in allowed else other) for role in ALL}


def everyone(code=200):
    return dict.fromkeys(ALL, code)
